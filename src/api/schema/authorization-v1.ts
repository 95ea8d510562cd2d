// authorization.k8s.io/v1: the access reviews (create-only, never stored). Mirrors
// staging/src/k8s.io/api/authorization/v1/types.go.
import type { Definitions, GVK } from './dsl.ts';
import { arr, bool, kind, mapOf, obj, ref, str } from './dsl.ts';

const P = 'io.k8s.api.authorization.v1';
const gvk = (k: string): GVK[] => [{ group: 'authorization.k8s.io', version: 'v1', kind: k }];
const strs = (d: string): ReturnType<typeof arr> => arr(str(), { d, listType: 'atomic' });

const accessStatus = ref(`${P}.SubjectAccessReviewStatus`, 'The answer, filled in by the server.');

export const definitions: Definitions = {
  [`${P}.SubjectAccessReview`]: kind(gvk('SubjectAccessReview'), {
    spec: ref(`${P}.SubjectAccessReviewSpec`, 'The user and the action asked about.'),
    status: accessStatus,
  }, { d: 'Asks whether a user may perform an action.', required: ['spec'] }),
  [`${P}.LocalSubjectAccessReview`]: kind(gvk('LocalSubjectAccessReview'), {
    spec: ref(`${P}.SubjectAccessReviewSpec`, 'The user and the action asked about; the namespace must be the request\'s.'),
    status: accessStatus,
  }, { d: 'Asks whether a user may perform an action in one namespace.', required: ['spec'] }),
  [`${P}.SelfSubjectAccessReview`]: kind(gvk('SelfSubjectAccessReview'), {
    spec: ref(`${P}.SelfSubjectAccessReviewSpec`, 'The action asked about.'),
    status: accessStatus,
  }, { d: 'Asks whether the caller may perform an action.', required: ['spec'] }),
  [`${P}.SelfSubjectRulesReview`]: kind(gvk('SelfSubjectRulesReview'), {
    spec: ref(`${P}.SelfSubjectRulesReviewSpec`, 'The namespace asked about.'),
    status: ref(`${P}.SubjectRulesReviewStatus`, 'The caller\'s rules, filled in by the server.'),
  }, { d: 'Lists the actions the caller may perform in a namespace.', required: ['spec'] }),
  [`${P}.SubjectAccessReviewSpec`]: obj({
    resourceAttributes: ref(`${P}.ResourceAttributes`, 'A resource request.'),
    nonResourceAttributes: ref(`${P}.NonResourceAttributes`, 'A non-resource request.'),
    user: str('The user asked about.'),
    groups: strs('The groups asked about.'),
    extra: mapOf(arr(str()), 'Extra attributes of the user asked about.'),
    uid: str('The uid of the user asked about.'),
  }, { d: 'Who asks to do what: exactly one of resourceAttributes and nonResourceAttributes.' }),
  [`${P}.SelfSubjectAccessReviewSpec`]: obj({
    resourceAttributes: ref(`${P}.ResourceAttributes`, 'A resource request.'),
    nonResourceAttributes: ref(`${P}.NonResourceAttributes`, 'A non-resource request.'),
  }, { d: 'What the caller asks to do: exactly one of resourceAttributes and nonResourceAttributes.' }),
  [`${P}.ResourceAttributes`]: obj({
    namespace: str('The namespace; empty for cluster-scoped resources or all namespaces.'),
    verb: str('The verb (get, list, create, … or * for all).'),
    group: str('The API group (* for all).'),
    version: str('The API version (* for all).'),
    resource: str('The resource (* for all).'),
    subresource: str('The subresource.'),
    name: str('The object name; empty for all.'),
    fieldSelector: ref(`${P}.FieldSelectorAttributes`, 'A field selector the request carries.'),
    labelSelector: ref(`${P}.LabelSelectorAttributes`, 'A label selector the request carries.'),
  }, { d: 'The attributes of a resource request.' }),
  [`${P}.FieldSelectorAttributes`]: obj({
    rawSelector: str('The selector as written.'),
    requirements: arr(ref(`${P}.FieldSelectorRequirement`), { d: 'The parsed selector.', listType: 'atomic' }),
  }, { d: 'A field selector of a request.' }),
  [`${P}.FieldSelectorRequirement`]: obj({
    key: str('The field.'),
    operator: str('In, NotIn, Exists or DoesNotExist.'),
    values: strs('The values.'),
  }, { d: 'One requirement of a field selector.', required: ['key', 'operator'] }),
  [`${P}.LabelSelectorAttributes`]: obj({
    rawSelector: str('The selector as written.'),
    requirements: arr(ref('io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement'), { d: 'The parsed selector.', listType: 'atomic' }),
  }, { d: 'A label selector of a request.' }),
  [`${P}.NonResourceAttributes`]: obj({
    path: str('The URL path.'),
    verb: str('The HTTP verb, lower case.'),
  }, { d: 'The attributes of a non-resource request.' }),
  [`${P}.SubjectAccessReviewStatus`]: obj({
    allowed: bool('Whether the action is allowed.'),
    denied: bool('Whether the action is explicitly denied (otherwise a refusal means no authorizer allowed it).'),
    reason: str('Why, if known.'),
    evaluationError: str('What went wrong while deciding, if anything.'),
  }, { d: 'The answer of an access review.', required: ['allowed'] }),
  [`${P}.SelfSubjectRulesReviewSpec`]: obj({
    namespace: str('The namespace to list rules for.'),
  }, { d: 'What a rules review asks about.' }),
  [`${P}.SubjectRulesReviewStatus`]: obj({
    resourceRules: arr(ref(`${P}.ResourceRule`), { d: 'Resource actions allowed.', listType: 'atomic' }),
    nonResourceRules: arr(ref(`${P}.NonResourceRule`), { d: 'Non-resource actions allowed.', listType: 'atomic' }),
    incomplete: bool('Whether the list may be missing rules (an authorizer cannot list them, or failed).'),
    evaluationError: str('What went wrong while listing, if anything.'),
  }, { d: 'The rules a user holds.', required: ['resourceRules', 'nonResourceRules', 'incomplete'] }),
  [`${P}.ResourceRule`]: obj({
    verbs: strs('Verbs allowed.'),
    apiGroups: strs('API groups.'),
    resources: strs('Resources (and resource/subresource).'),
    resourceNames: strs('Object names; empty for all.'),
  }, { d: 'A resource rule.', required: ['verbs'] }),
  [`${P}.NonResourceRule`]: obj({
    verbs: strs('Verbs allowed.'),
    nonResourceURLs: strs('URL paths, with * as a trailing wildcard.'),
  }, { d: 'A non-resource rule.', required: ['verbs'] }),
};
