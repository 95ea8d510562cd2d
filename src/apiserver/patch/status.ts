// Patch failures as Kubernetes Status errors, the way apiserver/pkg/endpoints/handlers/patch.go
// reports them.
import { badRequest, invalid, newStatus, StatusError } from '../../api/errors.ts';
import { isPatchError } from './errors.ts';
import { shortJson, typeName } from './json-value.ts';

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
  return invalid('', '', '', [{ type: 'FieldValueInvalid', field: 'patch', badValue: shortJson(patched), detail: `cannot decode ${typeName(patched)} into an object` }]);
}

/**
 * A patched object whose metadata is missing or not an object (`metadata: 5`, `metadata: null`):
 * upstream fails to decode it into ObjectMeta and answers NewInvalid with field "patch".
 */
export function badMetadata(metadata: unknown): StatusError {
  const detail = metadata === undefined ? 'metadata: Required value: the patch removes the object\'s metadata' : `cannot decode ${typeName(metadata)} into metadata of type ObjectMeta`;
  return invalid('', '', '', [{ type: 'FieldValueInvalid', field: 'patch', badValue: shortJson(metadata ?? null), detail }]);
}

/** Translate a PatchError into a Status error; anything else is rethrown as it is. */
export function toStatusError(err: unknown): unknown {
  if (!isPatchError(err)) return err;
  return err.kind === 'malformed' ? badRequest(err.message) : unprocessable(err.message);
}
