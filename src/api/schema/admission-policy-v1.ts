// admissionregistration.k8s.io/v1: ValidatingAdmissionPolicy and its binding. Mirrors
// staging/src/k8s.io/api/admissionregistration/v1/types.go. Definitions shared with the webhook
// configurations (MatchCondition, the rule types) are defined here under their upstream names
// only if the webhook file does not define them: the spread order in index.ts lets either win.
import type { Definitions, GVK } from './dsl.ts';
import { arr, CONDITION, enumStr, int64, kind, LABEL_SELECTOR, listKind, obj, ref, str } from './dsl.ts';

const P = 'io.k8s.api.admissionregistration.v1';
const gvk = (k: string): GVK[] => [{ group: 'admissionregistration.k8s.io', version: 'v1', kind: k }];

const namedRule = (d: string) => arr(ref(`${P}.NamedRuleWithOperations`), { d, listType: 'atomic' });

export const definitions: Definitions = {
  [`${P}.ValidatingAdmissionPolicy`]: kind(gvk('ValidatingAdmissionPolicy'), {
    spec: ref(`${P}.ValidatingAdmissionPolicySpec`, 'What the policy checks and which requests it applies to.'),
    status: ref(`${P}.ValidatingAdmissionPolicyStatus`, 'What the server observed of the policy.'),
  }, { d: 'CEL validations applied to matching requests before they are stored, where bound.' }),
  [`${P}.ValidatingAdmissionPolicyList`]: listKind(gvk('ValidatingAdmissionPolicyList'), `${P}.ValidatingAdmissionPolicy`),
  [`${P}.ValidatingAdmissionPolicySpec`]: obj({
    paramKind: ref(`${P}.ParamKind`, 'The kind of the objects bindings use as parameters (params in expressions).'),
    matchConstraints: ref(`${P}.MatchResources`, 'The requests the policy may apply to; bindings narrow it further.'),
    validations: arr(ref(`${P}.Validation`), { d: 'Expressions that must all be true for a request to be admitted.', listType: 'atomic' }),
    failurePolicy: enumStr(['Fail', 'Ignore'], 'What happens when an expression fails to evaluate or the policy is misconfigured.'),
    auditAnnotations: arr(ref(`${P}.AuditAnnotation`), { d: 'Annotations added to the audit event of matching requests.', listType: 'atomic' }),
    matchConditions: arr(ref(`${P}.MatchCondition`), { d: 'Expressions that must all be true for the policy to apply.', mergeKey: 'name', listType: 'map', mapKeys: ['name'] }),
    variables: arr(ref(`${P}.Variable`), { d: 'Named expressions other expressions read as variables.<name>.', listType: 'atomic' }),
  }, { d: 'The desired behaviour of a ValidatingAdmissionPolicy.' }),
  [`${P}.ValidatingAdmissionPolicyStatus`]: obj({
    observedGeneration: int64('The generation the status describes.'),
    typeChecking: ref(`${P}.TypeChecking`, 'Results of type checking the expressions.'),
    conditions: arr(ref(CONDITION), { d: 'The latest observations of the policy\'s state.', listType: 'map', mapKeys: ['type'] }),
  }, { d: 'The observed state of a policy.' }),
  [`${P}.TypeChecking`]: obj({
    expressionWarnings: arr(ref(`${P}.ExpressionWarning`), { d: 'Warnings for each expression.', listType: 'atomic' }),
  }, { d: 'Type checking results.' }),
  [`${P}.ExpressionWarning`]: obj({
    fieldRef: str('Path of the field holding the expression.'),
    warning: str('What the type checker found.'),
  }, { d: 'A type checking warning.', required: ['fieldRef', 'warning'] }),
  [`${P}.ParamKind`]: obj({
    apiVersion: str('Group/version of the parameter kind, e.g. v1 or example.com/v1.'),
    kind: str('Kind of the parameter objects, e.g. ConfigMap.'),
  }, { d: 'A group-version-kind parameters are read from.', extra: { 'x-kubernetes-map-type': 'atomic' } }),
  [`${P}.MatchResources`]: obj({
    namespaceSelector: ref(LABEL_SELECTOR, 'Namespaces whose objects match, by their labels; empty matches all.'),
    objectSelector: ref(LABEL_SELECTOR, 'Objects that match, by their labels; empty matches all.'),
    resourceRules: namedRule('Operations and resources that match.'),
    excludeResourceRules: namedRule('Operations and resources that never match.'),
    matchPolicy: enumStr(['Exact', 'Equivalent'], 'Whether requests through an equivalent group/version of a resource match too.'),
  }, { d: 'Which requests match, by resource, operation and labels.', extra: { 'x-kubernetes-map-type': 'atomic' } }),
  [`${P}.NamedRuleWithOperations`]: obj({
    resourceNames: arr(str(), { d: 'Names of the objects that match; empty matches all.', listType: 'atomic' }),
    operations: arr(str(), { d: 'CREATE, UPDATE, DELETE, CONNECT or * for all.', listType: 'atomic' }),
    apiGroups: arr(str(), { d: 'API groups; * for all, "" for the core group.', listType: 'atomic' }),
    apiVersions: arr(str(), { d: 'API versions; * for all.', listType: 'atomic' }),
    resources: arr(str(), { d: 'Resources (pods, pods/status, */scale, * and */* for all).', listType: 'atomic' }),
    scope: str('Cluster, Namespaced or * (default).'),
  }, { d: 'A rule with operations and, optionally, object names.', extra: { 'x-kubernetes-map-type': 'atomic' } }),
  [`${P}.Validation`]: obj({
    expression: str('A CEL expression that must be true for the request to be admitted.'),
    message: str('The message returned when the expression is false.'),
    reason: str('The reason of the refusal: Unauthorized, Forbidden, Invalid (default) or RequestEntityTooLarge.'),
    messageExpression: str('A CEL expression computing the message returned when the expression is false.'),
  }, { d: 'One validation of a policy.', required: ['expression'] }),
  [`${P}.AuditAnnotation`]: obj({
    key: str('The annotation key, prefixed by the policy name in the audit event.'),
    valueExpression: str('A CEL expression computing the value; null or empty omits it.'),
  }, { d: 'An audit annotation a policy adds.', required: ['key', 'valueExpression'] }),
  [`${P}.MatchCondition`]: obj({
    name: str('Identifies the condition.'),
    expression: str('A CEL expression that must be true for the request to be considered.'),
  }, { d: 'A condition a request must meet.', required: ['name', 'expression'] }),
  [`${P}.Variable`]: obj({
    name: str('The variable\'s name, read as variables.<name>.'),
    expression: str('The CEL expression computing it.'),
  }, { d: 'A named expression.', required: ['name', 'expression'], extra: { 'x-kubernetes-map-type': 'atomic' } }),

  [`${P}.ValidatingAdmissionPolicyBinding`]: kind(gvk('ValidatingAdmissionPolicyBinding'), {
    spec: ref(`${P}.ValidatingAdmissionPolicyBindingSpec`, 'The policy bound, its parameters and where it applies.'),
  }, { d: 'Binds a ValidatingAdmissionPolicy to resources and parameters.' }),
  [`${P}.ValidatingAdmissionPolicyBindingList`]: listKind(gvk('ValidatingAdmissionPolicyBindingList'), `${P}.ValidatingAdmissionPolicyBinding`),
  [`${P}.ValidatingAdmissionPolicyBindingSpec`]: obj({
    policyName: str('The name of the ValidatingAdmissionPolicy bound.'),
    paramRef: ref(`${P}.ParamRef`, 'The parameter objects the policy is evaluated with.'),
    matchResources: ref(`${P}.MatchResources`, 'Narrows the requests the policy applies to.'),
    validationActions: arr(str(), { d: 'Deny, Warn and/or Audit: what a failed validation does.', listType: 'set' }),
  }, { d: 'The desired behaviour of a binding.' }),
  [`${P}.ParamRef`]: obj({
    name: str('The name of the parameter object.'),
    namespace: str('The namespace of the parameter objects (default: the request\'s).'),
    selector: ref(LABEL_SELECTOR, 'Selects several parameter objects; the policy is evaluated with each.'),
    parameterNotFoundAction: str('Allow or Deny when no parameter object is found.'),
  }, { d: 'Where a binding finds its parameters.', extra: { 'x-kubernetes-map-type': 'atomic' } }),
};
