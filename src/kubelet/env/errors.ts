// Errors of container environment resolution. Their messages are the ones kubelet produces in
// pkg/kubelet/kubelet_pods.go (makeEnvironmentVariables) and pkg/kubelet/configmap|secret managers,
// so the node agent can put them verbatim into a CreateContainerConfigError waiting state.

/** The container's configuration cannot be built (kubelet reports CreateContainerConfigError). */
export class ContainerConfigError extends Error {
  readonly code = 'CONTAINER_CONFIG';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ContainerConfigError';
  }
}

/** A referenced ConfigMap or Secret does not exist: `configmap "x" not found`, `secret "x" not found`. */
export class SourceNotFoundError extends ContainerConfigError {
  readonly kind: 'configmap' | 'secret';
  readonly objectName: string;
  constructor(kind: 'configmap' | 'secret', name: string, options?: ErrorOptions) {
    super(`${kind} "${name}" not found`, options);
    this.name = 'SourceNotFoundError';
    this.kind = kind;
    this.objectName = name;
  }
}

/** A `fieldRef` / `resourceFieldRef` that cannot be resolved (unsupported path or resource). */
export class FieldPathError extends ContainerConfigError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FieldPathError';
  }
}

export const isContainerConfigError = (err: unknown): err is ContainerConfigError => err instanceof ContainerConfigError;
export const isSourceNotFound = (err: unknown): err is SourceNotFoundError => err instanceof SourceNotFoundError;
