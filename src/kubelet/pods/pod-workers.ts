// The pods bound to this node and one serial worker per pod (pkg/kubelet/pod_workers.go): an
// informer on pods with spec.nodeName=NODE feeds a work queue keyed by pod UID, so one pod is never
// synced twice at once while different pods sync in parallel. A relist loop (the PLEG,
// pkg/kubelet/pleg/generic.go) notices containers that changed state and syncs their pods; timed
// retries (backoff) re-queue a pod when due. At start, containers found by their labels are
// adopted: nothing already running is started again (D4).
import type { Logger } from 'pino';
import { RESOURCES } from '../../api/scheme.ts';
import type { Pod } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { Informer } from '../../client/informer.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import type { Engine } from '../../runtime/engine.ts';
import { sleepOrAbort } from '../util/sleep.ts';
import { POD_UID_LABEL } from './labels.ts';
import type { PodSyncer } from './pod-sync.ts';
import { newPodState, podKey } from './pod-state.ts';
import type { PodState } from './pod-state.ts';

export interface PodWorkersOptions {
  clientset: Clientset;
  engine: Engine;
  syncer: PodSyncer;
  nodeName: string;
  log: Logger;
  workers?: number;
  /** How often container states are compared (ms). */
  relistIntervalMs?: number;
  /** Every pod is synced at least this often (ms). */
  resyncIntervalMs?: number;
}

