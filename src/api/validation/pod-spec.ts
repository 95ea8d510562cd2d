// Pod specs, of pods and of pod templates (pkg/apis/core/validation/validation.go ValidatePodSpec,
// ValidatePodTemplateSpec).
import type { FieldError } from '../errors.ts';
import { validateContainer, type ContainerContext } from './containers.ts';
import { child, index, invalid, invalidEach, notSupported, pushAll, required } from './field-errors.ts';
import { inclusiveRangeError, isDNS1123Label, isDNS1123Subdomain } from './names.ts';
import { validateLabels, validateTemplateMeta } from './object-meta.ts';
import { asArr, asObj, isObj, isSet, safeString, type Obj } from './util.ts';
import { validateVolumes } from './volumes.ts';

export const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TOLERATION_OPERATORS = ['Equal', 'Exists'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export interface PodSpecOptions {
  /** Restart policies allowed (Jobs: OnFailure, Never). */
  restartPolicies?: readonly string[];
  /**
   * Names a volume mount may use besides the pod's volumes: a StatefulSet's volumeClaimTemplates,
   * whose claims the StatefulSet controller adds to each pod as volumes.
   */
  claimTemplateNames?: readonly string[];
}

function validateRestartPolicy(v: unknown, path: string, allowed: readonly string[]): FieldError[] {
  if (!isSet(v) || v === '') {
    return [required(path, allowed === RESTART_POLICIES ? '' : `valid values: ${allowed.map((x) => JSON.stringify(x)).join(', ')}`)];
  }
  return allowed.includes(safeString(v)) ? [] : [notSupported(path, v, allowed)];
}

function validateTolerations(tolerations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(tolerations).forEach((x, i) => {
    const t = asObj(x);
    const p = index(path, i);
    const op = isSet(t.operator) && t.operator !== '' ? safeString(t.operator) : 'Equal';
    if (!TOLERATION_OPERATORS.includes(op)) errs.push(notSupported(child(p, 'operator'), t.operator, TOLERATION_OPERATORS));
    if (op === 'Exists' && typeof t.value === 'string' && t.value !== '') errs.push(invalid(child(p, 'operator'), t.operator, 'value must be empty when `operator` is \'Exists\''));
    if ((!isSet(t.key) || t.key === '') && op !== 'Exists') errs.push(invalid(child(p, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (isSet(t.effect) && t.effect !== '' && !TAINT_EFFECTS.includes(safeString(t.effect))) errs.push(notSupported(child(p, 'effect'), t.effect, TAINT_EFFECTS));
    if (isSet(t.tolerationSeconds) && t.effect !== 'NoExecute') errs.push(invalid(child(p, 'effect'), t.effect ?? '', 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
  });
  return errs;
}

export function validatePodSpec(spec: unknown, path: string, opts: PodSpecOptions = {}): FieldError[] {
  if (!isObj(spec)) return [required(path)];
  const s: Obj = spec;
  const errs: FieldError[] = [];
  const volumes = new Set([...validateVolumes(s.volumes, child(path, 'volumes'), errs), ...(opts.claimTemplateNames ?? [])]);
  const ctx: ContainerContext = { volumes, names: new Set(), init: true };
  asArr(s.initContainers).forEach((c, i) => pushAll(errs, validateContainer(asObj(c), index(child(path, 'initContainers'), i), ctx)));
  ctx.init = false;
  const containers = asArr(s.containers);
  if (containers.length === 0) errs.push(required(child(path, 'containers')));
  containers.forEach((c, i) => pushAll(errs, validateContainer(asObj(c), index(child(path, 'containers'), i), ctx)));
  pushAll(errs, validateRestartPolicy(s.restartPolicy, child(path, 'restartPolicy'), opts.restartPolicies ?? RESTART_POLICIES));
  if (!isSet(s.dnsPolicy) || s.dnsPolicy === '') errs.push(required(child(path, 'dnsPolicy')));
  else if (!DNS_POLICIES.includes(safeString(s.dnsPolicy))) errs.push(notSupported(child(path, 'dnsPolicy'), s.dnsPolicy, DNS_POLICIES));
  if (s.dnsPolicy === 'None' && !isObj(s.dnsConfig)) errs.push(required(child(path, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
  pushAll(errs, validateLabels(s.nodeSelector, child(path, 'nodeSelector')));
  for (const [field, check] of [['serviceAccountName', isDNS1123Subdomain], ['nodeName', isDNS1123Subdomain], ['hostname', isDNS1123Label], ['subdomain', isDNS1123Label]] as const) {
    const v = s[field];
    if (typeof v === 'string' && v !== '') pushAll(errs, invalidEach(child(path, field), v, check(v)));
  }
  if (isSet(s.activeDeadlineSeconds)) {
    const v = s.activeDeadlineSeconds;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 2147483647) errs.push(invalid(child(path, 'activeDeadlineSeconds'), v, inclusiveRangeError(1, 2147483647)));
  }
  if (isSet(s.terminationGracePeriodSeconds) && (typeof s.terminationGracePeriodSeconds !== 'number' || !Number.isInteger(s.terminationGracePeriodSeconds))) {
    errs.push(invalid(child(path, 'terminationGracePeriodSeconds'), s.terminationGracePeriodSeconds, 'must be an integer'));
  }
  pushAll(errs, validateTolerations(s.tolerations, child(path, 'tolerations')));
  return errs;
}

/** A pod template: labels/annotations of its metadata, and its pod spec. */
export function validatePodTemplate(template: unknown, path: string, opts: PodSpecOptions = {}): FieldError[] {
  if (!isObj(template)) return [required(path)];
  return [...validateTemplateMeta(template.metadata, child(path, 'metadata')), ...validatePodSpec(template.spec, child(path, 'spec'), opts)];
}
