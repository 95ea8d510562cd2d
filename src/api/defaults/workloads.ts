// Workload defaults: pkg/apis/apps/v1/defaults.go, pkg/apis/batch/v1/defaults.go and the
// ReplicationController part of pkg/apis/core/v1/defaults.go.
import { defaultPodTemplate } from './pod.ts';
import { def, ensureObj, isObj, objAt, objsAt, type Obj } from './obj.ts';

const specOf = (o: Obj): Obj => ensureObj(o, 'spec');

export function defaultDeployment(o: Obj): void {
  const spec = specOf(o);
  def(spec, 'replicas', 1);
  const strategy = ensureObj(spec, 'strategy');
  def(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    def(ru, 'maxUnavailable', '25%');
    def(ru, 'maxSurge', '25%');
  }
  def(spec, 'revisionHistoryLimit', 10);
  def(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(spec.template);
}

export function defaultReplicaSet(o: Obj): void {
  const spec = specOf(o);
  def(spec, 'replicas', 1);
  defaultPodTemplate(spec.template);
}

function templateLabels(spec: Obj): Obj | undefined {
  const template = objAt(spec, 'template');
  const meta = template && objAt(template, 'metadata');
  const labels = meta && objAt(meta, 'labels');
  return labels && Object.keys(labels).length ? labels : undefined;
}

export function defaultReplicationController(o: Obj): void {
  const spec = specOf(o);
  // The selector and the object's labels default to the template's labels.
  const labels = templateLabels(spec);
  if (labels) {
    if (!isObj(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    const meta = ensureObj(o, 'metadata');
    if (!isObj(meta.labels) || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
  }
  def(spec, 'replicas', 1);
  defaultPodTemplate(spec.template);
}

export function defaultStatefulSet(o: Obj): void {
  const spec = specOf(o);
  def(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensureObj(spec, 'updateStrategy');
  def(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') def(ensureObj(strategy, 'rollingUpdate'), 'partition', 0);
  const retention = ensureObj(spec, 'persistentVolumeClaimRetentionPolicy');
  def(retention, 'whenDeleted', 'Retain');
  def(retention, 'whenScaled', 'Retain');
  def(spec, 'replicas', 1);
  def(spec, 'revisionHistoryLimit', 10);
  for (const claim of objsAt(spec, 'volumeClaimTemplates')) {
    def(ensureObj(claim, 'spec'), 'volumeMode', 'Filesystem');
    def(ensureObj(claim, 'status'), 'phase', 'Pending');
  }
  defaultPodTemplate(spec.template);
}

export function defaultDaemonSet(o: Obj): void {
  const spec = specOf(o);
  const strategy = ensureObj(spec, 'updateStrategy');
  def(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = ensureObj(strategy, 'rollingUpdate');
    def(ru, 'maxUnavailable', 1);
    def(ru, 'maxSurge', 0);
  }
  def(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(spec.template);
}

export function defaultJob(o: Obj): void {
  const spec = specOf(o);
  if (spec.completions == null && spec.parallelism == null) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  def(spec, 'parallelism', 1);
  def(spec, 'backoffLimit', spec.backoffLimitPerIndex == null ? 6 : 2147483647);
  def(spec, 'completionMode', 'NonIndexed');
  def(spec, 'suspend', false);
  def(spec, 'podReplacementPolicy', spec.podFailurePolicy == null ? 'TerminatingOrFailed' : 'Failed');
  const labels = templateLabels(spec);
  const meta = ensureObj(o, 'metadata');
  if (labels && (!isObj(meta.labels) || Object.keys(meta.labels).length === 0)) meta.labels = { ...labels };
  defaultPodTemplate(spec.template, { restartPolicy: false });
}

export function defaultCronJob(o: Obj): void {
  const spec = specOf(o);
  def(spec, 'concurrencyPolicy', 'Allow');
  def(spec, 'suspend', false);
  def(spec, 'successfulJobsHistoryLimit', 3);
  def(spec, 'failedJobsHistoryLimit', 1);
  // Upstream defaults only the pod template inside the job template, not the job spec itself.
  const jobTemplate = objAt(spec, 'jobTemplate');
  const jobSpec = jobTemplate && objAt(jobTemplate, 'spec');
  if (jobSpec) defaultPodTemplate(jobSpec.template, { restartPolicy: false });
}
