// Mutating/ValidatingWebhookConfiguration rows: NAME WEBHOOKS AGE, as printWebhookConfiguration in
// pkg/printers/internalversion/printers.go.
import type { KubeObject } from '../../api/meta.ts';
import { AGE, NAME, col } from './columns.ts';
import { since } from './human-duration.ts';
import type { Printer } from './types.ts';

export const webhookConfigurationPrinter: Printer = {
  columns: [NAME, col('Webhooks', 'integer', 'Webhooks in this configuration.'), AGE],
  cells: (obj, now) => {
    const hooks = (obj as KubeObject & { webhooks?: unknown[] }).webhooks;
    return [obj.metadata.name ?? '', Array.isArray(hooks) ? hooks.length : 0, since(obj.metadata.creationTimestamp, now)];
  },
};
