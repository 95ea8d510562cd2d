// storage.k8s.io/v1: StorageClass. Mirrors staging/src/k8s.io/api/storage/v1/types.go.
import type { Definitions, GVK } from './dsl.ts';
import { arr, bool, enumStr, kind, listKind, ref, str, strMap } from './dsl.ts';

const P = 'io.k8s.api.storage.v1';
const gvk = (k: string): GVK[] => [{ group: 'storage.k8s.io', version: 'v1', kind: k }];

export const definitions: Definitions = {
  [`${P}.StorageClass`]: kind(gvk('StorageClass'), {
    provisioner: str('Volume plugin or CSI driver that provisions volumes of this class.'),
    parameters: strMap('Provisioner-specific settings.'),
    reclaimPolicy: enumStr(['Delete', 'Retain', 'Recycle'], 'Reclaim policy of the volumes it provisions; defaults to Delete.'),
    mountOptions: arr(str(), { d: 'Mount options of the volumes it provisions.', listType: 'atomic' }),
    allowVolumeExpansion: bool('Whether claims of this class may be resized.'),
    volumeBindingMode: enumStr(['Immediate', 'WaitForFirstConsumer'], 'When claims are bound and provisioned; defaults to Immediate.'),
    allowedTopologies: arr(ref('io.k8s.api.core.v1.TopologySelectorTerm'), {
      d: 'Topologies volumes may be provisioned in; empty means anywhere.',
      listType: 'atomic',
    }),
  }, { d: 'A class of dynamically provisioned storage.', required: ['provisioner'] }),
  [`${P}.StorageClassList`]: listKind(gvk('StorageClassList'), `${P}.StorageClass`),
};
