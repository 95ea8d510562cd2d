// Container resource requirements (pkg/apis/core/validation/validation.go ValidateResourceRequirements).
import type { FieldError } from '../errors.ts';
import { child, invalid, invalidEach, key, pushAll, required } from './field-errors.ts';
import { isQualifiedName } from './names.ts';
import { parseQuantity, QuantityParseError } from './quantity.ts';
import { asObj, isObj, isSet, safeString } from './util.ts';

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);

const isHugePages = (name: string): boolean => name.startsWith('hugepages-');
const isNative = (name: string): boolean => !name.includes('/') || name.includes('kubernetes.io/');
/** Requests may be below limits only for native, non-hugepage resources. */
const overcommitAllowed = (name: string): boolean => isNative(name) && !isHugePages(name);

function validateResourceName(name: string, path: string): FieldError[] {
  const errs = invalidEach(path, name, isQualifiedName(name));
  if (errs.length) return errs;
  if (!name.includes('/')) {
    if (!STANDARD_CONTAINER_RESOURCES.has(name) && !isHugePages(name)) errs.push(invalid(path, name, 'must be a standard resource for containers'));
  } else if (!isNative(name) && name.startsWith('requests.')) {
    errs.push(invalid(path, name, "doesn't follow extended resource name standard"));
  }
  return errs;
}

function quantityOf(value: unknown, path: string, errs: FieldError[]): number | undefined {
  try {
    if (typeof value === 'number') return value;
    return parseQuantity(typeof value === 'string' ? value : '');
  } catch (err) {
    if (!(err instanceof QuantityParseError)) throw err;
    errs.push(invalid(path, value, err.message));
    return undefined;
  }
}

function validateList(list: Record<string, unknown>, path: string, errs: FieldError[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const [name, value] of Object.entries(list)) {
    const p = key(path, name);
    pushAll(errs, validateResourceName(name, p));
    const q = quantityOf(value, p, errs);
    if (q === undefined) continue;
    if (q < 0) errs.push(invalid(p, value, 'must be greater than or equal to 0'));
    else if (!isNative(name) && !Number.isInteger(q)) errs.push(invalid(p, value, 'must be an integer'));
    out.set(name, q);
  }
  return out;
}

export function validateResourceRequirements(res: unknown, path: string): FieldError[] {
  if (!isSet(res)) return [];
  const errs: FieldError[] = [];
  const r = asObj(res);
  const limPath = child(path, 'limits');
  const reqPath = child(path, 'requests');
  const limits = validateList(isObj(r.limits) ? r.limits : {}, limPath, errs);
  const requests = validateList(isObj(r.requests) ? r.requests : {}, reqPath, errs);
  for (const [name, q] of requests) {
    const limit = limits.get(name);
    const raw = asObj(r.requests)[name];
    const limitText = safeString(asObj(r.limits)[name]);
    if (limit !== undefined) {
      if (q !== limit && !overcommitAllowed(name)) errs.push(invalid(reqPath, safeString(raw), `must be equal to ${name} limit of ${limitText}`));
      else if (q > limit) errs.push(invalid(reqPath, safeString(raw), `must be less than or equal to ${name} limit of ${limitText}`));
    } else if (!overcommitAllowed(name)) {
      errs.push(required(limPath, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}
