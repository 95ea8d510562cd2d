// The immutability rules of updates (the ValidateXxxUpdate functions of pkg/apis/*/validation).
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../meta.ts';
import { forbidden, immutable, invalid } from './field-errors.ts';
import { asArr, asObj, canonicalJson, isSet, jsonEqual, safeNumber, type Obj } from './util.ts';

const POD_UPDATE_MSG = 'pod updates may not change fields other than `spec.containers[*].image`,'
  + '`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),'
  + '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function withoutTolerationSeconds(t: unknown): Obj {
  const { tolerationSeconds: _s, ...rest } = asObj(t);
  return rest;
}

/** Pod specs are immutable but for images, a shortened deadline, added tolerations and a few more. */
export function validatePodUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(obj.spec);
  const oldSpec = asObj(old.spec);
  const oldDeadline = oldSpec.activeDeadlineSeconds;
  if (isSet(oldDeadline)) {
    if (!isSet(spec.activeDeadlineSeconds)) errs.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
    else if (safeNumber(spec.activeDeadlineSeconds) > safeNumber(oldDeadline)) errs.push(invalid('spec.activeDeadlineSeconds', spec.activeDeadlineSeconds, 'must be less than or equal to previous value'));
  }
  // A set of canonical texts, not a search per old toleration: 20,000 of each stay linear.
  const newTolerations = new Set(asArr(spec.tolerations).map((t) => canonicalJson(withoutTolerationSeconds(t))));
  for (const t of asArr(oldSpec.tolerations)) {
    if (!newTolerations.has(canonicalJson(withoutTolerationSeconds(t)))) {
      errs.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
      break;
    }
  }
  // Overlay what may change onto the old spec: anything else that differs is forbidden.
  const mutable = structuredClone(oldSpec);
  for (const key of ['containers', 'initContainers']) {
    const next = asArr(spec[key]);
    asArr(mutable[key]).forEach((c, i) => {
      const n = asObj(next[i]);
      if (isSet(n.image)) asObj(c).image = n.image;
    });
  }
  for (const key of ['activeDeadlineSeconds', 'tolerations', 'schedulingGates']) {
    if (isSet(spec[key])) mutable[key] = spec[key];
    else delete mutable[key];
  }
  if (safeNumber(oldSpec.terminationGracePeriodSeconds) < 0 && spec.terminationGracePeriodSeconds === 1) mutable.terminationGracePeriodSeconds = 1;
  if (!jsonEqual(mutable, spec)) errs.push(forbidden('spec', POD_UPDATE_MSG));
  return errs;
}

export function selectorImmutable(obj: KubeObject, old: KubeObject): FieldError[] {
  const sel = asObj(obj.spec).selector;
  return jsonEqual(sel, asObj(old.spec).selector) ? [] : [immutable('spec.selector', sel)];
}

const STS_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSetUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const strip = (s: unknown): Obj => Object.fromEntries(Object.entries(asObj(s)).filter(([k]) => !STS_MUTABLE.includes(k)));
  if (jsonEqual(strip(obj.spec), strip(old.spec))) return [];
  return [forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden")];
}

export function validateJobUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const spec = asObj(obj.spec);
  const oldSpec = asObj(old.spec);
  const errs = selectorImmutable(obj, old);
  for (const f of ['completionMode', 'completions', 'podFailurePolicy', 'backoffLimitPerIndex']) {
    if (!jsonEqual(spec[f], oldSpec[f])) errs.push(immutable(`spec.${f}`, spec[f]));
  }
  // Upstream lets a suspended job's scheduling directives change; skiff lets a suspended job's template change.
  if (oldSpec.suspend !== true && !jsonEqual(spec.template, oldSpec.template)) errs.push(immutable('spec.template', spec.template));
  return errs;
}

export function validatePersistentVolumeClaimUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const oldSpec = asObj(old.spec);
  const classless = (oldSpec.storageClassName === undefined || oldSpec.storageClassName === null) && !oldSpec.volumeName;
  const strip = (s: unknown, volumeName: unknown): Obj => {
    const { resources: _r, volumeAttributesClassName: _v, ...rest } = asObj(s);
    // Binding sets volumeName once.
    if (!volumeName) delete rest.volumeName;
    // A claim without a class may be given one while unbound (RetroactiveDefaultStorageClass).
    if (classless) delete rest.storageClassName;
    return rest;
  };
  if (jsonEqual(strip(obj.spec, oldSpec.volumeName), strip(old.spec, oldSpec.volumeName))) return [];
  return [forbidden('spec', 'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims')];
}

export function fieldsImmutable(obj: KubeObject, old: KubeObject, fields: readonly string[], forbid = false): FieldError[] {
  const errs: FieldError[] = [];
  for (const path of fields) {
    const get = (o: KubeObject): unknown => path.split('.').reduce<unknown>((v, k) => asObj(v)[k], o);
    if (jsonEqual(get(obj), get(old))) continue;
    errs.push(forbid ? forbidden(path, `updates to ${path} are forbidden.`) : immutable(path, get(obj)));
  }
  return errs;
}
