// The scheduling queue (pkg/scheduler/backend/queue/scheduling_queue.go, in spirit): an active
// queue ordered by priority then arrival, a backoff queue for pods that failed recently, and a
// pool of unschedulable pods that cluster events move back when they might now fit.
import type { Pod } from '../../api/types/core-v1.ts';
import type { ClusterEvent } from '../framework/types.ts';
import { Heap } from './heap.ts';

export interface QueuedPodInfo {
  pod: Pod;
  key: string;
  /** When the pod last entered the queue (ordering, backoff start). */
  timestamp: number;
  /** When the pod first entered the queue. */
  initialAttemptTimestamp: number;
  attempts: number;
  /** Plugins that rejected the pod in its last attempt; empty after an error. */
  unschedulablePlugins: Set<string>;
}

export interface SchedulingQueueOptions {
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** How long a pod may sit in the unschedulable pool before it is retried anyway (5 min upstream). */
  maxInUnschedulableMs?: number;
  /** Whether a plugin cares about an event (the plugins' EventsToRegister). */
  interested?: (plugin: string, event: ClusterEvent) => boolean;
  now?: () => number;
}

export function podKey(pod: Pod): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
}

const priority = (p: QueuedPodInfo): number => p.pod.spec?.priority ?? 0;

export class SchedulingQueue {
  readonly #active = new Heap<QueuedPodInfo>((p) => p.key, (a, b) => {
    const pa = priority(a);
    const pb = priority(b);
    return pa !== pb ? pa > pb : a.timestamp < b.timestamp;
  });
  readonly #backoff = new Heap<QueuedPodInfo>((p) => p.key, (a, b) => this.#backoffExpiry(a) < this.#backoffExpiry(b));
  readonly #unschedulable = new Map<string, QueuedPodInfo>();
  /** Popped and not yet done: a new version of the pod must not be queued twice meanwhile. */
  readonly #inFlight = new Set<string>();
  readonly #initialBackoff: number;
  readonly #maxBackoff: number;
  readonly #maxInUnschedulable: number;
  readonly #interested: (plugin: string, event: ClusterEvent) => boolean;
  readonly #now: () => number;
  #waiters: Array<() => void> = [];
  #closed = false;
  schedulingCycle = 0;

  constructor(opts: SchedulingQueueOptions = {}) {
    this.#initialBackoff = opts.initialBackoffMs ?? 1000;
    this.#maxBackoff = opts.maxBackoffMs ?? 10_000;
    this.#maxInUnschedulable = opts.maxInUnschedulableMs ?? 5 * 60_000;
    this.#interested = opts.interested ?? (() => true);
    this.#now = opts.now ?? Date.now;
  }

  get activeCount(): number { return this.#active.size; }
  get backoffCount(): number { return this.#backoff.size; }
  get unschedulableCount(): number { return this.#unschedulable.size; }

  has(key: string): boolean {
    return this.#active.has(key) || this.#backoff.has(key) || this.#unschedulable.has(key);
  }

  /** Backoff doubles per attempt from the initial value to the cap. */
  backoffDuration(attempts: number): number {
    let d = this.#initialBackoff;
    for (let i = 1; i < attempts; i++) {
      d *= 2;
      if (d >= this.#maxBackoff) return this.#maxBackoff;
    }
    return Math.min(d, this.#maxBackoff);
  }

  #backoffExpiry(p: QueuedPodInfo): number {
    return p.timestamp + this.backoffDuration(p.attempts);
  }

  #isBackingOff(p: QueuedPodInfo): boolean {
    return p.attempts > 0 && this.#backoffExpiry(p) > this.#now();
  }

  /** A new pending pod. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.#inFlight.has(key)) return;
    this.#unschedulable.delete(key);
    this.#backoff.delete(key);
    const now = this.#now();
    const existing = this.#active.get(key);
    this.#active.addOrUpdate(existing ? { ...existing, pod } : { pod, key, timestamp: now, initialAttemptTimestamp: now, attempts: 0, unschedulablePlugins: new Set() });
    this.#wake();
  }

  /**
   * A pending pod changed. Queued copies take the new object; an unschedulable pod whose spec,
   * labels or annotations changed may fit now and is retried (isPodUpdated).
   */
  update(oldPod: Pod, pod: Pod): void {
    const key = podKey(pod);
    for (const h of [this.#active, this.#backoff]) {
      const p = h.get(key);
      if (p) {
        h.addOrUpdate({ ...p, pod });
        return;
      }
    }
    const u = this.#unschedulable.get(key);
    if (u) {
      if (!meaningfullyUpdated(oldPod, pod)) {
        u.pod = pod;
        return;
      }
      this.#unschedulable.delete(key);
      const next = { ...u, pod };
      if (this.#isBackingOff(next)) this.#backoff.addOrUpdate(next);
      else {
        this.#active.addOrUpdate(next);
        this.#wake();
      }
      return;
    }
    if (!this.#inFlight.has(key)) this.add(pod);
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    this.#active.delete(key);
    this.#backoff.delete(key);
    this.#unschedulable.delete(key);
  }

  /** The next pod to schedule, waiting for one; undefined once closed. */
  async pop(): Promise<QueuedPodInfo | undefined> {
    while (this.#active.size === 0) {
      if (this.#closed) return undefined;
      await new Promise<void>((resolve) => this.#waiters.push(resolve));
    }
    if (this.#closed) return undefined;
    const p = this.#active.pop()!;
    p.attempts += 1;
    this.schedulingCycle += 1;
    this.#inFlight.add(p.key);
    return p;
  }

  /** The scheduling attempt for this pod is over (bound, requeued or dropped). */
  done(key: string): void {
    this.#inFlight.delete(key);
  }

  /** After a failed attempt: into the pool to wait for an event, rejected by `plugins`. */
  addUnschedulable(p: QueuedPodInfo, plugins: Iterable<string>): void {
    this.#inFlight.delete(p.key);
    if (this.has(p.key)) return;
    p.timestamp = this.#now();
    p.unschedulablePlugins = new Set(plugins);
    this.#unschedulable.set(p.key, p);
  }

  /** After an error (not a verdict of the filters): retry after backoff. */
  addBackoff(p: QueuedPodInfo): void {
    this.#inFlight.delete(p.key);
    if (this.has(p.key)) return;
    p.timestamp = this.#now();
    p.unschedulablePlugins = new Set();
    this.#backoff.addOrUpdate(p);
  }

  /** A cluster event: retry the unschedulable pods a plugin that rejected them cares about. */
  moveAllToActiveOrBackoff(event: ClusterEvent, preCheck?: (p: QueuedPodInfo) => boolean): number {
    let moved = 0;
    for (const [key, p] of this.#unschedulable) {
      if (p.unschedulablePlugins.size > 0 && !this.#anyInterested(p.unschedulablePlugins, event)) continue;
      if (preCheck && !preCheck(p)) continue;
      this.#unschedulable.delete(key);
      if (this.#isBackingOff(p)) this.#backoff.addOrUpdate(p);
      else this.#active.addOrUpdate(p);
      moved++;
    }
    if (moved) this.#wake();
    return moved;
  }

  #anyInterested(plugins: ReadonlySet<string>, event: ClusterEvent): boolean {
    for (const pl of plugins) if (this.#interested(pl, event)) return true;
    return false;
  }

  /** Pods whose backoff ended go to the active queue (flushBackoffQCompleted, every second). */
  flushBackoffCompleted(): void {
    let moved = false;
    const now = this.#now();
    for (let p = this.#backoff.peek(); p && this.#backoffExpiry(p) <= now; p = this.#backoff.peek()) {
      this.#backoff.pop();
      this.#active.addOrUpdate(p);
      moved = true;
    }
    if (moved) this.#wake();
  }

  /** Pods unschedulable for too long are retried anyway (flushUnschedulablePodsLeftover). */
  flushUnschedulableLeftover(): void {
    const now = this.#now();
    let moved = false;
    for (const [key, p] of this.#unschedulable) {
      if (now - p.timestamp < this.#maxInUnschedulable) continue;
      this.#unschedulable.delete(key);
      if (this.#isBackingOff(p)) this.#backoff.addOrUpdate(p);
      else {
        this.#active.addOrUpdate(p);
        moved = true;
      }
    }
    if (moved) this.#wake();
  }

  /** Run the periodic flushes until the signal aborts, then close. */
  async run(signal: AbortSignal): Promise<void> {
    if (signal.aborted) {
      this.close();
      return;
    }
    const backoffTimer = setInterval(() => this.flushBackoffCompleted(), 1000);
    const leftoverTimer = setInterval(() => this.flushUnschedulableLeftover(), 30_000);
    await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
    clearInterval(backoffTimer);
    clearInterval(leftoverTimer);
    this.close();
  }

  close(): void {
    this.#closed = true;
    this.#wake();
  }

  #wake(): void {
    const w = this.#waiters;
    this.#waiters = [];
    for (const f of w) f();
  }
}

/** Did anything the scheduler reads change (not status, resourceVersion or managedFields)? */
function meaningfullyUpdated(a: Pod, b: Pod): boolean {
  return JSON.stringify([a.spec, a.metadata.labels, a.metadata.annotations]) !== JSON.stringify([b.spec, b.metadata.labels, b.metadata.annotations]);
}
