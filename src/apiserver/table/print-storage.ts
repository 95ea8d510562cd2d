// PersistentVolume, PersistentVolumeClaim and StorageClass rows, mirroring their print functions
// in pkg/printers/internalversion/printers.go.
import type { KubeObject } from '../../api/meta.ts';
import { AGE, NAME, col, wide } from './columns.ts';
import { accessModes, quantity } from './format.ts';
import { since } from './human-duration.ts';
import type { Printer } from './types.ts';

const BETA_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

interface PV extends KubeObject {
  spec?: {
    capacity?: Record<string, unknown>;
    accessModes?: string[];
    persistentVolumeReclaimPolicy?: string;
    claimRef?: { namespace?: string; name?: string };
    storageClassName?: string;
    volumeAttributesClassName?: string;
    volumeMode?: string;
  };
  status?: { phase?: string; reason?: string };
}

interface PVC extends KubeObject {
  spec?: { volumeName?: string; storageClassName?: string; volumeAttributesClassName?: string; volumeMode?: string };
  status?: { phase?: string; accessModes?: string[]; capacity?: Record<string, unknown> };
}

/** The class named by the beta annotation, which still wins over the field (helper.GetPersistentVolumeClass). */
function storageClassOf(o: { metadata: KubeObject['metadata']; spec?: { storageClassName?: string } }): string {
  const ann = o.metadata.annotations?.[BETA_CLASS_ANNOTATION];
  return ann ?? o.spec?.storageClassName ?? '';
}

export const persistentVolumePrinter: Printer = {
  columns: [
    NAME,
    col('Capacity', 'string', 'Storage the volume provides.'),
    col('Access Modes', 'string', 'Ways the volume can be mounted: RWO, ROX, RWX, RWOP.'),
    col('Reclaim Policy', 'string', 'What happens to the volume when its claim is released.'),
    col('Status', 'string', 'Lifecycle phase of the volume.'),
    col('Claim', 'string', 'The claim bound to the volume, as namespace/name.'),
    col('StorageClass', 'string', 'Storage class the volume belongs to.'),
    col('VolumeAttributesClass', 'string', 'Volume attributes class of the volume.'),
    col('Reason', 'string', 'Why the volume is in its phase.'),
    AGE,
    wide('VolumeMode', 'string', 'Filesystem or Block.'),
  ],
  cells(obj, now) {
    const pv = obj as PV;
    const spec = pv.spec ?? {};
    const claim = spec.claimRef ? `${spec.claimRef.namespace ?? ''}/${spec.claimRef.name ?? ''}` : '';
    const phase = pv.metadata.deletionTimestamp ? 'Terminating' : pv.status?.phase ?? '';
    return [
      pv.metadata.name ?? '', quantity(spec.capacity?.storage), accessModes(spec.accessModes),
      spec.persistentVolumeReclaimPolicy ?? '', phase, claim, storageClassOf(pv), spec.volumeAttributesClassName ?? '<unset>',
      pv.status?.reason ?? '', since(pv.metadata.creationTimestamp, now), spec.volumeMode ?? '<unset>',
    ];
  },
};

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    NAME,
    col('Status', 'string', 'Lifecycle phase of the claim.'),
    col('Volume', 'string', 'The volume bound to the claim.'),
    col('Capacity', 'string', 'Storage of the bound volume.'),
    col('Access Modes', 'string', 'Ways the bound volume can be mounted: RWO, ROX, RWX, RWOP.'),
    col('StorageClass', 'string', 'Storage class the claim asks for.'),
    col('VolumeAttributesClass', 'string', 'Volume attributes class the claim asks for.'),
    AGE,
    wide('VolumeMode', 'string', 'Filesystem or Block.'),
  ],
  cells(obj, now) {
    const pvc = obj as PVC;
    const spec = pvc.spec ?? {};
    const phase = pvc.metadata.deletionTimestamp ? 'Terminating' : pvc.status?.phase ?? '';
    const bound = !!spec.volumeName;
    return [
      pvc.metadata.name ?? '', phase, spec.volumeName ?? '', bound ? quantity(pvc.status?.capacity?.storage) : '',
      bound ? accessModes(pvc.status?.accessModes) : '', storageClassOf(pvc), spec.volumeAttributesClassName ?? '<unset>',
      since(pvc.metadata.creationTimestamp, now), spec.volumeMode ?? '<unset>',
    ];
  },
};

const DEFAULT_CLASS_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];

export const storageClassPrinter: Printer = {
  columns: [
    NAME,
    col('Provisioner', 'string', 'Volume plugin that provisions volumes of this class.'),
    col('ReclaimPolicy', 'string', 'Reclaim policy given to volumes of this class.'),
    col('VolumeBindingMode', 'string', 'When claims of this class are bound: Immediate or WaitForFirstConsumer.'),
    col('AllowVolumeExpansion', 'string', 'Whether claims of this class may grow.'),
    AGE,
  ],
  cells(obj, now) {
    const ann = obj.metadata.annotations ?? {};
    const isDefault = DEFAULT_CLASS_ANNOTATIONS.some((a) => ann[a] === 'true');
    const s = obj as KubeObject & { provisioner?: string; reclaimPolicy?: string; volumeBindingMode?: string; allowVolumeExpansion?: boolean };
    return [
      `${obj.metadata.name ?? ''}${isDefault ? ' (default)' : ''}`, s.provisioner ?? '', s.reclaimPolicy ?? 'Delete',
      s.volumeBindingMode ?? 'Immediate', s.allowVolumeExpansion ?? false, since(obj.metadata.creationTimestamp, now),
    ];
  },
};
