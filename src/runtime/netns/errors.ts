// Errors of namespace pinning, each with a stable `code`; callers test with the predicates below.

/** An id that cannot name a file under the run directory. */
export class InvalidNamespaceId extends Error {
  readonly code = 'INVALID_NAMESPACE_ID';
  constructor(id: string, options?: ErrorOptions) {
    super(`invalid namespace id "${id}": must match [A-Za-z0-9][A-Za-z0-9_.-]{0,127}`, options);
    this.name = 'InvalidNamespaceId';
  }
}

/** Namespaces for this id are already pinned (or a half-created file is in the way). */
export class NamespaceAlreadyPinned extends Error {
  readonly code = 'NAMESPACE_ALREADY_PINNED';
  readonly path: string;
  constructor(path: string, options?: ErrorOptions) {
    super(`Cannot pin namespace "${path}": file already exists`, options);
    this.name = 'NamespaceAlreadyPinned';
    this.path = path;
  }
}

/** `unshare` or `umount` failed. */
export class NamespacePinFailed extends Error {
  readonly code = 'NAMESPACE_PIN_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NamespacePinFailed';
  }
}

export function isInvalidNamespaceId(err: unknown): err is InvalidNamespaceId {
  return err instanceof InvalidNamespaceId;
}
export function isNamespaceAlreadyPinned(err: unknown): err is NamespaceAlreadyPinned {
  return err instanceof NamespaceAlreadyPinned;
}
export function isNamespacePinFailed(err: unknown): err is NamespacePinFailed {
  return err instanceof NamespacePinFailed;
}

/** A packet-filter or routing tool (nft, conntrack, ip) refused a change. */
export class HostCommandFailed extends Error {
  readonly code = 'HOST_COMMAND_FAILED';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'HostCommandFailed';
  }
}

export function isHostCommandFailed(err: unknown): err is HostCommandFailed {
  return err instanceof HostCommandFailed;
}
