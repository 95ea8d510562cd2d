// Small pieces of the Job controller kept free of I/O: conditions (job_controller.go newCondition,
// ensureJobConditionStatus; pkg/controller/job/util IsJobFinished), the pod a Job creates
// (manageJob: the tracking finalizer, and for Indexed Jobs the index annotation, label, env var
// and hostname), and which pods count as failed or terminating.
import type { OwnerReference } from '../../api/meta.ts';
import {
  JOB_COMPLETION_INDEX_ANNOTATION, JOB_INDEX_FAILURE_COUNT_ANNOTATION, JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION,
  JOB_TRACKING_FINALIZER, type Job, type JobCondition,
} from '../../api/types/batch-v1.ts';
import type { Container, Pod } from '../../api/types/core-v1.ts';

export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** names.MaxGeneratedNameLength: 63 less the 5 random characters. */
const MAX_GENERATED_NAME_LENGTH = 58;

export function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function newCondition(type: string, status: JobCondition['status'], reason: string, message: string, now: number): JobCondition {
  const t = rfc3339(now);
  return { type, status, lastProbeTime: t, lastTransitionTime: t, ...(reason ? { reason } : {}), ...(message ? { message } : {}) };
}

export function findCondition(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type);
}

/** Complete or Failed is True. */
export function finishedCondition(job: Job): 'Complete' | 'Failed' | undefined {
  for (const c of job.status?.conditions ?? []) {
    if ((c.type === 'Complete' || c.type === 'Failed') && c.status === 'True') return c.type;
  }
  return undefined;
}

export function isJobFinished(job: Job): boolean {
  return finishedCondition(job) !== undefined;
}

/**
 * Sets a condition's status, reason and message (a new one only if its status is not False).
 * Returns the new list and whether it changed.
 */
export function ensureCondition(list: readonly JobCondition[], type: string, status: JobCondition['status'], reason: string, message: string, now: number): [JobCondition[], boolean] {
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i]!;
    if (c.status !== status || (c.reason ?? '') !== reason || (c.message ?? '') !== message) {
      const out = [...list];
      out[i] = newCondition(type, status, reason, message, now);
      return [out, true];
    }
    return [[...list], false];
  }
  if (status !== 'False') return [[...list, newCondition(type, status, reason, message, now)], true];
  return [[...list], false];
}

export const isIndexedJob = (job: Job): boolean => job.spec?.completionMode === 'Indexed';
export const jobSuspended = (job: Job): boolean => job.spec?.suspend === true;
export const hasBackoffLimitPerIndex = (job: Job): boolean => job.spec?.backoffLimitPerIndex !== undefined && job.spec.backoffLimitPerIndex !== null;
/** podReplacementPolicy Failed: a replacement waits until the old pod is fully gone. */
export const onlyReplaceFailedPods = (job: Job): boolean => job.spec?.podReplacementPolicy === 'Failed' || job.spec?.podFailurePolicy !== undefined;

export function hasTrackingFinalizer(pod: Pod): boolean {
  return pod.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
}

/**
 * Failed, or (unless replacements wait for Failed) deleted before it succeeded: a pod removed
 * early still counts as a failure (isPodFailed).
 */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return Boolean(pod.metadata.deletionTimestamp) && pod.status?.phase !== 'Succeeded';
}

/** Sum of container restarts of running pods reaches backoffLimit (restartPolicy OnFailure only). */
export function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[]): boolean {
  if (job.spec?.template.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const cs of [...(p.status.initContainerStatuses ?? []), ...(p.status.containerStatuses ?? [])]) restarts += cs.restartCount;
  }
  const limit = job.spec.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** The generateName of an indexed pod: `job-INDEX-`, the job name cut so it fits. */
export function generateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = jobName + suffix;
  return prefix.length > MAX_GENERATED_NAME_LENGTH ? jobName.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length) + suffix : prefix;
}

function withIndexEnv(c: Container): Container {
  if (c.env?.some((e) => e.name === COMPLETION_INDEX_ENV)) return c;
  // The env var reads the index label through the downward API (PodIndexLabel, on by default).
  return { ...c, env: [...(c.env ?? []), { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${JOB_COMPLETION_INDEX_ANNOTATION}']` } } }] };
}

export interface JobPodOptions {
  /** The completion index of an Indexed Job's pod. */
  index?: number;
  /** With backoffLimitPerIndex: the failed pod of the same index this one replaces. */
  replacing?: { failureCount: number; ignoredFailureCount: number } | undefined;
}

/** The pod a Job creates from its template (manageJob + GetPodFromTemplate). */
export function jobPodFromTemplate(job: Job, ref: OwnerReference, o: JobPodOptions = {}): Pod {
  const template = job.spec?.template;
  if (!template?.spec) throw new Error('unable to create pods, the template has no spec');
  const meta = template.metadata ?? {};
  const labels = { ...meta.labels };
  if (Object.keys(labels).length === 0) throw new Error('unable to create pods, no labels');
  const annotations = { ...meta.annotations };
  const finalizers = [...(meta.finalizers ?? [])];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) finalizers.push(JOB_TRACKING_FINALIZER);
  const spec = structuredClone(template.spec);
  const name = job.metadata.name ?? '';
  let generateName = `${name}-`;
  if (o.index !== undefined) {
    spec.containers = spec.containers.map(withIndexEnv);
    if (spec.initContainers) spec.initContainers = spec.initContainers.map(withIndexEnv);
    annotations[JOB_COMPLETION_INDEX_ANNOTATION] = String(o.index);
    labels[JOB_COMPLETION_INDEX_ANNOTATION] = String(o.index);
    spec.hostname = `${name}-${o.index}`;
    generateName = generateNameWithIndex(name, o.index);
    if (hasBackoffLimitPerIndex(job)) {
      annotations[JOB_INDEX_FAILURE_COUNT_ANNOTATION] = String(o.replacing?.failureCount ?? 0);
      if ((o.replacing?.ignoredFailureCount ?? 0) > 0) annotations[JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION] = String(o.replacing!.ignoredFailureCount);
    }
  }
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName,
      namespace: job.metadata.namespace ?? 'default',
      labels,
      ...(Object.keys(annotations).length > 0 ? { annotations } : {}),
      finalizers,
      ownerReferences: [ref],
    },
    spec,
  };
}
