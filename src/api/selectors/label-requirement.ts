// One term of a label selector (k8s.io/apimachinery/pkg/labels/selector.go Requirement).
import { isQualifiedName, isValidLabelValue } from '../validation/names.ts';
import { SelectorParseError } from './selector-error.ts';

export type LabelOperator = 'in' | 'notin' | '=' | '==' | '!=' | 'exists' | '!' | 'gt' | 'lt';

export interface LabelRequirement {
  key: string;
  operator: LabelOperator;
  values: string[];
}

// Go's %#v of a []string, as upstream's field errors print the values.
const goStrings = (vals: string[]): string => `[]string{${vals.map((v) => JSON.stringify(v)).join(', ')}}`;

/** Upstream's key check inside the parser, reported against a nil field path. */
export function labelKeyError(key: string, path = '<nil>'): string | undefined {
  const errs = isQualifiedName(key);
  return errs.length ? `${path}: Invalid value: ${JSON.stringify(key)}: ${errs.join('; ')}` : undefined;
}

/** Validate and build a requirement; all problems, worded as upstream NewRequirement's aggregated field errors. */
export function newRequirement(key: string, operator: LabelOperator, values: string[]): LabelRequirement {
  const errs: string[] = [];
  const keyErr = labelKeyError(key, 'key');
  if (keyErr) errs.push(keyErr);
  switch (operator) {
    case 'in': case 'notin':
      if (values.length === 0) errs.push(`values: Invalid value: ${goStrings(values)}: for 'in', 'notin' operators, values set can't be empty`);
      break;
    case '=': case '==': case '!=':
      if (values.length !== 1) errs.push(`values: Invalid value: ${goStrings(values)}: exact-match compatibility requires one single value`);
      break;
    case 'exists': case '!':
      if (values.length !== 0) errs.push(`values: Invalid value: ${goStrings(values)}: values set must be empty for exists and does not exist`);
      break;
    case 'gt': case 'lt':
      if (values.length !== 1) errs.push(`values: Invalid value: ${goStrings(values)}: for 'Gt', 'Lt' operators, exactly one value is required`);
      values.forEach((v, i) => {
        if (!/^[+-]?[0-9]+$/.test(v)) errs.push(`values[${i}]: Invalid value: ${JSON.stringify(v)}: for 'Gt', 'Lt' operators, the value must be an integer`);
      });
      break;
  }
  values.forEach((v, i) => {
    const msgs = isValidLabelValue(v);
    if (msgs.length) errs.push(`values[${i}][${key}]: Invalid value: ${JSON.stringify(v)}: ${msgs.join('; ')}`);
  });
  if (errs.length === 1) throw new SelectorParseError(errs[0]!);
  if (errs.length > 1) throw new SelectorParseError(`[${errs.join(', ')}]`);
  const sorted = operator === 'gt' || operator === 'lt' ? values : [...new Set(values)].sort();
  return { key, operator, values: sorted };
}

export function requirementMatches(r: LabelRequirement, labels: Record<string, string> | undefined): boolean {
  const has = labels !== undefined && Object.hasOwn(labels, r.key);
  const value = has ? labels[r.key] : undefined;
  switch (r.operator) {
    case 'in': case '=': case '==':
      return has && r.values.includes(value!);
    case 'notin': case '!=':
      return !has || !r.values.includes(value!);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt': case 'lt': {
      if (!has || !/^[+-]?[0-9]+$/.test(value!)) return false;
      const ls = BigInt(value!);
      const rs = BigInt(r.values[0]!);
      return r.operator === 'gt' ? ls > rs : ls < rs;
    }
  }
}

/** The text form upstream's Requirement.String() gives. */
export function requirementString(r: LabelRequirement): string {
  switch (r.operator) {
    case 'exists': return r.key;
    case '!': return `!${r.key}`;
    case 'in': case 'notin': return `${r.key} ${r.operator} (${r.values.join(',')})`;
    case 'gt': return `${r.key}>${r.values[0]}`;
    case 'lt': return `${r.key}<${r.values[0]}`;
    default: return `${r.key}${r.operator}${r.values[0]}`;
  }
}
