// Errors of the container layer. One class per failure a caller may want to tell apart, each with a
// stable `code`; callers test with the predicates below rather than instanceof chains.

export class ContainerNotFound extends Error {
  readonly code = 'CONTAINER_NOT_FOUND';
  readonly id: string;
  constructor(id: string, options?: ErrorOptions) {
    super(`container "${id}" not found`, options);
    this.name = 'ContainerNotFound';
    this.id = id;
  }
}

/** The request does not fit the container's current state (start twice, exec in a stopped one). */
export class InvalidContainerState extends Error {
  readonly code = 'INVALID_CONTAINER_STATE';
  constructor(id: string, reason: string, options?: ErrorOptions) {
    super(`container "${id}": ${reason}`, options);
    this.name = 'InvalidContainerState';
  }
}

/** An OCI runtime (crun, runc) or conmon invocation failed. */
export class RuntimeCommandFailed extends Error {
  readonly code = 'RUNTIME_COMMAND_FAILED';
  readonly command: string;
  readonly exitCode: number | null;
  readonly stderr: string;
  constructor(command: string, exitCode: number | null, stderr: string, options?: ErrorOptions) {
    super(`${command} failed (exit ${exitCode ?? 'signal'}): ${stderr.trim() || 'no output'}`, options);
    this.name = 'RuntimeCommandFailed';
    this.command = command;
    this.exitCode = exitCode;
    this.stderr = stderr;
  }
}

/** The container description cannot become a runtime spec. */
export class InvalidContainerSpec extends Error {
  readonly code = 'INVALID_CONTAINER_SPEC';
  constructor(reason: string, options?: ErrorOptions) {
    super(`invalid container spec: ${reason}`, options);
    this.name = 'InvalidContainerSpec';
  }
}

export const isContainerNotFound = (err: unknown): err is ContainerNotFound =>
  (err as { code?: unknown } | null)?.code === 'CONTAINER_NOT_FOUND';
export const isInvalidContainerState = (err: unknown): err is InvalidContainerState =>
  (err as { code?: unknown } | null)?.code === 'INVALID_CONTAINER_STATE';
export const isRuntimeCommandFailed = (err: unknown): err is RuntimeCommandFailed =>
  (err as { code?: unknown } | null)?.code === 'RUNTIME_COMMAND_FAILED';
export const isInvalidContainerSpec = (err: unknown): err is InvalidContainerSpec =>
  (err as { code?: unknown } | null)?.code === 'INVALID_CONTAINER_SPEC';
