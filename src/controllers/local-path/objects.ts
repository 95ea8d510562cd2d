// The objects the local-path provisioner writes, as k3s's local-path-provisioner
// (github.com/rancher/local-path-provisioner provisioner.go, deploy/local-path-storage.yaml) makes
// them: the default `local-path` StorageClass, a hostPath PersistentVolume pinned to the node the
// scheduler chose, and the helper pods that create and remove its directory on that node.
import { join } from 'node:path';
import type { PersistentVolume, PersistentVolumeClaim, Pod } from '../../api/types/core-v1.ts';
import { ANNOTATION_DEFAULT_STORAGE_CLASS, type StorageClass } from '../../api/types/storage-v1.ts';

/**
 * k3s's provisioner name, so StorageClass manifests written for k3s apply unchanged (a class's
 * provisioner cannot be changed once created) and tools that look for it find it.
 */
export const PROVISIONER = 'rancher.io/local-path';
export const CLASS_NAME = 'local-path';
export const ANN_PROVISIONED_BY = 'pv.kubernetes.io/provisioned-by';
export const HELPER_NAMESPACE = 'kube-system';
/** Labels every helper pod carries, so the controller watches only those. */
export const HELPER_LABEL = 'skiff.io/local-path-helper';
/** busybox is built on every node from local packages: helper pods never need a registry. */
export const HELPER_IMAGE = 'busybox';
/** On a create helper: the claim (namespace/name) it works for. */
export const ANN_HELPER_CLAIM = 'skiff.io/local-path-claim';
const HOSTNAME_LABEL = 'kubernetes.io/hostname';

export function defaultStorageClass(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name: CLASS_NAME, annotations: { [ANNOTATION_DEFAULT_STORAGE_CLASS]: 'true' } },
    provisioner: PROVISIONER, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer',
  };
}

/** The volume's name (the external provisioner library's pvc-<claim uid>). */
export function volumeName(claim: PersistentVolumeClaim): string {
  return `pvc-${claim.metadata.uid ?? ''}`;
}

/** The directory: <storage path>/<pv>_<namespace>_<claim>, as k3s names it. */
export function volumePath(storagePath: string, claim: PersistentVolumeClaim): string {
  return join(storagePath, `${volumeName(claim)}_${claim.metadata.namespace ?? 'default'}_${claim.metadata.name ?? ''}`);
}

/**
 * Whether a path is one this provisioner made under the storage path: the only paths a delete
 * helper is ever given, so a hand-edited volume can never send `rm -rf` elsewhere.
 */
export function isProvisionedPath(storagePath: string, path: string): boolean {
  const base = storagePath.replace(/\/+$/, '');
  if (!path.startsWith(`${base}/`)) return false;
  const rest = path.slice(base.length + 1);
  return /^pvc-[^/]+$/.test(rest) && !rest.includes('..');
}

export function buildVolume(claim: PersistentVolumeClaim, sc: StorageClass, node: { name: string; hostname: string }, path: string): PersistentVolume {
  return {
    apiVersion: 'v1', kind: 'PersistentVolume',
    metadata: { name: volumeName(claim), annotations: { [ANN_PROVISIONED_BY]: PROVISIONER } },
    spec: {
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata.name ?? CLASS_NAME,
      accessModes: [...(claim.spec?.accessModes ?? ['ReadWriteOnce'])],
      volumeMode: claim.spec?.volumeMode ?? 'Filesystem',
      // Capacity is what was asked for: nothing limits a directory's size.
      capacity: { storage: claim.spec?.resources?.requests?.storage ?? '0' },
      hostPath: { path, type: 'DirectoryOrCreate' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [node.hostname] }] }] } },
      claimRef: {
        kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace ?? 'default', name: claim.metadata.name ?? '',
        uid: claim.metadata.uid ?? '', resourceVersion: claim.metadata.resourceVersion ?? '',
      },
    },
  };
}

/** The node a provisioned volume lives on: the hostname in its node affinity. */
export function volumeHostname(pv: PersistentVolume): string | undefined {
  for (const t of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const e of t.matchExpressions ?? []) if (e.key === HOSTNAME_LABEL && e.operator === 'In' && e.values?.length === 1) return e.values[0];
  }
  return undefined;
}

export type HelperAction = 'create' | 'delete';

export function helperPodName(action: HelperAction, pvName: string): string {
  return `helper-pod-${action}-${pvName}`;
}

/**
 * A pod on the node that makes (mkdir -m 0777, so any container user may write, as k3s's setup
 * script) or removes the directory. It names its node directly, tolerates every taint and
 * mounts only the storage path.
 */
export function buildHelperPod(action: HelperAction, pvName: string, nodeName: string, storagePath: string, path: string, sizeBytes: number, claimKey?: string): Pod {
  const script = action === 'create' ? 'set -e; mkdir -m 0777 -p "$VOL_DIR"' : 'set -e; rm -rf "$VOL_DIR"';
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: helperPodName(action, pvName), namespace: HELPER_NAMESPACE, labels: { [HELPER_LABEL]: action },
      ...(claimKey ? { annotations: { [ANN_HELPER_CLAIM]: claimKey } } : {}),
    },
    spec: {
      nodeName,
      restartPolicy: 'Never',
      automountServiceAccountToken: false,
      terminationGracePeriodSeconds: 1,
      tolerations: [{ operator: 'Exists' }],
      containers: [{
        name: 'helper-pod', image: HELPER_IMAGE, imagePullPolicy: 'IfNotPresent',
        command: ['/bin/sh', '-c', script],
        env: [{ name: 'VOL_DIR', value: path }, { name: 'VOL_MODE', value: 'Filesystem' }, { name: 'VOL_SIZE_BYTES', value: String(sizeBytes) }],
        volumeMounts: [{ name: 'data', mountPath: storagePath }],
      }],
      volumes: [{ name: 'data', hostPath: { path: storagePath, type: 'DirectoryOrCreate' } }],
    },
  };
}
