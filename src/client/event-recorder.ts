// Events as upstream's recorder writes them (client-go tools/record/event.go and events_cache.go),
// for the node agent and controllers: source component and host set, and a repeat of the same event (same object,
// reason, message, type) increments `count` and `lastTimestamp` on the first one instead of
// creating another. Writing happens in the background, in order; a failure is logged, never thrown.
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { isNotFound } from '../api/errors.ts';
import type { CoreEvent, ObjectReference, Pod } from '../api/types/core-v1.ts';
import type { Clientset } from './clientset.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventRecorderOptions {
  clientset: Clientset;
  component: string;
  host: string;
  log: Logger;
}

interface Pending {
  ref: ObjectReference;
  type: EventType;
  reason: string;
  message: string;
  at: string;
}

const MAX_CACHE = 4096;

export class EventRecorder {
  readonly #o: EventRecorderOptions;
  readonly #queue: Pending[] = [];
  /** aggregation key → the event written for it */
  readonly #cache = new Map<string, { namespace: string; name: string; count: number }>();
  #wake: (() => void) | undefined;
  #drained: Array<() => void> = [];
  #stopped = false;

  constructor(options: EventRecorderOptions) {
    this.#o = options;
  }

  /** Records an event about a pod (`fieldPath` e.g. `spec.containers{web}`). */
  pod(pod: Pod, type: EventType, reason: string, message: string, fieldPath?: string): void {
    this.record({
      kind: 'Pod',
      apiVersion: 'v1',
      namespace: pod.metadata.namespace ?? 'default',
      name: pod.metadata.name ?? '',
      ...(pod.metadata.uid ? { uid: pod.metadata.uid } : {}),
      ...(fieldPath ? { fieldPath } : {}),
    }, type, reason, message);
  }

  record(ref: ObjectReference, type: EventType, reason: string, message: string): void {
    this.#queue.push({ ref, type, reason, message, at: new Date().toISOString().replace(/\.\d+Z$/, 'Z') });
    this.#wake?.();
  }

  /** Resolves once everything recorded so far is written (tests, shutdown). */
  async flush(): Promise<void> {
    if (this.#queue.length === 0 || this.#stopped) return;
    await new Promise<void>((r) => this.#drained.push(r));
  }

  async run(signal: AbortSignal): Promise<void> {
    signal.addEventListener('abort', () => this.#wake?.(), { once: true });
    for (;;) {
      while (this.#queue.length > 0) {
        const e = this.#queue[0]!;
        try {
          await this.#write(e);
        } catch (err) {
          this.#o.log.debug({ err: (err as Error).message, reason: e.reason }, 'event not written');
        }
        this.#queue.shift();
      }
      for (const d of this.#drained.splice(0)) d();
      if (signal.aborted) {
        this.#stopped = true;
        return;
      }
      await new Promise<void>((resolve) => { this.#wake = resolve; });
      this.#wake = undefined;
    }
  }

  async #write(e: Pending): Promise<void> {
    const events = this.#o.clientset.resource<CoreEvent>('v1', 'events');
    const namespace = e.ref.namespace ?? 'default';
    const key = JSON.stringify([e.ref.uid ?? e.ref.name, e.ref.fieldPath ?? '', e.type, e.reason, e.message]);
    const seen = this.#cache.get(key);
    if (seen) {
      try {
        await events.patch(seen.namespace, seen.name, 'merge', { count: seen.count + 1, lastTimestamp: e.at });
        seen.count += 1;
        return;
      } catch (err) {
        if (!isNotFound(err)) throw err;
        this.#cache.delete(key); // expired (event TTL): start a new one
      }
    }
    const name = `${e.ref.name ?? 'object'}.${(BigInt(Date.now()) * 1_000_000n + BigInt(randomBytes(2).readUInt16BE())).toString(16)}`;
    await events.create(namespace, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace },
      involvedObject: e.ref,
      reason: e.reason,
      message: e.message,
      source: { component: this.#o.component, host: this.#o.host },
      firstTimestamp: e.at,
      lastTimestamp: e.at,
      count: 1,
      type: e.type,
      reportingComponent: this.#o.component,
      reportingInstance: this.#o.host,
    });
    if (this.#cache.size >= MAX_CACHE) this.#cache.delete(this.#cache.keys().next().value!);
    this.#cache.set(key, { namespace, name, count: 1 });
  }
}
