// Objects cannot be created in a namespace that is missing or terminating, and the system
// namespaces cannot be deleted (plugin/pkg/admission/namespace/lifecycle/admission.go).
import { forbidden, newStatus, StatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

export const IMMORTAL_NAMESPACES = new Set(['default', 'kube-system', 'kube-public']);

export function namespaceLifecycle(getNamespace: (name: string) => Promise<KubeObject | undefined>): AdmissionPlugin {
  return {
    name: 'NamespaceLifecycle',
    async validate(a: AdmissionAttributes): Promise<void> {
      if (a.info.storage.resource === 'namespaces') {
        if (a.operation === 'DELETE' && IMMORTAL_NAMESPACES.has(a.name)) {
          throw forbidden(`namespaces "${a.name}" is forbidden: this namespace may not be deleted`);
        }
        return;
      }
      if (!a.info.namespaced || a.operation !== 'CREATE' || a.subresource !== '') return;
      const ns = await getNamespace(a.namespace);
      if (!ns) {
        throw new StatusError(newStatus(404, 'NotFound', `namespaces "${a.namespace}" not found`, { name: a.namespace, kind: 'namespaces' }));
      }
      if ((ns.status as { phase?: string } | undefined)?.phase === 'Terminating' || ns.metadata.deletionTimestamp) {
        throw forbidden(`${a.info.resource} "${a.name}" is forbidden: unable to create new content in namespace ${a.namespace} because it is being terminated`);
      }
    },
  };
}
