// rbac.authorization.k8s.io/v1: Role, ClusterRole, RoleBinding, ClusterRoleBinding. Mirrors
// staging/src/k8s.io/api/rbac/v1/types.go.
import type { Definitions, GVK } from './dsl.ts';
import { arr, kind, LABEL_SELECTOR, listKind, obj, ref, str } from './dsl.ts';

const P = 'io.k8s.api.rbac.v1';
const gvk = (k: string): GVK[] => [{ group: 'rbac.authorization.k8s.io', version: 'v1', kind: k }];
const strs = (d: string): ReturnType<typeof arr> => arr(str(), { d, listType: 'atomic' });

const rules = arr(ref(`${P}.PolicyRule`), { d: 'What the role allows.', listType: 'atomic' });
const subjects = arr(ref(`${P}.Subject`), { d: 'Who the role is granted to.', listType: 'atomic' });
const roleRef = ref(`${P}.RoleRef`, 'The role granted; immutable.');

export const definitions: Definitions = {
  [`${P}.PolicyRule`]: obj({
    verbs: strs('Verbs allowed ("*" for all).'),
    apiGroups: strs('API groups of the resources ("" for core, "*" for all).'),
    resources: strs('Resources, "resource/subresource", "*/subresource" or "*".'),
    resourceNames: strs('Object names the rule is limited to (all when empty).'),
    nonResourceURLs: strs('Non-resource paths (a trailing "*" matches any suffix); ClusterRoles only.'),
  }, { d: 'Actions allowed on resources or non-resource paths.', required: ['verbs'] }),
  [`${P}.Subject`]: obj({
    kind: str('User, Group or ServiceAccount.'),
    apiGroup: str('"rbac.authorization.k8s.io" for users and groups, "" for service accounts.'),
    name: str('Name of the subject.'),
    namespace: str('Namespace of a ServiceAccount subject.'),
  }, { d: 'A user, group or service account a binding grants its role to.', required: ['kind', 'name'], extra: { 'x-kubernetes-map-type': 'atomic' } }),
  [`${P}.RoleRef`]: obj({
    apiGroup: str('Group of the role: rbac.authorization.k8s.io.'),
    kind: str('Role or ClusterRole.'),
    name: str('Name of the role.'),
  }, { d: 'The role a binding refers to.', required: ['apiGroup', 'kind', 'name'], extra: { 'x-kubernetes-map-type': 'atomic' } }),
  [`${P}.AggregationRule`]: obj({
    clusterRoleSelectors: arr(ref(LABEL_SELECTOR), { d: 'ClusterRoles whose labels match any of these have their rules copied in.', listType: 'atomic' }),
  }, { d: 'How a ClusterRole collects the rules of others.' }),
  [`${P}.Role`]: kind(gvk('Role'), { rules }, { d: 'A namespaced set of permissions.' }),
  [`${P}.RoleList`]: listKind(gvk('RoleList'), `${P}.Role`),
  [`${P}.ClusterRole`]: kind(gvk('ClusterRole'), {
    rules,
    aggregationRule: ref(`${P}.AggregationRule`, 'When set, the controller manages rules from the matching ClusterRoles.'),
  }, { d: 'A cluster-wide set of permissions, usable by ClusterRoleBindings and RoleBindings.' }),
  [`${P}.ClusterRoleList`]: listKind(gvk('ClusterRoleList'), `${P}.ClusterRole`),
  [`${P}.RoleBinding`]: kind(gvk('RoleBinding'), { subjects, roleRef }, { d: 'Grants a Role or ClusterRole within one namespace.', required: ['roleRef'] }),
  [`${P}.RoleBindingList`]: listKind(gvk('RoleBindingList'), `${P}.RoleBinding`),
  [`${P}.ClusterRoleBinding`]: kind(gvk('ClusterRoleBinding'), { subjects, roleRef }, { d: 'Grants a ClusterRole cluster-wide.', required: ['roleRef'] }),
  [`${P}.ClusterRoleBindingList`]: listKind(gvk('ClusterRoleBindingList'), `${P}.ClusterRoleBinding`),
};
