// The RuntimeClasses `skiff up` creates for the handlers its node offers (runc, crun, gvisor), so
// `runtimeClassName: gvisor` works on a fresh cluster. Each class is named after its handler, as
// the RuntimeClass documentation's examples do. A class that exists is left as it is: a user may
// have changed its overhead or scheduling.
import { isAlreadyExists } from '../api/errors.ts';
import type { RuntimeClass } from '../api/types/node-v1.ts';
import type { Clientset } from '../client/clientset.ts';

/**
 * What a gVisor sandbox costs besides its containers: the Sentry and the gofer of the pause
 * container and of each app container (about 13 MiB resident each, measured here with runsc
 * 20221219 and the ptrace platform).
 */
export const GVISOR_OVERHEAD = { cpu: '10m', memory: '32Mi' };

export function runtimeClassFor(handler: string): RuntimeClass {
  return {
    apiVersion: 'node.k8s.io/v1',
    kind: 'RuntimeClass',
    metadata: { name: handler, labels: { 'app.kubernetes.io/managed-by': 'skiff' } },
    handler,
    ...(handler === 'gvisor' ? { overhead: { podFixed: { ...GVISOR_OVERHEAD } } } : {}),
  };
}

/** Creates the missing RuntimeClasses; returns the names created. */
export async function ensureRuntimeClasses(clientset: Clientset, handlers: readonly string[]): Promise<string[]> {
  const classes = clientset.resource<RuntimeClass>('node.k8s.io/v1', 'runtimeclasses');
  const created: string[] = [];
  for (const handler of handlers) {
    try {
      await classes.create(undefined, runtimeClassFor(handler));
      created.push(handler);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  return created;
}
