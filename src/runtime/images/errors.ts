// Errors of the image store. One class per failure a caller may want to tell apart, each with a
// stable `code`; callers test with the predicates below rather than instanceof chains.

export class DigestMismatch extends Error {
  readonly code = 'DIGEST_MISMATCH';
  readonly expected: string;
  readonly actual: string;
  constructor(what: string, expected: string, actual: string, options?: ErrorOptions) {
    super(`${what}: digest mismatch: expected ${expected}, got ${actual}`, options);
    this.name = 'DigestMismatch';
    this.expected = expected;
    this.actual = actual;
  }
}

export class ImageNotFound extends Error {
  readonly code = 'IMAGE_NOT_FOUND';
  readonly ref: string;
  constructor(ref: string, options?: ErrorOptions) {
    super(`image "${ref}" not found`, options);
    this.name = 'ImageNotFound';
    this.ref = ref;
  }
}

export class InvalidReference extends Error {
  readonly code = 'INVALID_REFERENCE';
  constructor(ref: string, reason: string, options?: ErrorOptions) {
    super(`invalid image reference "${ref}": ${reason}`, options);
    this.name = 'InvalidReference';
  }
}

/** A layer tar tried to write outside its snapshot, or holds an entry skiff refuses to apply. */
export class UnsafeLayerEntry extends Error {
  readonly code = 'UNSAFE_LAYER_ENTRY';
  readonly entry: string;
  constructor(entry: string, reason: string, options?: ErrorOptions) {
    super(`unsafe layer entry "${entry}": ${reason}`, options);
    this.name = 'UnsafeLayerEntry';
    this.entry = entry;
  }
}

/** Malformed image content: bad JSON, missing blob, truncated archive or layer, unsupported type. */
export class InvalidImage extends Error {
  readonly code = 'INVALID_IMAGE';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'InvalidImage';
  }
}

export function isDigestMismatch(err: unknown): err is DigestMismatch {
  return err instanceof DigestMismatch;
}
export function isImageNotFound(err: unknown): err is ImageNotFound {
  return err instanceof ImageNotFound;
}
export function isInvalidReference(err: unknown): err is InvalidReference {
  return err instanceof InvalidReference;
}
export function isUnsafeLayerEntry(err: unknown): err is UnsafeLayerEntry {
  return err instanceof UnsafeLayerEntry;
}
export function isInvalidImage(err: unknown): err is InvalidImage {
  return err instanceof InvalidImage;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
