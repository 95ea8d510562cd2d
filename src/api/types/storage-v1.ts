// storage.k8s.io/v1 object types (staging/src/k8s.io/api/storage/v1/types.go), as plain JSON.
import type { KubeObject, ObjectMeta } from '../meta.ts';

/** Marks the class a claim without storageClassName gets (DefaultStorageClass admission). */
export const ANNOTATION_DEFAULT_STORAGE_CLASS = 'storageclass.kubernetes.io/is-default-class';
/** The beta spelling, still honoured upstream. */
export const ANNOTATION_DEFAULT_STORAGE_CLASS_BETA = 'storageclass.beta.kubernetes.io/is-default-class';

export interface StorageClass extends KubeObject {
  metadata: ObjectMeta;
  provisioner: string;
  parameters?: Record<string, string>;
  reclaimPolicy?: 'Delete' | 'Retain' | 'Recycle';
  mountOptions?: string[];
  allowVolumeExpansion?: boolean;
  volumeBindingMode?: 'Immediate' | 'WaitForFirstConsumer';
  allowedTopologies?: Array<{ matchLabelExpressions?: Array<{ key: string; values: string[] }> }>;
}

export function isDefaultStorageClass(sc: KubeObject): boolean {
  const a = sc.metadata.annotations;
  return a?.[ANNOTATION_DEFAULT_STORAGE_CLASS] === 'true' || a?.[ANNOTATION_DEFAULT_STORAGE_CLASS_BETA] === 'true';
}

/**
 * The default class's name among these, if any is marked default: the newest, ties by name
 * (component-helpers storage/util GetDefaultClass), as admission and the PV controller pick it.
 */
export function defaultStorageClassName(classes: Iterable<KubeObject>): string | undefined {
  let best: KubeObject | undefined;
  for (const c of classes) {
    if (!isDefaultStorageClass(c)) continue;
    const t = c.metadata.creationTimestamp ?? '';
    const bt = best?.metadata.creationTimestamp ?? '';
    if (!best || t > bt || (t === bt && (c.metadata.name ?? '') < (best.metadata.name ?? ''))) best = c;
  }
  return best?.metadata.name;
}
