// Defaults of the webhook configurations (pkg/apis/admissionregistration/v1/defaults.go).
import type { Obj } from './obj.ts';

function defaultWebhook(hook: Obj, mutating: boolean): void {
  hook.failurePolicy ??= 'Fail';
  hook.matchPolicy ??= 'Equivalent';
  hook.namespaceSelector ??= {};
  hook.objectSelector ??= {};
  hook.timeoutSeconds ??= 10;
  if (mutating) hook.reinvocationPolicy ??= 'Never';
  for (const r of (Array.isArray(hook.rules) ? hook.rules : []) as Obj[]) {
    if (r && typeof r === 'object') r.scope ??= '*';
  }
  const svc = (hook.clientConfig as Obj | undefined)?.service as Obj | undefined;
  if (svc && typeof svc === 'object') svc.port ??= 443;
}

function defaultConfiguration(o: Obj, mutating: boolean): void {
  for (const h of (Array.isArray(o.webhooks) ? o.webhooks : []) as Obj[]) {
    if (h && typeof h === 'object') defaultWebhook(h, mutating);
  }
}

export const defaultMutatingWebhookConfiguration = (o: Obj): void => defaultConfiguration(o, true);
export const defaultValidatingWebhookConfiguration = (o: Obj): void => defaultConfiguration(o, false);
