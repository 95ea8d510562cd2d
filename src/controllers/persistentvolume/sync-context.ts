// What the claim and volume syncs share: caches, clients, the binder, events and the queue.
import type { Logger } from 'pino';
import type { ObjectReference, PersistentVolume, PersistentVolumeClaim } from '../../api/types/core-v1.ts';
import type { StorageClass } from '../../api/types/storage-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import type { AssumedCache } from './assumed-cache.ts';
import type { Binder } from './binder.ts';

export interface SyncContext {
  cs: Clientset;
  log: Logger;
  volumes: ResourceClient<PersistentVolume>;
  claims: ResourceClient<PersistentVolumeClaim>;
  volumeCache: AssumedCache<PersistentVolume>;
  claimCache: AssumedCache<PersistentVolumeClaim>;
  binder: Binder;
  /** The StorageClass by name, from the informer. */
  storageClass(name: string): StorageClass | undefined;
  /** The default StorageClass's name, if one is marked default. */
  defaultStorageClass(): string | undefined;
  /** Record an event, unless the object's last event from this controller said the same. */
  event(ref: ObjectReference, type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** A binding happened: the next failure is news again. */
  clearEvents(uid: string | undefined): void;
  enqueueClaim(namespace: string, name: string): void;
}

export function claimRefOf(claim: PersistentVolumeClaim): ObjectReference {
  return {
    kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace ?? 'default', name: claim.metadata.name ?? '',
    ...(claim.metadata.uid ? { uid: claim.metadata.uid } : {}),
    ...(claim.metadata.resourceVersion ? { resourceVersion: claim.metadata.resourceVersion } : {}),
  };
}

export function volumeRefOf(volume: PersistentVolume): ObjectReference {
  return {
    kind: 'PersistentVolume', apiVersion: 'v1', name: volume.metadata.name ?? '',
    ...(volume.metadata.uid ? { uid: volume.metadata.uid } : {}),
    ...(volume.metadata.resourceVersion ? { resourceVersion: volume.metadata.resourceVersion } : {}),
  };
}
