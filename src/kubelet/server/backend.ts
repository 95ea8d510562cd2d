// The seam between the kubelet's HTTPS server (logs, exec, attach, port-forward) and the pod
// workers that know which engine container and network namespace belong to a pod. The server
// asks the backend; the backend answers from the pod workers' state (or a test fixture).

/** An engine container resolved from namespace/pod/container. */
export interface ResolvedContainer {
  /** The engine's container id (what `engine.containers.*` take). */
  containerId: string;
  podUid: string;
  /** The container is running now (exec and attach need this; logs do not). */
  running: boolean;
  /** The container was created with a terminal (`tty: true`): attach then relays one stream. */
  tty: boolean;
  /** The container keeps its stdin open (`stdin: true`): attach may write to it. */
  stdin: boolean;
}

export interface PodStreamBackend {
  /**
   * The container of namespace/pod: by name, or the pod's only/first app container when
   * `container` is undefined; with `previous`, the last terminated attempt. Throws
   * PodNotFoundError, ContainerNotFoundError or ContainerNotAvailableError with the kubelet's
   * wording (pkg/kubelet/kubelet_pods.go validateContainerLogStatus), e.g.
   * `container "web" in pod "p" is waiting to start: ContainerCreating` or
   * `previous terminated container "web" in pod "p" not found`.
   */
  resolveContainer(namespace: string, pod: string, container: string | undefined, opts?: { previous?: boolean }): Promise<ResolvedContainer>;
  /** The pod sandbox's network namespace file (e.g. the engine's pinned netns path), for port-forward. */
  podNetns(namespace: string, pod: string): Promise<string>;
}

/** The pod is not on this node (answered 404). */
export class PodNotFoundError extends Error {
  readonly code = 'PodNotFound';
  constructor(namespace: string, pod: string, options?: ErrorOptions) {
    super(`pod "${pod}" not found in namespace "${namespace}"`, options);
    this.name = 'PodNotFoundError';
  }
}

/** The pod has no container of that name (answered 404, as the kubelet's "container not found"). */
export class ContainerNotFoundError extends Error {
  readonly code = 'ContainerNotFound';
  constructor(pod: string, container: string, options?: ErrorOptions) {
    super(`container "${container}" in pod "${pod}" not found`, options);
    this.name = 'ContainerNotFoundError';
  }
}

/**
 * The container exists in the spec but has no engine container to serve from: waiting to start,
 * no previous attempt, or (for exec/attach) not running. The message is shown to the user as is
 * (answered 400 BadRequest, as the kubelet does).
 */
export class ContainerNotAvailableError extends Error {
  readonly code = 'ContainerNotAvailable';
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ContainerNotAvailableError';
  }
}

export function isPodNotFound(err: unknown): err is PodNotFoundError {
  return err instanceof Error && (err as { code?: unknown }).code === 'PodNotFound';
}

export function isContainerNotFound(err: unknown): err is ContainerNotFoundError {
  return err instanceof Error && (err as { code?: unknown }).code === 'ContainerNotFound';
}

export function isContainerNotAvailable(err: unknown): err is ContainerNotAvailableError {
  return err instanceof Error && (err as { code?: unknown }).code === 'ContainerNotAvailable';
}
