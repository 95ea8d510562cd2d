// The selector and pod labels the API server generates for a Job that does not set
// manualSelector (pkg/registry/batch/job/strategy.go generateSelector). Needs metadata.uid.
import { ensureObj, isObj, objAt, type Obj } from './obj.ts';

export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';

export function generateJobSelector(job: Obj): void {
  const meta = objAt(job, 'metadata');
  const uid = meta && typeof meta.uid === 'string' ? meta.uid : '';
  const name = meta && typeof meta.name === 'string' ? meta.name : '';
  const spec = ensureObj(job, 'spec');
  if (spec.manualSelector === true || !uid) return;
  const template = ensureObj(spec, 'template');
  const tmeta = ensureObj(template, 'metadata');
  const labels = ensureObj(tmeta, 'labels');
  // The legacy unprefixed labels are still set, as upstream does.
  labels[CONTROLLER_UID_LABEL] ??= uid;
  labels['controller-uid'] ??= uid;
  if (name) {
    labels[JOB_NAME_LABEL] ??= name;
    labels['job-name'] ??= name;
  }
  if (!isObj(spec.selector)) spec.selector = { matchLabels: { [CONTROLLER_UID_LABEL]: uid } };
}
