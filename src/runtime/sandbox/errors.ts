// Errors of the pod sandbox layer, each with a stable `code`; callers test with the predicates.

export class SandboxNotFound extends Error {
  readonly code = 'SANDBOX_NOT_FOUND';
  readonly id: string;
  constructor(id: string, options?: ErrorOptions) {
    super(`sandbox "${id}" not found`, options);
    this.name = 'SandboxNotFound';
    this.id = id;
  }
}

export class SandboxAlreadyExists extends Error {
  readonly code = 'SANDBOX_ALREADY_EXISTS';
  constructor(id: string, options?: ErrorOptions) {
    super(`sandbox "${id}" already exists`, options);
    this.name = 'SandboxAlreadyExists';
  }
}

/** The request does not fit the sandbox (bad id, a container for a sandbox that is not ready). */
export class InvalidSandbox extends Error {
  readonly code = 'INVALID_SANDBOX';
  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'InvalidSandbox';
  }
}

export const isSandboxNotFound = (err: unknown): err is SandboxNotFound =>
  (err as { code?: unknown } | null)?.code === 'SANDBOX_NOT_FOUND';
export const isSandboxAlreadyExists = (err: unknown): err is SandboxAlreadyExists =>
  (err as { code?: unknown } | null)?.code === 'SANDBOX_ALREADY_EXISTS';
export const isInvalidSandbox = (err: unknown): err is InvalidSandbox =>
  (err as { code?: unknown } | null)?.code === 'INVALID_SANDBOX';
