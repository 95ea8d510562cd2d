// Errors of pulling from a registry. Digest mismatches reuse the store's DigestMismatch (the
// same failure, whichever side notices it); callers test with the predicates below.

/** The registry answered with an error status, or could not be reached after retries. */
export class RegistryError extends Error {
  readonly code = 'REGISTRY_ERROR';
  /** HTTP status, when the registry answered at all. */
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegistryError';
    this.status = status;
  }
}

/** The registry refused the credentials (or their absence). */
export class RegistryUnauthorized extends Error {
  readonly code = 'REGISTRY_UNAUTHORIZED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RegistryUnauthorized';
  }
}

/** The registry has no such repository, tag or digest. */
export class RemoteImageNotFound extends Error {
  readonly code = 'REMOTE_IMAGE_NOT_FOUND';
  readonly ref: string;
  constructor(ref: string, detail: string, options?: ErrorOptions) {
    super(`image "${ref}" not found in its registry${detail === '' ? '' : ` (${detail})`}`, options);
    this.name = 'RemoteImageNotFound';
    this.ref = ref;
  }
}

/** A URL would be fetched over plain HTTP from a host that is not loopback. */
export class InsecureRegistry extends Error {
  readonly code = 'INSECURE_REGISTRY';
  constructor(url: string, options?: ErrorOptions) {
    super(`refusing plain HTTP to ${url}: only loopback registries (127.0.0.0/8, localhost, [::1]) may use http`, options);
    this.name = 'InsecureRegistry';
  }
}

export function isRegistryError(err: unknown): err is RegistryError {
  return err instanceof RegistryError;
}
export function isRegistryUnauthorized(err: unknown): err is RegistryUnauthorized {
  return err instanceof RegistryUnauthorized;
}
export function isRemoteImageNotFound(err: unknown): err is RemoteImageNotFound {
  return err instanceof RemoteImageNotFound;
}
export function isInsecureRegistry(err: unknown): err is InsecureRegistry {
  return err instanceof InsecureRegistry;
}

/** An index (manifest list) offers no image for the wanted platform. */
export class NoMatchingPlatform extends Error {
  readonly code = 'NO_MATCHING_PLATFORM';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NoMatchingPlatform';
  }
}

export function isNoMatchingPlatform(err: unknown): err is NoMatchingPlatform {
  return err instanceof NoMatchingPlatform;
}
