// Patch failures as Kubernetes Status errors, the way apiserver/pkg/endpoints/handlers/patch.go
// reports them.
import { badRequest, invalid, newStatus, StatusError } from '../../api/errors.ts';
import { isPatchError } from './errors.ts';

/**
 * A patch that cannot be applied. Upstream answers NewGenericServerResponse(422), whose message
 * is fixed and drops the reason; skiff keeps that message and adds the reason as a cause so that
 * kubectl can print it.
 */
export function unprocessable(reason: string): StatusError {
  return new StatusError(newStatus(422, 'Invalid', 'the server rejected our request due to an error in our request', {
    causes: [{ reason: 'FieldValueInvalid', message: reason, field: 'patch' }],
  }));
}

/** A patched document that is not an object (upstream: NewInvalid with field "patch"). */
export function notAnObject(patched: unknown): StatusError {
  const json = JSON.stringify(patched) ?? 'undefined';
  const kind = patched === null ? 'null' : Array.isArray(patched) ? 'array' : typeof patched;
  return invalid('', '', '', [{ type: 'FieldValueInvalid', field: 'patch', badValue: json, detail: `cannot decode ${kind} into an object` }]);
}

/** Translate a PatchError into a Status error; anything else is rethrown as it is. */
export function toStatusError(err: unknown): unknown {
  if (!isPatchError(err)) return err;
  return err.kind === 'malformed' ? badRequest(err.message) : unprocessable(err.message);
}
