// A pod's runtimeClassName → the RuntimeClass's handler → the OCI runtime the engine runs the
// pod under (pkg/kubelet/runtimeclass/runtimeclass_manager.go LookupRuntimeHandler, and the CRI
// runtime's own check that it has a runtime for the handler). Read when a sandbox is made, the only
// time upstream reads it too; a GET then keeps the node agent free of one more watch.
import type { Pod } from '../../api/types/core-v1.ts';
import type { RuntimeClass } from '../../api/types/node-v1.ts';
import type { Clientset } from '../../client/clientset.ts';

/** The CRI runtime has no runtime for the handler (containerd's words, as the kubelet's event shows them). */
export class UnknownRuntimeHandler extends Error {
  readonly code = 'UnknownRuntimeHandler';
  readonly handler: string;

  constructor(handler: string) {
    super(`rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "${handler}" is configured`);
    this.handler = handler;
  }
}

export function isUnknownRuntimeHandler(err: unknown): err is UnknownRuntimeHandler {
  return (err as { code?: unknown } | null)?.code === 'UnknownRuntimeHandler';
}

export interface RuntimeClassManagerOptions {
  clientset: Clientset;
  /** Handlers this node offers (src/runtime/runtime-handlers.ts availableRuntimeHandlers). */
  handlers: readonly string[];
}

export class RuntimeClassManager {
  readonly #o: RuntimeClassManagerOptions;

  constructor(options: RuntimeClassManagerOptions) {
    this.#o = options;
  }

  get handlers(): readonly string[] {
    return this.#o.handlers;
  }

  /**
   * The handler a pod runs under: undefined for the node's default runtime (no runtimeClassName).
   * A RuntimeClass that does not exist fails with the API's NotFound (`runtimeclasses.node.k8s.io
   * "x" not found`), a handler the node lacks with UnknownRuntimeHandler.
   */
  async handlerFor(pod: Pod): Promise<string | undefined> {
    const name = pod.spec?.runtimeClassName;
    if (!name) return undefined;
    const rc = await this.#o.clientset.resource<RuntimeClass>('node.k8s.io/v1', 'runtimeclasses').get(undefined, name);
    if (!this.#o.handlers.includes(rc.handler)) throw new UnknownRuntimeHandler(rc.handler);
    return rc.handler;
  }
}
