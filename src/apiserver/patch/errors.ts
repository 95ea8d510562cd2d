// Errors raised while decoding or applying a patch. The API server turns them into a Status:
// 'malformed' (the patch document itself is wrong) → 400 BadRequest, 'apply' (a well-formed
// patch that cannot be applied to this object) → 422 Invalid. See ./status.ts.

export type PatchErrorKind = 'malformed' | 'apply';

export class PatchError extends Error {
  readonly kind: PatchErrorKind;
  readonly code: 'ERR_PATCH_MALFORMED' | 'ERR_PATCH_APPLY';
  constructor(kind: PatchErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PatchError';
    this.kind = kind;
    this.code = kind === 'malformed' ? 'ERR_PATCH_MALFORMED' : 'ERR_PATCH_APPLY';
  }
}

export function malformed(message: string): PatchError {
  return new PatchError('malformed', message);
}

export function cannotApply(message: string): PatchError {
  return new PatchError('apply', message);
}

export function isPatchError(err: unknown): err is PatchError {
  return err instanceof PatchError;
}
