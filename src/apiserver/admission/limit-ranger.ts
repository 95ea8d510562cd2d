// LimitRanger admission (plugin/pkg/admission/limitranger/admission.go): a created pod's
// containers get the namespace LimitRanges' default limits and requests where they set none
// (recorded in the kubernetes.io/limit-ranger annotation), then min, max and
// maxLimitRequestRatio are checked per Container and per Pod; PersistentVolumeClaims have their
// storage request checked against min and max. Pods are not checked on update (their containers'
// resources cannot change there).
import type { KubeObject } from '../../api/meta.ts';
import { podResources } from '../../api/quota/evaluators.ts';
import { format, milliValue, tryParse, type Quantity } from '../../api/quota/quantity.ts';
import { parseList, type Usage } from '../../api/quota/resource-list.ts';
import type { Container, PersistentVolumeClaim, Pod, ResourceList } from '../../api/types/core-v1.ts';
import type { LimitRange, LimitRangeItem } from '../../api/types/core-v1-policy.ts';
import { quotaForbidden } from './resource-quota.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

function supports(a: AdmissionAttributes): boolean {
  if (a.subresource !== '' || !a.object) return false;
  if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return false;
  if (a.oldObject?.metadata.deletionTimestamp) return false;
  const r = a.info.storage.resource;
  if (a.info.storage.group !== '') return false;
  return r === 'persistentvolumeclaims' || (r === 'pods' && a.operation === 'CREATE');
}

/** Default limits and requests of a LimitRange's Container items (later items win). */
function containerDefaults(lr: LimitRange): { limits: ResourceList; requests: ResourceList } {
  const limits: ResourceList = {};
  const requests: ResourceList = {};
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'Container') continue;
    Object.assign(requests, item.defaultRequest ?? {});
    Object.assign(limits, item.default ?? {});
  }
  return { limits, requests };
}

function mergeContainer(c: Container, defaults: { limits: ResourceList; requests: ResourceList }, what: string, notes: string[]): void {
  const res = (c.resources ??= {});
  const limits = (res.limits ??= {});
  const requests = (res.requests ??= {});
  const setLimits: string[] = [];
  const setRequests: string[] = [];
  for (const [k, v] of Object.entries(defaults.limits)) {
    if (limits[k] === undefined) { limits[k] = v; setLimits.push(k); }
  }
  for (const [k, v] of Object.entries(defaults.requests)) {
    if (requests[k] === undefined) { requests[k] = v; setRequests.push(k); }
  }
  if (setRequests.length) notes.push(`${setRequests.sort().join(', ')} request for ${what} ${c.name}`);
  if (setLimits.length) notes.push(`${setLimits.sort().join(', ')} limit for ${what} ${c.name}`);
}

