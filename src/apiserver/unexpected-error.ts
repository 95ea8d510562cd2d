// The answer to a failed request, decided in one place: a StatusError is answered as it is; any
// other exception was not anticipated and is answered by a 500 that names no internals (its
// message and stack belong in the log), as upstream's panic recovery answers without the
// panic's text (k8s.io/apiserver/pkg/server/filters/wrap.go).
import { isStatusError, newStatus } from '../api/errors.ts';
import type { Status } from '../api/meta.ts';

export const UNEXPECTED_STATUS: Readonly<Status> = newStatus(500, 'InternalError', 'Internal error occurred: the server could not complete the request; its log has the details');

export function statusForFailure(err: unknown): { status: Status; unexpected: boolean } {
  if (isStatusError(err)) return { status: err.status, unexpected: false };
  return { status: structuredClone(UNEXPECTED_STATUS), unexpected: true };
}
