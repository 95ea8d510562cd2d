// PriorityClass validation (pkg/apis/scheduling/validation/validation.go).
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../meta.ts';
import { HIGHEST_USER_DEFINABLE_PRIORITY, SYSTEM_PRIORITY_CLASSES, SYSTEM_PRIORITY_CLASS_PREFIX } from '../types/scheduling-v1.ts';
import { forbidden, immutable, notSupported, required } from './field-errors.ts';

const PREEMPTION_POLICIES = ['PreemptLowerPriority', 'Never'];

/** Whether name, value and globalDefault are those of a system class, and why not (IsKnownSystemPriorityClass). */
export function knownSystemPriorityClass(name: string, value: number, globalDefault: boolean): string | undefined {
  const spc = SYSTEM_PRIORITY_CLASSES.find((c) => c.metadata.name === name);
  if (!spc) return `${name} is not a known system priority class`;
  if (spc.value !== value) return `value of ${name} PriorityClass must be ${spc.value}`;
  if ((spc.globalDefault ?? false) !== globalDefault) return `globalDefault of ${name} PriorityClass must be ${String(spc.globalDefault ?? false)}`;
  return undefined;
}

export function validatePriorityClass(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const name = o.metadata.name ?? '';
  const value = typeof o.value === 'number' ? o.value : 0;
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const why = knownSystemPriorityClass(name, value, o.globalDefault === true);
    if (why) errs.push(forbidden('metadata.name', `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${why}`));
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  if (o.preemptionPolicy !== undefined && o.preemptionPolicy !== null) {
    if (o.preemptionPolicy === '') errs.push(required('preemptionPolicy'));
    else if (!PREEMPTION_POLICIES.includes(String(o.preemptionPolicy))) errs.push(notSupported('preemptionPolicy', o.preemptionPolicy, PREEMPTION_POLICIES));
  }
  return errs;
}

/** Value and preemptionPolicy are fixed at creation (ValidatePriorityClassUpdate). */
export function validatePriorityClassUpdate(o: KubeObject, old: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if ((o.value ?? 0) !== (old.value ?? 0)) errs.push(forbidden('value', 'may not be changed in an update.'));
  if ((o.preemptionPolicy ?? null) !== (old.preemptionPolicy ?? null)) errs.push(immutable('preemptionPolicy', o.preemptionPolicy));
  return errs;
}
