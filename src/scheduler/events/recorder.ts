// core/v1 Events for the pods the scheduler handles, written in the background so scheduling never
// waits for them. A repeat of the same event (object, type, reason, message) bumps the count of
// the event already written instead of creating another (client-go tools/record
// events_cache.go EventCorrelator, without the similar-message aggregation).
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isNotFound } from '../../api/errors.ts';
import type { CoreEvent, Pod } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { ResourceClient } from '../../client/resource-client.ts';

interface Entry {
  key: string;
  namespace: string;
  event: CoreEvent;
  /** The stored event's name once created. */
  created: boolean;
  /** Changes not yet written. */
  dirty: boolean;
  inFlight: boolean;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

// client-go tools/record: maxLruCacheEntries.
const MAX_ENTRIES = 4096;

export interface EventRecorderOptions {
  component: string;
  /** Concurrent writes. */
  concurrency?: number;
  /**
   * While this says true (the scheduler has binds in flight or pods waiting), events wait (up to a
   * second each): binds are what pods wait for, events are best effort, and both are writes to
   * the same server.
   */
  busy?: () => boolean;
}

export class EventRecorder {
  readonly #events: ResourceClient<CoreEvent>;
  readonly #log: Logger;
  readonly #component: string;
  readonly #instance: string;
  readonly #concurrency: number;
  readonly #busy: () => boolean;
  readonly #entries = new Map<string, Entry>();
  #pending: Entry[] = [];
  #waiters: Array<() => void> = [];
  #seq = 0n;

  constructor(cs: Clientset, log: Logger, opts: EventRecorderOptions) {
    this.#events = cs.resource<CoreEvent>('v1', 'events');
    this.#log = log;
    this.#component = opts.component;
    this.#instance = `${opts.component}-${hostname()}`;
    this.#concurrency = opts.concurrency ?? 4;
    this.#busy = opts.busy ?? (() => false);
  }

  /** Record an event about a pod (never throws, never waits). */
  event(pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string): void {
    const uid = pod.metadata.uid ?? '';
    const namespace = pod.metadata.namespace ?? 'default';
    const key = `${namespace}/${pod.metadata.name ?? ''}/${uid}\0${type}\0${reason}\0${message}`;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    let e = this.#entries.get(key);
    if (e) {
      this.#entries.delete(key);
      this.#entries.set(key, e);
      e.event.count = (e.event.count ?? 1) + 1;
      e.event.lastTimestamp = now;
    } else {
      e = {
        key, namespace, created: false, dirty: false, inFlight: false,
        event: {
          apiVersion: 'v1', kind: 'Event',
          metadata: { name: this.#eventName(pod.metadata.name ?? ''), namespace },
          involvedObject: { kind: 'Pod', namespace, name: pod.metadata.name ?? '', uid, apiVersion: 'v1', ...(pod.metadata.resourceVersion ? { resourceVersion: pod.metadata.resourceVersion } : {}) },
          reason, message, type, count: 1, firstTimestamp: now, lastTimestamp: now, eventTime: null,
          source: { component: this.#component },
          reportingComponent: this.#component, reportingInstance: this.#instance,
        },
      };
      this.#entries.set(key, e);
      if (this.#entries.size > MAX_ENTRIES) {
        const oldest = this.#entries.keys().next().value;
        if (oldest !== undefined) this.#entries.delete(oldest);
      }
    }
    if (!e.dirty) {
      e.dirty = true;
      if (!e.inFlight) this.#enqueue(e);
    }
  }

  /** Events are named OBJECT.<hex nanoseconds>, as upstream names them. */
  #eventName(obj: string): string {
    const ns = BigInt(Date.now()) * 1_000_000n + (this.#seq++ % 1_000_000n);
    return `${obj}.${ns.toString(16)}`;
  }

  #enqueue(e: Entry): void {
    this.#pending.push(e);
    this.#waiters.shift()?.();
  }

  /** Write events until the signal aborts; what is still queued then is dropped. */
  async run(signal: AbortSignal): Promise<void> {
    const worker = async (): Promise<void> => {
      while (!signal.aborted) {
        const e = this.#pending.shift();
        if (!e) {
          await new Promise<void>((resolve) => {
            const done = (): void => { signal.removeEventListener('abort', done); resolve(); };
            this.#waiters.push(done);
            signal.addEventListener('abort', done, { once: true });
          });
          continue;
        }
        // Yield to binds, but never starve: under a steady stream of pods each worker still
        // writes an event a second.
        const until = Date.now() + 1000;
        while (this.#busy() && Date.now() < until && !signal.aborted) await sleep(20, signal);
        await this.#write(e);
      }
    };
    await Promise.all(Array.from({ length: this.#concurrency }, worker));
  }

  /** Nothing queued or being written (for tests and benchmarks). */
  get idle(): boolean {
    return this.#pending.length === 0 && ![...this.#entries.values()].some((e) => e.inFlight);
  }

  async #write(e: Entry): Promise<void> {
    e.inFlight = true;
    e.dirty = false;
    const ev = e.event;
    try {
      if (e.created) {
        try {
          await this.#events.patch(e.namespace, ev.metadata.name!, 'merge', { count: ev.count, lastTimestamp: ev.lastTimestamp });
        } catch (err) {
          // Expired or deleted meanwhile: write it anew.
          if (!isNotFound(err)) throw err;
          ev.metadata = { name: this.#eventName(ev.involvedObject.name ?? ''), namespace: e.namespace };
          await this.#events.create(e.namespace, ev);
        }
      } else {
        await this.#events.create(e.namespace, ev);
        e.created = true;
      }
    } catch (err) {
      this.#log.debug({ err: (err as Error).message, reason: ev.reason }, 'could not write event');
    } finally {
      e.inFlight = false;
      if (e.dirty) this.#enqueue(e);
    }
  }
}
