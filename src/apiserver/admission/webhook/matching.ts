// Which webhooks a request goes to: rules (operations, groups, versions, resources and
// subresources, scope), matchPolicy Equivalent, namespaceSelector and objectSelector. Mirrors
// k8s.io/apiserver/pkg/admission/plugin/webhook/predicates/rules/rules.go, .../namespace/matcher.go,
// .../object/matcher.go and generic/webhook.go ShouldCallHook.
import type { KubeObject } from '../../../api/meta.ts';
import { RESOURCES, type ResourceInfo } from '../../../api/scheme.ts';
import { labelSelectorFromMeta, matchesLabels, type LabelSelectorMeta } from '../../../api/selectors/labels.ts';
import type { RuleWithOperations, ValidatingWebhook } from '../../../api/types/admissionregistration-v1-webhooks.ts';

/** What a rule is matched against. */
export interface MatchRequest {
  info: Pick<ResourceInfo, 'group' | 'version' | 'resource'>;
  subresource: string;
  operation: string;
  namespace: string;
}

function splitResource(resSub: string): [string, string] {
  const i = resSub.indexOf('/');
  return i < 0 ? [resSub, ''] : [resSub.slice(0, i), resSub.slice(i + 1)];
}

const anyOf = (list: readonly string[] | undefined, v: string): boolean => (list ?? []).some((x) => x === '*' || x === v);

export function ruleMatches(rule: RuleWithOperations, r: MatchRequest): boolean {
  if (!anyOf(rule.operations, r.operation)) return false;
  if (!anyOf(rule.apiGroups, r.info.group)) return false;
  if (!anyOf(rule.apiVersions, r.info.version)) return false;
  const resourceOk = (rule.resources ?? []).some((rs) => {
    const [res, sub] = splitResource(rs);
    return (res === '*' || res === r.info.resource) && (sub === '*' || sub === r.subresource);
  });
  if (!resourceOk) return false;
  switch (rule.scope ?? '*') {
    case 'Cluster': return r.namespace === '';
    // A Namespace object is cluster-scoped even though its requests name it as their namespace.
    case 'Namespaced': return !(r.info.group === '' && r.info.resource === 'namespaces' && r.subresource === '') && r.namespace !== '';
    default: return true;
  }
}

export const rulesMatch = (hook: ValidatingWebhook, r: MatchRequest): boolean => (hook.rules ?? []).some((rule) => ruleMatches(rule, r));

/**
 * The versions a request may be matched through: the one requested first, then every other
 * group-version serving the same stored resource (events.k8s.io/v1 and v1 events; autoscaling/v1
 * and v2 HorizontalPodAutoscalers), as matchPolicy Equivalent looks them up in the REST mapper.
 */
export function equivalentResources(requested: ResourceInfo): ResourceInfo[] {
  const others = RESOURCES.filter((x) => x !== requested && x.storage.group === requested.storage.group && x.storage.resource === requested.storage.resource);
  // Preferred versions first, as upstream's equivalent-resource registry lists them.
  others.sort((a, b) => Number(b.preferred) - Number(a.preferred));
  return [requested, ...others];
}

/** The resource the webhook is called for (the requested one, or an equivalent under Equivalent), or undefined. */
export function matchingResource(hook: ValidatingWebhook, requested: ResourceInfo, r: Omit<MatchRequest, 'info'>): ResourceInfo | undefined {
  if (rulesMatch(hook, { ...r, info: requested })) return requested;
  if ((hook.matchPolicy ?? 'Equivalent') !== 'Equivalent') return undefined;
  return equivalentResources(requested).slice(1).find((info) => rulesMatch(hook, { ...r, info }));
}

function selectorMatches(sel: LabelSelectorMeta | undefined, labels: Record<string, string> | undefined): boolean {
  if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return true;
  return matchesLabels(labelSelectorFromMeta(sel), labels);
}

/**
 * objectSelector: the new or the old object carries matching labels (either suffices, so a
 * webhook sees the update that removes the label it selects on).
 */
export function objectSelectorMatches(hook: ValidatingWebhook, object: KubeObject | undefined, oldObject: KubeObject | undefined): boolean {
  const sel = hook.objectSelector;
  if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return true;
  return [object, oldObject].some((o) => o !== undefined && selectorMatches(sel, o.metadata.labels ?? {}));
}

/**
 * namespaceSelector: on the labels of the request's namespace; a Namespace is matched on its own
 * labels; other cluster-scoped objects always match.
 */
export async function namespaceSelectorMatches(
  hook: ValidatingWebhook,
  r: { info: Pick<ResourceInfo, 'group' | 'resource'>; subresource: string; namespace: string; object?: KubeObject | undefined; oldObject?: KubeObject | undefined },
  namespaceLabels: (name: string) => Promise<Record<string, string> | undefined>,
): Promise<boolean> {
  const sel = hook.namespaceSelector;
  if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) return true;
  const isNamespace = r.info.group === '' && r.info.resource === 'namespaces';
  if (isNamespace) return selectorMatches(sel, (r.object ?? r.oldObject)?.metadata.labels ?? {});
  if (r.namespace === '') return true;
  const labels = await namespaceLabels(r.namespace);
  return labels !== undefined && selectorMatches(sel, labels);
}
