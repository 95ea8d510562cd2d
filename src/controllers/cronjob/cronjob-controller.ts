// The CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go): informers on CronJobs
// and Jobs feed a queue of CronJob keys; each sync reconciles one CronJob (cronjob-sync.ts) and
// requeues it for its next scheduled time, so nothing polls. The clock is injectable.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { CronJob, Job } from '../../api/types/batch-v1.ts';
import type { ObjectReference } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { EventRecorder } from '../../client/event-recorder.ts';
import type { Informer } from '../../client/informer.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { WorkQueue } from '../../client/work-queue.ts';
import { runWorkers, type Controller } from '../controller.ts';
import { controllerRefOf } from '../util/controller-ref.ts';
import { NamespaceIndex } from '../util/namespace-index.ts';
import { cleanupFinishedJobs, syncCronJob, type CronJobDeps } from './cronjob-sync.ts';
import { keyOf, objectReference } from '../util/object-keys.ts';

export interface CronJobControllerOptions {
  /** Concurrent syncs (upstream's --concurrent-cron-job-syncs, default 5). */
  workers?: number;
  now?: () => number;
}

export class CronJobController implements Controller {
  readonly name = 'cronjob';
  readonly #cs: Clientset;
  readonly #log: Logger;
  readonly #workers: number;
  readonly #now: () => number;
  readonly #queue = new WorkQueue<string>({ baseDelayMs: 5, maxDelayMs: 1000_000 });
  readonly #recorder: EventRecorder;
  readonly #cjClient: ResourceClient<CronJob>;
  readonly #jobClient: ResourceClient<Job>;
  #cronJobs: Informer<CronJob> | undefined;
  #jobIndex: NamespaceIndex<Job> | undefined;

  constructor(cs: Clientset, log: Logger, options: CronJobControllerOptions = {}) {
    this.#cs = cs;
    this.#log = log.child({ controller: this.name });
    this.#workers = options.workers ?? 5;
    this.#now = options.now ?? Date.now;
    this.#recorder = new EventRecorder({ clientset: cs, component: 'cronjob-controller', host: hostname(), log: this.#log });
    this.#cjClient = cs.resource<CronJob>('batch/v1', 'cronjobs');
    this.#jobClient = cs.resource<Job>('batch/v1', 'jobs');
  }

  async run(signal: AbortSignal): Promise<void> {
    const cronJobs = this.#cs.informer<CronJob>({ group: 'batch', version: 'v1', resource: 'cronjobs', namespaced: true });
    const jobs = this.#cs.informer<Job>({ group: 'batch', version: 'v1', resource: 'jobs', namespaced: true });
    this.#cronJobs = cronJobs;
    this.#jobIndex = new NamespaceIndex(jobs);
    cronJobs.addHandlers({
      add: (cj) => this.#queue.add(keyOf(cj)),
      update: (_old, cj) => this.#queue.add(keyOf(cj)),
      delete: (cj) => this.#queue.add(keyOf(cj)),
    });
    const jobChanged = (job: Job): void => {
      const ref = controllerRefOf(job);
      if (ref?.kind !== 'CronJob') return;
      const cj = cronJobs.get(`${job.metadata.namespace}/${ref.name}`);
      if (cj?.metadata.uid === ref.uid) this.#queue.add(keyOf(cj));
    };
    jobs.addHandlers({
      add: jobChanged,
      update: (old, job) => {
        jobChanged(job);
        if (controllerRefOf(old)?.uid !== controllerRefOf(job)?.uid) jobChanged(old);
      },
      delete: jobChanged,
    });
    const recorder = this.#recorder.run(signal);
    try {
      await Promise.all([cronJobs.waitForSync(signal), jobs.waitForSync(signal)]);
    } catch {
      await recorder;
      return;
    }
    await runWorkers(this.name, this.#queue, this.#workers, (key) => this.sync(key), this.#log, signal);
    await recorder;
  }

  #deps(): CronJobDeps {
    return {
      now: this.#now,
      getCronJob: (ns, name) => this.#cjClient.get(ns, name),
      getJob: (ns, name) => this.#jobClient.get(ns, name),
      createJob: (ns, job) => this.#jobClient.create(ns, job),
      deleteJob: async (ns, name) => {
        await this.#jobClient.delete(ns, name, { propagationPolicy: 'Background' });
      },
      event: (cj, type, reason, message) => this.#recorder.record(objectRef(cj), type, reason, message),
    };
  }

  async sync(key: string): Promise<void> {
    const cj = this.#cronJobs?.get(key);
    if (!cj) return;
    const jobs = (this.#jobIndex?.list(cj.metadata.namespace ?? '') ?? []).filter((j) => controllerRefOf(j)?.uid === cj.metadata.uid);
    const deps = this.#deps();
    const result = await syncCronJob(cj, jobs, deps);
    let update = result.updateStatus;
    if (await cleanupFinishedJobs(result.cronJob, jobs, deps)) update = true;
    if (update) {
      try {
        await this.#cjClient.updateStatus(cj.metadata.namespace, result.cronJob);
      } catch (err) {
        if (isNotFound(err)) return;
        // A newer copy is on its way through the informer, and will be synced.
        if (!isConflict(err)) throw err;
        this.#queue.add(key);
        return;
      }
    }
    if (result.requeueAfter !== undefined) this.#queue.addAfter(key, Math.max(0, result.requeueAfter));
  }
}

function objectRef(cj: CronJob): ObjectReference {
  return objectReference(cj, 'batch/v1', 'CronJob');
}