/** Applies one LimitRange's container defaults to a pod (PodMutateLimitFunc). */
export function applyDefaults(lr: LimitRange, pod: Pod): void {
  const defaults = containerDefaults(lr);
  const notes: string[] = [];
  for (const c of pod.spec?.containers ?? []) mergeContainer(c, defaults, 'container', notes);
  for (const c of pod.spec?.initContainers ?? []) mergeContainer(c, defaults, 'init container', notes);
  if (notes.length) {
    pod.metadata.annotations = { ...pod.metadata.annotations, [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
  }
}

function minConstraint(type: string, name: string, enforced: Quantity, req: Usage, lim: Usage): string | undefined {
  const r = req.get(name);
  const l = lim.get(name);
  const e = format(enforced);
  if (!r) return `minimum ${name} usage per ${type} is ${e}.  No request is specified`;
  if (milliValue(r) < milliValue(enforced)) return `minimum ${name} usage per ${type} is ${e}, but request is ${format(r)}`;
  if (l && milliValue(l) < milliValue(enforced)) return `minimum ${name} usage per ${type} is ${e}, but limit is ${format(l)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, req: Usage, lim: Usage): string | undefined {
  const r = req.get(name);
  const l = lim.get(name);
  const e = format(enforced);
  if (!l) return `maximum ${name} usage per ${type} is ${e}.  No limit is specified`;
  if (milliValue(l) > milliValue(enforced)) return `maximum ${name} usage per ${type} is ${e}, but limit is ${format(l)}`;
  if (r && milliValue(r) > milliValue(enforced)) return `maximum ${name} usage per ${type} is ${e}, but request is ${format(r)}`;
  return undefined;
}

function maxRequestConstraint(type: string, name: string, enforced: Quantity, req: Usage): string | undefined {
  const r = req.get(name);
  const e = format(enforced);
  if (!r) return `maximum ${name} usage per ${type} is ${e}.  No request is specified`;
  if (milliValue(r) > milliValue(enforced)) return `maximum ${name} usage per ${type} is ${e}, but request is ${format(r)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, req: Usage, lim: Usage): string | undefined {
  const r = req.get(name);
  const l = lim.get(name);
  const e = format(enforced);
  if (!r || milliValue(r) === 0n) return `${name} max limit to request ratio per ${type} is ${e}, but no request is specified or request is 0`;
  if (!l || milliValue(l) === 0n) return `${name} max limit to request ratio per ${type} is ${e}, but no limit is specified or limit is 0`;
  const ratio = Number(milliValue(l)) / Number(milliValue(r));
  if (ratio * 1000 > Number(milliValue(enforced))) return `${name} max limit to request ratio per ${type} is ${e}, but provided ratio is ${ratio.toFixed(6)}`;
  return undefined;
}

function entries(list: ResourceList | undefined): Array<[string, Quantity]> {
  const out: Array<[string, Quantity]> = [];
  for (const k of Object.keys(list ?? {}).sort()) {
    const q = tryParse(list![k]);
    if (q) out.push([k, q]);
  }
  return out;
}

function checkItem(item: LimitRangeItem, req: Usage, lim: Usage, errs: string[]): void {
  const push = (e: string | undefined): void => { if (e) errs.push(e); };
  for (const [k, v] of entries(item.min)) push(minConstraint(item.type, k, v, req, lim));
  for (const [k, v] of entries(item.max)) push(maxConstraint(item.type, k, v, req, lim));
  for (const [k, v] of entries(item.maxLimitRequestRatio)) push(ratioConstraint(item.type, k, v, req, lim));
}

/** Every violation of one LimitRange by a pod (PodValidateLimitFunc). */
export function podViolations(lr: LimitRange, pod: Pod): string[] {
  const errs: string[] = [];
  for (const item of lr.spec?.limits ?? []) {
    if (item.type === 'Container') {
      for (const c of [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])]) {
        checkItem(item, parseList(c.resources?.requests), parseList(c.resources?.limits), errs);
      }
    } else if (item.type === 'Pod') {
      // Spec only: no overhead (the plugin's own podRequests/podLimits).
      checkItem(item, podResources(pod, 'requests', false), podResources(pod, 'limits', false), errs);
    }
  }
  return errs;
}

/** Every violation of one LimitRange by a claim (PersistentVolumeClaimValidateLimitFunc). */
export function pvcViolations(lr: LimitRange, pvc: PersistentVolumeClaim): string[] {
  const errs: string[] = [];
  const req = parseList(pvc.spec?.resources?.requests);
  for (const item of lr.spec?.limits ?? []) {
    if (item.type !== 'PersistentVolumeClaim') continue;
    for (const [k, v] of entries(item.min)) { const e = minConstraint(item.type, k, v, req, new Map()); if (e) errs.push(e); }
    for (const [k, v] of entries(item.max)) { const e = maxRequestConstraint(item.type, k, v, req); if (e) errs.push(e); }
  }
  return errs;
}

/** utilerrors.NewAggregate's text: one message alone, several in brackets. */
function aggregate(errs: string[]): string {
  return errs.length === 1 ? errs[0]! : `[${errs.join(', ')}]`;
}

export function limitRanger(listLimitRanges: (namespace: string) => Promise<KubeObject[]>): AdmissionPlugin {
  return {
    name: 'LimitRanger',
    async mutate(a: AdmissionAttributes): Promise<void> {
      if (!supports(a) || a.info.storage.resource !== 'pods') return;
      for (const lr of await listLimitRanges(a.namespace)) applyDefaults(lr, a.object as Pod);
    },
    async validate(a: AdmissionAttributes): Promise<void> {
      if (!supports(a)) return;
      for (const lr of await listLimitRanges(a.namespace)) {
        const errs = a.info.storage.resource === 'pods' ? podViolations(lr, a.object as Pod) : pvcViolations(lr, a.object as PersistentVolumeClaim);
        if (errs.length) throw quotaForbidden(a, aggregate(errs));
      }
    },
  };
}
