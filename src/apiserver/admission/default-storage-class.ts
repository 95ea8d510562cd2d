// DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault/admission.go): a
// PersistentVolumeClaim created without a class — no spec.storageClassName (an explicit "" is a
// choice: no class) and no beta annotation — gets the default StorageClass's name. With several
// defaults the newest wins, ties by name (storage/util.GetDefaultClass).
import type { KubeObject } from '../../api/meta.ts';
import type { PersistentVolumeClaim } from '../../api/types/core-v1.ts';
import { defaultStorageClassName } from '../../api/types/storage-v1.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

const ANN_BETA_CLASS = 'volume.beta.kubernetes.io/storage-class';

export { defaultStorageClassName };

export function defaultStorageClass(listStorageClasses: () => Promise<KubeObject[]>): AdmissionPlugin {
  return {
    name: 'DefaultStorageClass',
    async mutate(a: AdmissionAttributes): Promise<void> {
      if (a.operation !== 'CREATE' || a.subresource !== '' || a.info.group !== '' || a.info.resource !== 'persistentvolumeclaims') return;
      const pvc = a.object as PersistentVolumeClaim | undefined;
      if (!pvc) return;
      if (pvc.spec?.storageClassName !== undefined && pvc.spec.storageClassName !== null) return;
      if (pvc.metadata.annotations?.[ANN_BETA_CLASS] !== undefined) return;
      const name = defaultStorageClassName(await listStorageClasses());
      if (name === undefined) return;
      pvc.spec = { ...pvc.spec, storageClassName: name };
    },
  };
}