export class PodWorkers {
  readonly #o: PodWorkersOptions;
  readonly #states = new Map<string, PodState>();
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 200, maxDelayMs: 30_000 });
  /** Adopted engine containers by pod uid, before the pod is seen. */
  readonly #adopted = new Map<string, Set<string>>();
  readonly #lastSeen = new Map<string, string>();
  #informer: Informer<Pod> | undefined;

  constructor(options: PodWorkersOptions) {
    this.#o = options;
  }

  /** The pods this node runs, by uid (for the streaming backend). */
  get states(): ReadonlyMap<string, PodState> {
    return this.#states;
  }

  /** Syncs the pod soon (a probe result flipped, a volume changed, the eviction manager failed it). */
  enqueue(uid: string): void {
    if (this.#states.has(uid)) this.#queue.add(uid);
  }

  findPod(namespace: string, name: string): PodState | undefined {
    for (const st of this.#states.values()) {
      if (st.pod.metadata.namespace === namespace && st.pod.metadata.name === name && !st.removedFromApi) return st;
    }
    return undefined;
  }

  async run(signal: AbortSignal): Promise<void> {
    const log = this.#o.log;
    // Adopt: every container the engine still has, by pod uid.
    for (const c of await this.#o.engine.containers.list()) {
      const uid = c.labels[POD_UID_LABEL];
      if (!uid) continue;
      const set = this.#adopted.get(uid) ?? new Set<string>();
      set.add(c.id);
      this.#adopted.set(uid, set);
      this.#lastSeen.set(c.id, c.status);
    }
    const info = RESOURCES.find((r) => r.group === '' && r.resource === 'pods')!;
    const informer = this.#o.clientset.informer<Pod>(info, { fieldSelector: `spec.nodeName=${this.#o.nodeName}` });
    this.#informer = informer;
    informer.addHandlers({
      add: (p) => this.#upsert(p),
      update: (_o, p) => this.#upsert(p),
      delete: (p) => {
        const st = this.#states.get(p.metadata.uid!);
        if (!st) return;
        st.removedFromApi = true;
        this.#queue.add(st.uid);
      },
    });
    this.#o.clientset.start(signal);
    await informer.waitForSync(signal);
    if (signal.aborted) return;
    await this.#removeOrphans();
    log.info({ pods: this.#states.size, adopted: [...this.#adopted.values()].reduce((n, s) => n + s.size, 0) }, 'pod workers started');
    const workers = this.#runWorkers(signal);
    await Promise.all([workers, this.#relist(signal), this.#resync(signal)]);
  }

  #upsert(pod: Pod): void {
    const uid = pod.metadata.uid;
    if (!uid || !pod.spec) return;
    let st = this.#states.get(uid);
    if (!st) {
      st = newPodState(pod);
      const adopted = this.#adopted.get(uid);
      if (adopted) {
        for (const id of adopted) st.containerIds.add(id);
        this.#adopted.delete(uid);
      }
      this.#states.set(uid, st);
    } else {
      const changed = syncRelevant(st.pod) !== syncRelevant(pod);
      st.pod = pod;
      // A change of status only (our own writes, mostly) is no reason to sync again, as upstream's
      // pod config does not pass it on: re-syncing at once would, e.g., replace ErrImagePull with
      // ImagePullBackOff before anyone could see it.
      if (!changed) return;
    }
    this.#queue.add(uid);
  }

  /** Sandboxes of pods the API no longer has (deleted while the agent was down). */
  async #removeOrphans(): Promise<void> {
    for (const sb of await this.#o.engine.sandboxes.list()) {
      const uid = sb.labels[POD_UID_LABEL];
      if (!uid || this.#states.has(uid)) continue;
      this.#o.log.info({ sandbox: sb.id, pod: `${sb.labels['io.kubernetes.pod.namespace']}/${sb.labels['io.kubernetes.pod.name']}` }, 'removing the sandbox of a pod that no longer exists');
      await this.#o.engine.sandboxes.removeSandbox(sb.id, { graceSeconds: 2 }).catch((err: unknown) => this.#o.log.warn({ err: (err as Error).message }, 'orphan sandbox removal failed'));
    }
    for (const [uid, ids] of this.#adopted) {
      if (this.#states.has(uid)) continue;
      for (const id of ids) {
        await this.#o.engine.containers.stop(id, 0).catch(() => undefined);
        await this.#o.engine.containers.remove(id).catch(() => undefined);
      }
      this.#adopted.delete(uid);
    }
  }

  async #runWorkers(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.#queue.shutDown(), { once: true });
    const worker = async (): Promise<void> => {
      for (;;) {
        const uid = await this.#queue.get();
        if (uid === undefined) return;
        const st = this.#states.get(uid);
        try {
          if (st) await this.#syncOne(st);
          this.#queue.forget(uid);
        } catch (err) {
          if (!signal.aborted) {
            this.#o.log.warn({ err: (err as Error).message, pod: st ? podKey(st.pod) : uid }, 'pod sync failed; retrying');
            this.#queue.addRateLimited(uid);
          }
        } finally {
          this.#queue.done(uid);
        }
      }
    };
    await Promise.all(Array.from({ length: this.#o.workers ?? 16 }, worker));
  }

  async #syncOne(st: PodState): Promise<void> {
    if (st.terminating && st.containerIds.size === 0 && !this.#informer?.get(podKey(st.pod))) {
      this.#forget(st.uid);
      return;
    }
    if (st.removedFromApi || st.pod.metadata.deletionTimestamp) {
      await this.#o.syncer.terminate(st);
      // Keep the state while the API still shows the pod, so a late event does not recreate it.
      if (st.removedFromApi) this.#forget(st.uid);
      return;
    }
    await this.#o.syncer.sync(st);
    // What the sync itself changed is no news for the relist: a sandbox it just made must not
    // trigger a second sync at once (which would, e.g., turn ErrImagePull into ImagePullBackOff).
    this.#lastSeen.set(`sandbox:${st.uid}`, await this.#o.engine.sandboxes.status(st.uid).then((s) => s.state, () => 'gone'));
    for (const id of st.containerIds) {
      const s = await this.#o.engine.containers.state(id).catch(() => undefined);
      // Only what the sync made (created, running) is no news: a container that has already
      // stopped (`sh -c 'exit 1'` can, before this read) must still reach the relist as a change,
      // or its pod would wait for the periodic resync to be seen exited (and never back off).
      if (s && s.status !== 'stopped') this.#lastSeen.set(id, s.status);
    }
    if (st.nextSyncAt !== undefined) this.#queue.addAfter(st.uid, Math.max(0, st.nextSyncAt - Date.now()));
  }

  #forget(uid: string): void {
    this.#states.delete(uid);
    this.#lastSeen.delete(`sandbox:${uid}`);
  }

  /** Compares every tracked container's state with the last one seen; changed → sync its pod. */
  async #relist(signal: AbortSignal): Promise<void> {
    while (await sleepOrAbort(this.#o.relistIntervalMs ?? 1000, signal)) {
      for (const st of this.#states.values()) {
        const sandbox = `sandbox:${st.uid}`;
        const ready = st.terminating || st.terminalPhase ? 'skip' : await this.#o.engine.sandboxes.status(st.uid).then((s) => s.state, () => 'gone');
        if (ready !== 'skip' && this.#lastSeen.has(sandbox) && this.#lastSeen.get(sandbox) !== ready) this.#queue.add(st.uid);
        this.#lastSeen.set(sandbox, ready);
        for (const id of st.containerIds) {
          const s = await this.#o.engine.containers.state(id).catch(() => undefined);
          const now = s?.status ?? 'gone';
          if (this.#lastSeen.get(id) !== now) {
            this.#lastSeen.set(id, now);
            this.#queue.add(st.uid);
          }
        }
      }
    }
  }

  async #resync(signal: AbortSignal): Promise<void> {
    while (await sleepOrAbort(this.#o.resyncIntervalMs ?? 10_000, signal)) {
      for (const uid of this.#states.keys()) this.#queue.add(uid);
    }
  }
}

/** What a sync depends on (pkg/kubelet/config: spec, labels, annotations, deletion). */
function syncRelevant(pod: Pod): string {
  const m = pod.metadata;
  return JSON.stringify([pod.spec, m.labels, m.annotations, m.deletionTimestamp, m.deletionGracePeriodSeconds]);
}
