// metav1.LabelSelector checks (pkg/apis/meta/v1/validation/validation.go ValidateLabelSelector).
import type { FieldError } from '../errors.ts';
import { child, forbidden, index, invalid, invalidEach, pushAll, required } from './field-errors.ts';
import { isQualifiedName } from './names.ts';
import { validateLabels } from './object-meta.ts';
import { asArr, asObj, isObj, isSet } from './util.ts';

export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  if (!isSet(sel)) return [];
  if (!isObj(sel)) return [invalid(path, sel, 'must be an object')];
  const errs = validateLabels(sel.matchLabels, child(path, 'matchLabels'));
  asArr(sel.matchExpressions).forEach((e, i) => {
    const p = index(child(path, 'matchExpressions'), i);
    const req = asObj(e);
    const values = asArr(req.values);
    switch (req.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(required(child(p, 'values'), "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(forbidden(child(p, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(invalid(child(p, 'operator'), req.operator, 'not a valid selector operator'));
    }
    const key = typeof req.key === 'string' ? req.key : '';
    pushAll(errs, invalidEach(child(p, 'key'), key, isQualifiedName(key)));
  });
  return errs;
}

/** True for a selector with neither matchLabels nor matchExpressions. */
export function selectorIsEmpty(sel: unknown): boolean {
  const s = asObj(sel);
  return Object.keys(asObj(s.matchLabels)).length === 0 && asArr(s.matchExpressions).length === 0;
}
