// The TTL-after-finished controller (pkg/controller/ttlafterfinished): deletes a finished Job
// ttlSecondsAfterFinished after it finished, with foreground propagation so its pods go first.
// Before deleting it reads the Job afresh, so a TTL changed meanwhile is honoured, and the delete
// carries the uid and resourceVersion it checked as preconditions.
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { Job } from '../../api/types/batch-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { Informer } from '../../client/informer.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { needsCleanup, timeLeft } from './ttl.ts';

export interface TTLAfterFinishedOptions {
  /** Concurrent syncs (upstream's --concurrent-ttl-after-finished-syncs, default 5). */
  workers?: number;
  now?: () => number;
}

export class TTLAfterFinishedController implements Controller {
  readonly name = 'ttl-after-finished';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #workers: number;
  readonly #now: () => number;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 5, maxDelayMs: 60_000 });
  readonly #jobClient: ResourceClient<Job>;
  #jobs: Informer<Job> | undefined;

  constructor(cs: Clientset, log: Logger, options: TTLAfterFinishedOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#workers = options.workers ?? 5;
    this.#now = options.now ?? Date.now;
    this.#jobClient = cs.resource<Job>('batch/v1', 'jobs');
  }

  async run(signal: AbortSignal): Promise<void> {
    const jobs = this.#cs.informer<Job>({ group: 'batch', version: 'v1', resource: 'jobs', namespaced: true });
    this.#jobs = jobs;
    const enqueue = (job: Job): void => {
      if (!job.metadata.deletionTimestamp && needsCleanup(job)) this.#queue.add(`${job.metadata.namespace}/${job.metadata.name}`);
    };
    jobs.addHandlers({ add: enqueue, update: (_old, job) => enqueue(job) });
    try {
      await jobs.waitForSync(signal);
    } catch {
      return;
    }
    await runWorkers(this.name, this.#queue, this.#workers, (key) => this.sync(key), this.#log, signal);
  }

  async sync(key: string): Promise<void> {
    const cached = this.#jobs?.get(key);
    if (!cached || cached.metadata.deletionTimestamp || !needsCleanup(cached)) return;
    if (this.#requeueIfLater(key, cached)) return;
    // The cache may be stale: the TTL may have changed, or the Job been recreated.
    let fresh: Job;
    try {
      fresh = await this.#jobClient.get(cached.metadata.namespace, cached.metadata.name ?? '');
    } catch (err) {
      if (isNotFound(err)) return;
      throw err;
    }
    if (fresh.metadata.deletionTimestamp || !needsCleanup(fresh)) return;
    if (this.#requeueIfLater(key, fresh)) return;
    try {
      await this.#jobClient.delete(fresh.metadata.namespace, fresh.metadata.name ?? '', {
        propagationPolicy: 'Foreground',
        preconditions: { ...(fresh.metadata.uid ? { uid: fresh.metadata.uid } : {}), ...(fresh.metadata.resourceVersion ? { resourceVersion: fresh.metadata.resourceVersion } : {}) },
      });
      this.#log.info({ key }, 'deleted finished job past its TTL');
    } catch (err) {
      if (isNotFound(err)) return;
      // Changed since it was read: look again.
      if (isConflict(err)) {
        this.#queue.add(key);
        return;
      }
      throw err;
    }
  }

  #requeueIfLater(key: string, job: Job): boolean {
    const left = timeLeft(job, this.#now());
    if (left === undefined || left <= 0) return false;
    this.#queue.addAfter(key, left);
    return true;
  }
}
