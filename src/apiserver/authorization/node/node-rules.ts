// What every node may do beyond the objects the graph relates to it: upstream's NodeRules
// (plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go), evaluated by the Node authorizer
// itself (node_authorizer.go: rbac.RulesAllow(attrs, r.nodeRules...)), not through a binding; the
// `system:node` ClusterRole holds the same rules but is bound to no one. Features skiff serves or
// upstream enables by default are in; alpha-only ones (ClusterTrustBundle, pod certificates) are out.
import type { AuthorizationAttributes, PolicyRule } from '../types.ts';

const READ = ['get', 'list', 'watch'];

export const NODE_RULES: readonly PolicyRule[] = [
  // Needed to check API access; these creates change nothing.
  { verbs: ['create'], apiGroups: ['authentication.k8s.io'], resources: ['tokenreviews'] },
  { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['subjectaccessreviews', 'localsubjectaccessreviews'] },
  // The service lister behind the pods' service environment variables.
  { verbs: READ, apiGroups: [''], resources: ['services'] },
  // Register and report status; NodeRestriction keeps a node to its own Node.
  { verbs: ['create', 'get', 'list', 'watch'], apiGroups: [''], resources: ['nodes'] },
  { verbs: ['update', 'patch'], apiGroups: [''], resources: ['nodes/status'] },
  { verbs: ['update', 'patch'], apiGroups: [''], resources: ['nodes'] },
  { verbs: ['create', 'update', 'patch'], apiGroups: ['', 'events.k8s.io'], resources: ['events'] },
  { verbs: READ, apiGroups: [''], resources: ['pods'] },
  // Mirror pods, pod status and evictions; NodeRestriction keeps each to the node's own pods.
  { verbs: ['create', 'delete'], apiGroups: [''], resources: ['pods'] },
  { verbs: ['update', 'patch'], apiGroups: [''], resources: ['pods/status'] },
  { verbs: ['create'], apiGroups: [''], resources: ['pods/eviction'] },
  // The graph narrows these to what the node's pods reference.
  { verbs: READ, apiGroups: [''], resources: ['secrets', 'configmaps'] },
  { verbs: ['get'], apiGroups: [''], resources: ['persistentvolumeclaims', 'persistentvolumes'] },
  { verbs: ['get'], apiGroups: [''], resources: ['endpoints'] },
  { verbs: ['create', 'get', 'list', 'watch'], apiGroups: ['certificates.k8s.io'], resources: ['certificatesigningrequests'] },
  { verbs: ['get', 'create', 'update', 'patch', 'delete'], apiGroups: ['coordination.k8s.io'], resources: ['leases'] },
  { verbs: ['get'], apiGroups: ['storage.k8s.io'], resources: ['volumeattachments'] },
  { verbs: ['get', 'update', 'patch'], apiGroups: [''], resources: ['persistentvolumeclaims/status'] },
  { verbs: ['create'], apiGroups: [''], resources: ['serviceaccounts/token'] },
  { verbs: ['get', 'watch', 'list'], apiGroups: ['storage.k8s.io'], resources: ['csidrivers'] },
  { verbs: ['get', 'create', 'update', 'patch', 'delete'], apiGroups: ['storage.k8s.io'], resources: ['csinodes'] },
  { verbs: READ, apiGroups: ['node.k8s.io'], resources: ['runtimeclasses'] },
  { verbs: ['get'], apiGroups: ['resource.k8s.io'], resources: ['resourceclaims'] },
  { verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'], apiGroups: ['resource.k8s.io'], resources: ['resourceslices'] },
];

/** Whether a resource rule matches (rbac.go RuleAllows: verb, group, resource[/subresource], resourceNames). */
function ruleAllows(a: AuthorizationAttributes, r: PolicyRule): boolean {
  if (!r.verbs.includes('*') && !r.verbs.includes(a.verb)) return false;
  if (!a.isResourceRequest) {
    return (r.nonResourceURLs ?? []).some((u) => u === '*' || u === a.path || (u.endsWith('*') && a.path.startsWith(u.slice(0, -1))));
  }
  const groups = r.apiGroups ?? [];
  if (!groups.includes('*') && !groups.includes(a.apiGroup)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const resources = r.resources ?? [];
  const resourceOk = resources.some((res) => res === '*' || res === combined || (a.subresource !== '' && res === `*/${a.subresource}`));
  if (!resourceOk) return false;
  const names = r.resourceNames ?? [];
  return names.length === 0 || names.includes(a.name);
}

/** rbac.RulesAllow: any rule matching allows. */
export function rulesAllow(a: AuthorizationAttributes, rules: readonly PolicyRule[]): boolean {
  return rules.some((r) => ruleAllows(a, r));
}
