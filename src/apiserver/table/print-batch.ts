// Job and CronJob rows, mirroring printJob and printCronJob in
// pkg/printers/internalversion/printers.go (the STATUS column added in Kubernetes 1.33).
import type { KubeObject } from '../../api/meta.ts';
import { AGE, CONTAINERS, IMAGES, NAME, SELECTOR, col } from './columns.ts';
import type { ContainerLike } from './format.ts';
import { boolPtr, containerCells } from './format.ts';
import { humanDuration, parseTime, since } from './human-duration.ts';
import type { LabelSelector } from './labels.ts';
import { formatLabelSelector } from './labels.ts';
import type { Printer } from './types.ts';

interface JobSpec {
  completions?: number;
  parallelism?: number;
  selector?: LabelSelector;
  template?: { spec?: { containers?: ContainerLike[] } };
}

interface Job extends KubeObject {
  spec?: JobSpec;
  status?: {
    succeeded?: number;
    startTime?: string;
    completionTime?: string;
    conditions?: Array<{ type?: string; status?: string }>;
  };
}

interface CronJob extends KubeObject {
  spec?: { schedule?: string; timeZone?: string; suspend?: boolean; jobTemplate?: { spec?: JobSpec } };
  status?: { active?: unknown[]; lastScheduleTime?: string };
}

/** The first condition of a type decides, as upstream's hasJobCondition does. */
function jobCondition(job: Job, type: string): boolean {
  return job.status?.conditions?.find((c) => c.type === type)?.status === 'True';
}

export function jobStatus(job: Job): string {
  if (jobCondition(job, 'Complete')) return 'Complete';
  if (jobCondition(job, 'Failed')) return 'Failed';
  if (job.metadata.deletionTimestamp) return 'Terminating';
  if (jobCondition(job, 'Suspended')) return 'Suspended';
  if (jobCondition(job, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export function jobCompletions(job: Job): string {
  const succeeded = job.status?.succeeded ?? 0;
  if (job.spec?.completions !== undefined) return `${succeeded}/${job.spec.completions}`;
  const parallelism = job.spec?.parallelism ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function jobDuration(job: Job, now: number): string {
  const start = parseTime(job.status?.startTime);
  if (start === undefined) return '';
  const end = parseTime(job.status?.completionTime);
  return humanDuration((end ?? now) - start);
}

export const jobPrinter: Printer = {
  columns: [
    NAME,
    col('Status', 'string', 'Whether the job is running, complete, failed or suspended.'),
    col('Completions', 'string', 'Pods that succeeded out of the completions wanted.'),
    col('Duration', 'string', 'How long the job ran, or has been running.'),
    AGE, CONTAINERS, IMAGES, SELECTOR,
  ],
  cells(obj, now) {
    const job = obj as Job;
    return [
      job.metadata.name ?? '', jobStatus(job), jobCompletions(job), jobDuration(job, now),
      since(job.metadata.creationTimestamp, now), ...containerCells(job.spec?.template?.spec?.containers),
      formatLabelSelector(job.spec?.selector),
    ];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    NAME,
    col('Schedule', 'string', 'Cron expression saying when jobs are started.'),
    col('Timezone', 'string', 'Time zone the schedule is read in.'),
    col('Suspend', 'boolean', 'Whether new runs are held back.'),
    col('Active', 'integer', 'Jobs of this cron job currently running.'),
    col('Last Schedule', 'string', 'Time since a job was last started.'),
    AGE, CONTAINERS, IMAGES, SELECTOR,
  ],
  cells(obj, now) {
    const cj = obj as CronJob;
    const spec = cj.spec ?? {};
    const last = cj.status?.lastScheduleTime ? since(cj.status.lastScheduleTime, now) : '<none>';
    const jobSpec = spec.jobTemplate?.spec;
    return [
      cj.metadata.name ?? '', spec.schedule ?? '', spec.timeZone ?? '<none>', boolPtr(spec.suspend),
      (cj.status?.active ?? []).length, last, since(cj.metadata.creationTimestamp, now),
      ...containerCells(jobSpec?.template?.spec?.containers), formatLabelSelector(jobSpec?.selector),
    ];
  },
};
