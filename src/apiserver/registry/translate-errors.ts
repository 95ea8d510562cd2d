// The one place where store errors become API errors (as k8s.io/apiserver/pkg/storage/errors.go
// and registry/generic/registry/store.go do it).
import { alreadyExists, conflict, expired, internalError, MODIFIED_CONFLICT, notFound, StatusError, type GroupResource } from '../../api/errors.ts';
import { StoreError } from '../../store/errors.ts';

export function translateStoreError(err: unknown, gr: GroupResource, name: string): StatusError {
  if (err instanceof StatusError) return err;
  if (err instanceof StoreError) {
    switch (err.code) {
      case 'KeyNotFound': return notFound(gr, name);
      case 'KeyExists': return alreadyExists(gr, name);
      case 'ResourceVersionConflict': return conflict(gr, name, MODIFIED_CONFLICT);
      case 'Compacted': return expired('The resourceVersion for the provided list is too old.');
      case 'InvalidContinue': return expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.');
      default: return internalError(err);
    }
  }
  return internalError(err);
}
