// Errors of the engine facade, each with a stable `code`.

export class NameInUse extends Error {
  readonly code = 'NAME_IN_USE';
  constructor(name: string, options?: ErrorOptions) {
    super(`container name "${name}" is already in use`, options);
    this.name = 'NameInUse';
  }
}

export class InvalidRunRequest extends Error {
  readonly code = 'INVALID_RUN_REQUEST';
  constructor(reason: string, options?: ErrorOptions) {
    super(reason, options);
    this.name = 'InvalidRunRequest';
  }
}

export const isNameInUse = (err: unknown): err is NameInUse => (err as { code?: unknown } | null)?.code === 'NAME_IN_USE';
export const isInvalidRunRequest = (err: unknown): err is InvalidRunRequest =>
  (err as { code?: unknown } | null)?.code === 'INVALID_RUN_REQUEST';
