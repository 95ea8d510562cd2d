// admissionregistration.k8s.io/v1 webhook configurations (staging/src/k8s.io/api/admissionregistration/v1/types.go),
// as plain JSON. ValidatingAdmissionPolicy lives in the same group but in its own file.
import type { KubeObject, ObjectMeta } from '../meta.ts';
import type { LabelSelectorMeta } from '../selectors/labels.ts';

export type WebhookOperation = '*' | 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
export type FailurePolicy = 'Ignore' | 'Fail';
export type MatchPolicy = 'Exact' | 'Equivalent';
export type SideEffectClass = 'Unknown' | 'None' | 'Some' | 'NoneOnDryRun';
export type ReinvocationPolicy = 'Never' | 'IfNeeded';

export interface RuleWithOperations {
  operations?: WebhookOperation[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: 'Cluster' | 'Namespaced' | '*';
}

export interface ServiceReference {
  namespace: string;
  name: string;
  path?: string;
  port?: number;
}

export interface WebhookClientConfig {
  url?: string;
  service?: ServiceReference;
  /** PEM certificates (base64 in JSON) that verify the webhook's serving certificate. */
  caBundle?: string;
}

export interface MatchCondition {
  name: string;
  expression: string;
}

export interface ValidatingWebhook {
  name: string;
  clientConfig: WebhookClientConfig;
  rules?: RuleWithOperations[];
  failurePolicy?: FailurePolicy;
  matchPolicy?: MatchPolicy;
  namespaceSelector?: LabelSelectorMeta;
  objectSelector?: LabelSelectorMeta;
  sideEffects?: SideEffectClass;
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
  matchConditions?: MatchCondition[];
}

export interface MutatingWebhook extends ValidatingWebhook {
  reinvocationPolicy?: ReinvocationPolicy;
}

export interface ValidatingWebhookConfiguration extends KubeObject {
  metadata: ObjectMeta;
  webhooks?: ValidatingWebhook[];
}

export interface MutatingWebhookConfiguration extends KubeObject {
  metadata: ObjectMeta;
  webhooks?: MutatingWebhook[];
}
