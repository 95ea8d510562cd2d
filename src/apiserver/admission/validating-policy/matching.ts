// Which requests a policy or binding applies to: resource rules, excluded rules, namespace and
// object selectors and matchPolicy (k8s.io/apiserver/pkg/admission/plugin/policy/matching/matching.go,
// plugin/webhook/predicates/rules/rules.go, predicates/namespace and predicates/object).
import type { KubeObject } from '../../../api/meta.ts';
import { RESOURCES, type ResourceInfo } from '../../../api/scheme.ts';
import { labelSelectorFromMeta, matchesLabels, type LabelSelectorMeta } from '../../../api/selectors/labels.ts';
import type { MatchResources, NamedRuleWithOperations } from '../../../api/types/admission-policy-v1.ts';
import type { AdmissionAttributes } from '../types.ts';

/** The group/version/resource a rule is checked against, and the request's subresource. */
export interface RequestResource {
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespaced: boolean;
}

const has = (list: readonly string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

function resourceMatches(rules: readonly string[] | undefined, resource: string, subresource: string): boolean {
  if (!rules) return false;
  const want = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rules) {
    if (r === '*/*' || r === want) return true;
    const [main = '', ...rest] = r.split('/');
    const sub = rest.join('/');
    // "*" is every resource but no subresource; "pods/*" every subresource of pods; "*/scale" scale of all.
    if (main === '*' && sub === '' && subresource === '') return true;
    if (main === resource && sub === '*' && subresource !== '') return true;
    if (main === '*' && sub !== '' && sub === subresource) return true;
  }
  return false;
}

/** One rule against a request (rules.Matcher: operation, group, version, resource, scope, names). */
export function ruleMatches(rule: NamedRuleWithOperations, a: Pick<AdmissionAttributes, 'operation' | 'name'>, r: RequestResource): boolean {
  if (!has(rule.operations, a.operation)) return false;
  if (!has(rule.apiGroups, r.group)) return false;
  if (!has(rule.apiVersions, r.version)) return false;
  if (!resourceMatches(rule.resources, r.resource, r.subresource)) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster' && r.namespaced) return false;
  if (scope === 'Namespaced' && !r.namespaced) return false;
  if (rule.resourceNames?.length && !rule.resourceNames.includes(a.name)) return false;
  return true;
}

function selectorMatches(sel: LabelSelectorMeta | undefined, labels: Record<string, string> | undefined): boolean {
  // An absent selector is defaulted to {} (everything) by the API; keep that here too.
  if (!sel) return true;
  return matchesLabels(labelSelectorFromMeta(sel), labels ?? {});
}

export interface MatchInput {
  a: AdmissionAttributes;
  /** The namespace of a namespaced request (undefined when cluster-scoped or not found). */
  namespace: KubeObject | undefined;
}

/**
 * Whether `mr` matches the request; the resource it matched through (the request's own, or with
 * matchPolicy Equivalent another version of the same resource) or undefined.
 */
export function matchResources(mr: MatchResources | undefined, input: MatchInput): RequestResource | undefined {
  const { a } = input;
  const own = requestResource(a);
  if (!mr) return own;
  if (!namespaceMatches(mr.namespaceSelector, input)) return undefined;
  const objLabels = a.object?.metadata?.labels;
  const oldLabels = a.oldObject?.metadata?.labels;
  const objectOk = selectorMatches(mr.objectSelector, objLabels) || (a.oldObject !== undefined && selectorMatches(mr.objectSelector, oldLabels));
  if (!objectOk) return undefined;
  const rules = mr.resourceRules ?? [];
  const excluded = (rr: RequestResource): boolean => (mr.excludeResourceRules ?? []).some((rule) => ruleMatches(rule, a, rr));
  if (excluded(own)) return undefined;
  // No resourceRules (a binding's matchResources may leave them out): every resource matches.
  if (rules.length === 0 || rules.some((rule) => ruleMatches(rule, a, own))) return own;
  if ((mr.matchPolicy ?? 'Equivalent') !== 'Equivalent') return undefined;
  for (const eq of equivalents(a.info)) {
    const rr = { ...own, group: eq.group, version: eq.version, resource: eq.resource };
    if (excluded(rr)) return undefined;
    if (rules.some((rule) => ruleMatches(rule, a, rr))) return rr;
  }
  return undefined;
}

function requestResource(a: AdmissionAttributes): RequestResource {
  return { group: a.info.group, version: a.info.version, resource: a.info.resource, subresource: a.subresource, namespaced: a.info.namespaced };
}

// The other group/versions serving the same stored resource (autoscaling v1 and v2 HPAs, core
// and events.k8s.io Events): what upstream's equivalent-resource mapper answers.
function equivalents(info: ResourceInfo): ResourceInfo[] {
  return RESOURCES.filter((r) => r !== info && r.storage.group === info.storage.group && r.storage.resource === info.storage.resource
    && !(r.group === info.group && r.version === info.version && r.resource === info.resource));
}

// predicates/namespace/matcher.go: a cluster-scoped request other than a Namespace matches any
// selector; a Namespace is matched by its own labels; others by their namespace's labels.
function namespaceMatches(sel: LabelSelectorMeta | undefined, { a, namespace }: MatchInput): boolean {
  if (!sel) return true;
  const expr = labelSelectorFromMeta(sel);
  if (a.info.group === '' && a.info.resource === 'namespaces' && a.subresource === '') {
    const obj = a.object ?? a.oldObject;
    return matchesLabels(expr, obj?.metadata?.labels ?? {});
  }
  if (!a.info.namespaced) return true;
  // A namespace not (yet) known: only an everything-selector matches, as upstream's lister miss.
  return matchesLabels(expr, namespace?.metadata?.labels ?? {});
}
