// Workload specs: pkg/apis/apps/validation/validation.go, pkg/apis/batch/validation/validation.go and
// ValidateReplicationControllerSpec in pkg/apis/core/validation/validation.go.
import type { FieldError } from '../errors.ts';
import { labelSelectorFromMeta, matchesLabels } from '../selectors/labels.ts';
import { child, forbidden, invalid, notSupported, pushAll, required } from './field-errors.ts';
import { validateLabelSelector, selectorIsEmpty } from './label-selector.ts';
import { validatePodTemplate } from './pod-spec.ts';
import { asArr, asObj, isObj, isSet, safeNumber, safeString, strMap, type Obj } from './util.ts';

const NONNEG = 'must be greater than or equal to 0';
const JOB_RESTART = ['OnFailure', 'Never'];

export function nonNegative(o: Obj, field: string, path: string): FieldError[] {
  const v = o[field];
  if (!isSet(v)) return [];
  if (typeof v !== 'number' || !Number.isInteger(v)) return [invalid(child(path, field), v, 'must be an integer')];
  return v < 0 ? [invalid(child(path, field), v, NONNEG)] : [];
}

function selectorMatchesTemplate(sel: unknown, template: unknown, path: string): FieldError[] {
  const labels = strMap(asObj(asObj(template).metadata).labels);
  try {
    const expr = labelSelectorFromMeta(asObj(sel));
    if (expr.requirements.length > 0 && !matchesLabels(expr, labels)) {
      return [invalid(child(path, 'template', 'metadata', 'labels'), labels, '`selector` does not match template `labels`')];
    }
    return [];
  } catch {
    return [invalid(child(path, 'selector'), sel, 'invalid label selector')];
  }
}

