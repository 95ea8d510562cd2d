// admissionregistration.k8s.io/v1: MutatingWebhookConfiguration and ValidatingWebhookConfiguration.
// Mirrors staging/src/k8s.io/api/admissionregistration/v1/types.go (webhook half).
import type { Definitions, GVK, Schema } from './dsl.ts';
import { arr, bytes, enumStr, int, kind, LABEL_SELECTOR, listKind, obj, ref, str } from './dsl.ts';

const P = 'io.k8s.api.admissionregistration.v1';
const gvk = (k: string): GVK[] => [{ group: 'admissionregistration.k8s.io', version: 'v1', kind: k }];
const strs = (d: string): Schema => arr(str(), { d, listType: 'atomic' });

function webhook(mutating: boolean): Schema {
  return obj({
    name: str('Fully qualified name of the webhook (at least three DNS labels), unique in its configuration.'),
    clientConfig: ref(`${P}.WebhookClientConfig`, 'How the API server reaches the webhook.'),
    rules: arr(ref(`${P}.RuleWithOperations`), { d: 'Operations and resources the webhook is called for.', listType: 'atomic' }),
    failurePolicy: enumStr(['Fail', 'Ignore'], 'What to do when the call fails: Fail (default) refuses the request, Ignore lets it through.'),
    matchPolicy: enumStr(['Equivalent', 'Exact'], 'Equivalent (default) also matches the same resource requested through another group or version.'),
    namespaceSelector: ref(LABEL_SELECTOR, 'Labels the namespace of the object (or a Namespace object itself) must carry; default matches all.'),
    objectSelector: ref(LABEL_SELECTOR, 'Labels the object (old or new) must carry; default matches all.'),
    sideEffects: enumStr(['None', 'NoneOnDryRun', 'Some', 'Unknown'], 'Whether the webhook changes anything outside the request; None or NoneOnDryRun for dry-run requests.'),
    timeoutSeconds: int('Seconds to wait for the webhook (1-30, default 10).'),
    admissionReviewVersions: strs('AdmissionReview versions the webhook understands, preferred first; must include v1.'),
    matchConditions: arr(ref(`${P}.MatchCondition`), { d: 'CEL conditions that must all hold for the webhook to be called.', mergeKey: 'name' }),
    ...(mutating ? { reinvocationPolicy: enumStr(['IfNeeded', 'Never'], 'IfNeeded: call again once if a later mutating plugin changed the object.') } : {}),
  }, { d: mutating ? 'A webhook that may change objects before they are stored.' : 'A webhook that may refuse requests.', required: ['name', 'clientConfig', 'sideEffects', 'admissionReviewVersions'] });
}

export const definitions: Definitions = {
  [`${P}.MutatingWebhookConfiguration`]: kind(gvk('MutatingWebhookConfiguration'), {
    webhooks: arr(ref(`${P}.MutatingWebhook`), { d: 'The webhooks, called in order.', mergeKey: 'name' }),
  }, { d: 'Webhooks that may change objects as they are written.' }),
  [`${P}.MutatingWebhookConfigurationList`]: listKind(gvk('MutatingWebhookConfigurationList'), `${P}.MutatingWebhookConfiguration`),
  [`${P}.ValidatingWebhookConfiguration`]: kind(gvk('ValidatingWebhookConfiguration'), {
    webhooks: arr(ref(`${P}.ValidatingWebhook`), { d: 'The webhooks, called in parallel.', mergeKey: 'name' }),
  }, { d: 'Webhooks that may refuse writes.' }),
  [`${P}.ValidatingWebhookConfigurationList`]: listKind(gvk('ValidatingWebhookConfigurationList'), `${P}.ValidatingWebhookConfiguration`),
  [`${P}.MutatingWebhook`]: webhook(true),
  [`${P}.ValidatingWebhook`]: webhook(false),
  [`${P}.WebhookClientConfig`]: obj({
    url: str('https URL of the webhook (no user info, query or fragment).'),
    service: ref(`${P}.ServiceReference`, 'A Service in the cluster serving the webhook.'),
    caBundle: bytes('PEM CA certificates that sign the webhook\'s serving certificate.'),
  }, { d: 'Where a webhook is served.' }),
  [`${P}.ServiceReference`]: obj({
    namespace: str('Namespace of the Service.'),
    name: str('Name of the Service.'),
    path: str('URL path sent to the Service.'),
    port: int('Service port (default 443).'),
  }, { d: 'A reference to a Service.', required: ['namespace', 'name'] }),
  [`${P}.RuleWithOperations`]: obj({
    operations: strs('CREATE, UPDATE, DELETE, CONNECT or *.'),
    apiGroups: strs('API groups; "" is the core group, * all.'),
    apiVersions: strs('API versions; * all.'),
    resources: strs('Resources, resource/subresource, or wildcards (*, */*, pods/*).'),
    scope: str('Cluster, Namespaced or * (default).'),
  }, { d: 'Operations on resources a webhook is called for.' }),
  [`${P}.MatchCondition`]: obj({
    name: str('Identifier of the condition (a qualified name).'),
    expression: str('CEL expression over object, oldObject, request, authorizer; must return a bool.'),
  }, { d: 'A condition a request must meet to be sent to a webhook.', required: ['name', 'expression'] }),
};
