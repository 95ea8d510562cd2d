// ValidatingAdmissionPolicy and binding defaults (pkg/apis/admissionregistration/v1/defaults.go):
// failurePolicy Fail, matchPolicy Equivalent, empty selectors, rule scope "*".
import { isObj, type Obj } from './obj.ts';

const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function defaultMatchResources(mr: Obj): void {
  mr.matchPolicy ??= 'Equivalent';
  mr.namespaceSelector ??= {};
  mr.objectSelector ??= {};
  for (const r of [...asArr(mr.resourceRules), ...asArr(mr.excludeResourceRules)]) {
    if (isObj(r)) r.scope ??= '*';
  }
}

export function defaultValidatingAdmissionPolicy(o: Obj): void {
  const spec = o.spec;
  if (!isObj(spec)) return;
  spec.failurePolicy ??= 'Fail';
  if (isObj(spec.matchConstraints)) defaultMatchResources(spec.matchConstraints);
}

export function defaultValidatingAdmissionPolicyBinding(o: Obj): void {
  const spec = o.spec;
  if (!isObj(spec)) return;
  if (isObj(spec.matchResources)) defaultMatchResources(spec.matchResources);
}
