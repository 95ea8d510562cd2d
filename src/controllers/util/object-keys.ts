// The small conversions every controller makes: an object's work-queue key (`namespace/name`),
// the ObjectReference its Events are recorded against, and a thrown value as an Error.
import type { ObjectReference } from '../../api/types/core-v1.ts';

interface Named {
  metadata: { namespace?: string; name?: string; uid?: string; resourceVersion?: string };
}

/** `namespace/name`, the key informers and work queues use. */
export function keyOf(obj: { metadata: { namespace?: string; name?: string } }): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

/** A reference to a namespaced object of `apiVersion`/`kind`, with its uid and version when known. */
export function objectReference(obj: Named, apiVersion: string, kind: string): ObjectReference {
  return {
    kind, apiVersion, namespace: obj.metadata.namespace ?? 'default', name: obj.metadata.name ?? '',
    ...(obj.metadata.uid ? { uid: obj.metadata.uid } : {}),
    ...(obj.metadata.resourceVersion ? { resourceVersion: obj.metadata.resourceVersion } : {}),
  };
}

export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
