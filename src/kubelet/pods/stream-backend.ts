// The streaming server's view of this node's pods (src/kubelet/server/backend.ts): which engine
// container is ns/pod/container (or its previous run, for logs --previous), and the sandbox's
// network namespace for port-forward. Answers from the pod workers' state and the engine.
import type { Container } from '../../api/types/core-v1.ts';
import type { Engine } from '../../runtime/engine.ts';
import { ContainerNotAvailableError, ContainerNotFoundError, PodNotFoundError } from '../server/backend.ts';
import type { PodStreamBackend, ResolvedContainer } from '../server/backend.ts';
import { STDIN_LABEL, TTY_LABEL } from './labels.ts';
import type { PodSyncer } from './pod-sync.ts';
import type { PodWorkers } from './pod-workers.ts';

export class PodStreamResolver implements PodStreamBackend {
  readonly #workers: PodWorkers;
  readonly #syncer: PodSyncer;
  readonly #engine: Engine;

  constructor(workers: PodWorkers, syncer: PodSyncer, engine: Engine) {
    this.#workers = workers;
    this.#syncer = syncer;
    this.#engine = engine;
  }

  async resolveContainer(namespace: string, pod: string, container: string | undefined, opts: { previous?: boolean } = {}): Promise<ResolvedContainer> {
    const st = this.#workers.findPod(namespace, pod);
    if (!st) throw new PodNotFoundError(namespace, pod);
    const spec = st.pod.spec;
    const all: Container[] = [...(spec?.initContainers ?? []), ...(spec?.containers ?? [])];
    const name = container ?? spec?.containers[0]?.name ?? '';
    if (!all.some((c) => c.name === name)) throw new ContainerNotFoundError(pod, name);
    const runs = (await this.#syncer.runs(st)).get(name) ?? [];
    const run = opts.previous ? runs.at(-2) : runs.at(-1);
    if (!run) {
      if (opts.previous) throw new ContainerNotAvailableError(`previous terminated container "${name}" in pod "${pod}" not found`);
      const reason = st.waiting.get(name)?.reason ?? 'ContainerCreating';
      throw new ContainerNotAvailableError(`container "${name}" in pod "${pod}" is waiting to start: ${reason}`);
    }
    const s = run.status;
    return {
      containerId: s.id,
      podUid: st.uid,
      running: s.status === 'running',
      tty: s.labels[TTY_LABEL] === 'true',
      stdin: s.labels[STDIN_LABEL] === 'true',
    };
  }

  async podNetns(namespace: string, pod: string): Promise<string> {
    const st = this.#workers.findPod(namespace, pod);
    if (!st) throw new PodNotFoundError(namespace, pod);
    if (st.pod.spec?.hostNetwork) return '/proc/1/ns/net';
    return this.#engine.pinner.pathFor('net', st.uid);
  }
}