/** Selector required and non-empty, and matching the template's labels (Deployment, ReplicaSet, StatefulSet, DaemonSet). */
function validateSelectorAndTemplate(spec: Obj, path: string, kind: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(spec.selector)) {
    errs.push(required(child(path, 'selector')));
  } else {
    pushAll(errs, validateLabelSelector(spec.selector, child(path, 'selector')));
    if (selectorIsEmpty(spec.selector)) errs.push(invalid(child(path, 'selector'), spec.selector, `empty selector is invalid for ${kind}`));
    else if (errs.length === 0) pushAll(errs, selectorMatchesTemplate(spec.selector, spec.template, path));
  }
  // Upstream's ValidatePodTemplateSpecForStatefulSet (pkg/apis/apps/validation) skips the pod spec
  // altogether, leaving a TODO to accept the union of volumes and claim templates as mount names;
  // that union is what is checked here, so a StatefulSet's mounts of its claims are valid.
  const claimTemplateNames = kind === 'statefulset'
    ? asArr(spec.volumeClaimTemplates).map((t) => asObj(asObj(t).metadata).name).filter((n): n is string => typeof n === 'string' && n !== '')
    : [];
  pushAll(errs, validatePodTemplate(spec.template, child(path, 'template'), { restartPolicies: ['Always'], claimTemplateNames }));
  const podSpec = asObj(asObj(spec.template).spec);
  if (isSet(podSpec.activeDeadlineSeconds)) {
    errs.push(forbidden(child(path, 'template', 'spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind === 'statefulset' ? 'StatefulSet' : 'ReplicaSet'} is not Supported`));
  }
  return errs;
}

/** An int-or-percent like "25%" or 1; returns the number for checks, or errors. */
function intOrPercent(v: unknown, path: string, errs: FieldError[]): { value: number; percent: boolean } | undefined {
  if (!isSet(v)) return undefined;
  if (typeof v === 'number' && Number.isInteger(v)) {
    if (v < 0) errs.push(invalid(path, v, NONNEG));
    return { value: v, percent: false };
  }
  if (typeof v === 'string' && /^[0-9]+%$/.test(v)) return { value: safeNumber(v.slice(0, -1)), percent: true };
  errs.push(invalid(path, v, "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"));
  return undefined;
}

function validateRollingUpdate(ru: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const r = asObj(ru);
  const unavailable = intOrPercent(r.maxUnavailable, child(path, 'maxUnavailable'), errs);
  const surge = intOrPercent(r.maxSurge, child(path, 'maxSurge'), errs);
  if (unavailable?.percent && unavailable.value > 100) errs.push(invalid(child(path, 'maxUnavailable'), r.maxUnavailable, 'must not be greater than 100%'));
  if (unavailable?.value === 0 && (surge === undefined || surge.value === 0)) errs.push(invalid(child(path, 'maxUnavailable'), r.maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
  return errs;
}

export function validateDeploymentSpec(spec: Obj, path: string): FieldError[] {
  const errs = [...nonNegative(spec, 'replicas', path), ...nonNegative(spec, 'minReadySeconds', path), ...nonNegative(spec, 'revisionHistoryLimit', path)];
  pushAll(errs, validateSelectorAndTemplate(spec, path, 'deployment'));
  const strategy = asObj(spec.strategy);
  const sp = child(path, 'strategy');
  if (strategy.type === 'Recreate') {
    if (isSet(strategy.rollingUpdate)) errs.push(forbidden(child(sp, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (strategy.type === 'RollingUpdate') {
    pushAll(errs, validateRollingUpdate(strategy.rollingUpdate, child(sp, 'rollingUpdate')));
  } else {
    errs.push(notSupported(child(sp, 'type'), strategy.type ?? '', ['Recreate', 'RollingUpdate']));
  }
  if (isSet(spec.progressDeadlineSeconds)) {
    pushAll(errs, nonNegative(spec, 'progressDeadlineSeconds', path));
    if (typeof spec.progressDeadlineSeconds === 'number' && spec.progressDeadlineSeconds <= safeNumber(spec.minReadySeconds ?? 0)) {
      errs.push(invalid(child(path, 'progressDeadlineSeconds'), spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  return errs;
}

export function validateReplicaSetSpec(spec: Obj, path: string): FieldError[] {
  return [...nonNegative(spec, 'replicas', path), ...nonNegative(spec, 'minReadySeconds', path), ...validateSelectorAndTemplate(spec, path, 'deployment')];
}

export function validateStatefulSetSpec(spec: Obj, path: string): FieldError[] {
  const errs = [...nonNegative(spec, 'replicas', path), ...nonNegative(spec, 'minReadySeconds', path), ...nonNegative(spec, 'revisionHistoryLimit', path)];
  if (!['OrderedReady', 'Parallel'].includes(safeString(spec.podManagementPolicy))) {
    errs.push(notSupported(child(path, 'podManagementPolicy'), spec.podManagementPolicy ?? '', ['OrderedReady', 'Parallel']));
  }
  const strategy = asObj(spec.updateStrategy);
  if (!['RollingUpdate', 'OnDelete'].includes(safeString(strategy.type))) {
    errs.push(notSupported(child(path, 'updateStrategy', 'type'), strategy.type ?? '', ['OnDelete', 'RollingUpdate']));
  } else if (strategy.type === 'OnDelete' && isSet(strategy.rollingUpdate)) {
    errs.push(invalid(child(path, 'updateStrategy', 'rollingUpdate'), strategy.rollingUpdate, 'only allowed for updateStrategy \'RollingUpdate\''));
  } else {
    pushAll(errs, nonNegative(asObj(strategy.rollingUpdate), 'partition', child(path, 'updateStrategy', 'rollingUpdate')));
  }
  pushAll(errs, validateSelectorAndTemplate(spec, path, 'statefulset'));
  return errs;
}

export function validateDaemonSetSpec(spec: Obj, path: string): FieldError[] {
  const errs = [...nonNegative(spec, 'minReadySeconds', path), ...nonNegative(spec, 'revisionHistoryLimit', path)];
  pushAll(errs, validateSelectorAndTemplate(spec, path, 'daemonset'));
  const strategy = asObj(spec.updateStrategy);
  if (strategy.type === 'RollingUpdate') pushAll(errs, validateRollingUpdate(strategy.rollingUpdate, child(path, 'updateStrategy', 'rollingUpdate')));
  else if (strategy.type !== 'OnDelete') errs.push(notSupported(child(path, 'updateStrategy', 'type'), strategy.type ?? '', ['OnDelete', 'RollingUpdate']));
  return errs;
}

export function validateReplicationControllerSpec(spec: Obj, path: string): FieldError[] {
  const errs = [...nonNegative(spec, 'replicas', path), ...nonNegative(spec, 'minReadySeconds', path)];
  const selector = strMap(spec.selector);
  if (Object.keys(selector).length === 0) errs.push(required(child(path, 'selector')));
  if (!isObj(spec.template)) return [...errs, required(child(path, 'template'))];
  const labels = strMap(asObj(spec.template.metadata).labels);
  if (Object.entries(selector).some(([k, v]) => labels[k] !== v)) {
    errs.push(invalid(child(path, 'template', 'metadata', 'labels'), labels, '`selector` does not match template `labels`'));
  }
  pushAll(errs, validatePodTemplate(spec.template, child(path, 'template'), { restartPolicies: ['Always'] }));
  return errs;
}

/** The part of a job spec shared by Jobs and CronJob job templates. */
function validateJobSpecCommon(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const f of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished', 'activeDeadlineSeconds', 'backoffLimitPerIndex', 'maxFailedIndexes']) pushAll(errs, nonNegative(spec, f, path));
  const mode = spec.completionMode;
  if (isSet(mode) && mode !== 'NonIndexed' && mode !== 'Indexed') errs.push(notSupported(child(path, 'completionMode'), mode, ['NonIndexed', 'Indexed']));
  if (mode === 'Indexed' && !isSet(spec.completions)) errs.push(required(child(path, 'completions'), 'when completion mode is Indexed'));
  pushAll(errs, validatePodTemplate(spec.template, child(path, 'template'), { restartPolicies: JOB_RESTART }));
  const restartPolicy = asObj(asObj(spec.template).spec).restartPolicy;
  if (isSet(spec.podFailurePolicy) && restartPolicy === 'OnFailure') {
    errs.push(invalid(child(path, 'template', 'spec', 'restartPolicy'), restartPolicy, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

export function validateJobSpec(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isObj(spec.selector)) errs.push(required(child(path, 'selector')));
  else {
    pushAll(errs, validateLabelSelector(spec.selector, child(path, 'selector')));
    if (errs.length === 0) pushAll(errs, selectorMatchesTemplate(spec.selector, spec.template, path));
  }
  return [...errs, ...validateJobSpecCommon(spec, path)];
}

function validateSchedule(schedule: unknown, path: string): FieldError[] {
  if (typeof schedule !== 'string' || schedule === '') return [required(path)];
  if (schedule.startsWith('@')) {
    const macros = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
    if (macros.includes(schedule) || /^@every \S+$/.test(schedule)) return [];
    return [invalid(path, schedule, `unrecognized descriptor: ${schedule}`)];
  }
  const fields = schedule.replace(/^(CRON_)?TZ=\S+\s+/, '').trim().split(/\s+/);
  if (fields.length !== 5) return [invalid(path, schedule, `expected exactly 5 fields, found ${fields.length}: ${schedule}`)];
  if (/TZ=/.test(schedule)) return [invalid(path, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead')];
  const ok = fields.every((f) => /^[-*?/,0-9A-Za-z]+$/.test(f));
  return ok ? [] : [invalid(path, schedule, 'unparseable schedule')];
}

export function validateCronJobSpec(spec: Obj, path: string): FieldError[] {
  const errs = validateSchedule(spec.schedule, child(path, 'schedule'));
  for (const f of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) pushAll(errs, nonNegative(spec, f, path));
  if (!['Allow', 'Forbid', 'Replace'].includes(safeString(spec.concurrencyPolicy))) {
    errs.push(isSet(spec.concurrencyPolicy) ? notSupported(child(path, 'concurrencyPolicy'), spec.concurrencyPolicy, ['Allow', 'Forbid', 'Replace']) : required(child(path, 'concurrencyPolicy')));
  }
  const jobTemplate = asObj(spec.jobTemplate);
  pushAll(errs, validateJobSpecCommon(asObj(jobTemplate.spec), child(path, 'jobTemplate', 'spec')));
  return errs;
}
