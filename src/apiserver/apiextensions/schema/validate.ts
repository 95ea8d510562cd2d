// Validation of a custom resource against its version's openAPIV3Schema, with the field errors
// upstream reports: kube-openapi pkg/validation/validate's checks and messages ("spec.replicas in
// body should be less than or equal to 10"), turned into field errors as
// apiextensions-apiserver/pkg/apiserver/validation/validation.go kubeOpenAPIResultToFieldErrors does.
import type { FieldError } from '../../../api/errors.ts';
import type { JSONSchemaProps } from '../../../api/types/apiextensions-v1.ts';

type Obj = Record<string, unknown>;

/** The JSON type name go-openapi reports for a value. */
export function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  if (typeof v === 'object') return 'object';
  return typeof v;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/;
const IPV4 = /^((25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)$/;
const HOSTNAME = /^[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([-a-zA-Z0-9]{0,61}[a-zA-Z0-9])?)*$/;
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h|d|w))+$/;

/** String formats kube-openapi checks (apiextensions' supported formats); others pass. */
const FORMATS: Record<string, (s: string) => boolean> = {
  date: (s) => DATE.test(s) && !Number.isNaN(Date.parse(s)),
  'date-time': (s) => DATE_TIME.test(s) && !Number.isNaN(Date.parse(s.replace(' ', 'T'))),
  datetime: (s) => DATE_TIME.test(s),
  uuid: (s) => UUID.test(s),
  ipv4: (s) => IPV4.test(s),
  ipv6: (s) => s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s),
  cidr: (s) => /^[0-9a-fA-F:.]+\/\d{1,3}$/.test(s),
  hostname: (s) => s.length <= 255 && HOSTNAME.test(s),
  email: (s) => /^[^@\s]+@[^@\s]+$/.test(s),
  byte: (s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0,
  duration: (s) => DURATION.test(s),
  uri: (s) => /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s),
};

const INT_RANGES: Record<string, [number, number]> = {
  int32: [-2147483648, 2147483647],
  int64: [Number.MIN_SAFE_INTEGER * 1024, Number.MAX_SAFE_INTEGER * 1024],
};

function show(name: string): string {
  return name === '' ? 'body' : name;
}

function err(path: string, type: FieldError['type'], badValue: unknown, detail: string): FieldError {
  const e: FieldError = { type, field: path || '<nil>', detail };
  if (badValue !== undefined) e.badValue = badValue;
  return e;
}

/** The message go-openapi builds: "<name> in body <what>". */
function inBody(path: string, what: string): string {
  return `${show(path)} in body ${what}`;
}

function typeMatches(type: string | undefined, v: unknown, s: JSONSchemaProps): boolean {
  if (s['x-kubernetes-int-or-string']) return typeof v === 'string' || Number.isInteger(v);
  switch (type) {
    case undefined: case '': return true;
    case 'object': return v !== null && typeof v === 'object' && !Array.isArray(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    default: return true;
  }
}

/** Deep equality of JSON values (enum, uniqueItems, list-type set). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => jsonEqual(x, (b as unknown[])[i]));
  const ka = Object.keys(a);
  const kb = Object.keys(b as Obj);
  return ka.length === kb.length && ka.every((k) => Object.hasOwn(b as Obj, k) && jsonEqual((a as Obj)[k], (b as Obj)[k]));
}

function fmtNum(n: number): string {
  return String(n);
}

const childPath = (path: string, key: string): string => (path ? `${path}.${key}` : key);

/**
 * Validate `value` at `path` against `s`. Value validations (enum, bounds, patterns) are checked
 * only when the type matched, as go-openapi does; a type mismatch is one error.
 */
export function validateValue(s: JSONSchemaProps, value: unknown, path: string, out: FieldError[] = []): FieldError[] {
  if (value === null) {
    if (s.nullable || s['x-kubernetes-preserve-unknown-fields'] && !s.type) return out;
    if (s.type || s['x-kubernetes-int-or-string']) {
      out.push(err(path, 'FieldValueTypeInvalid', 'null', `${inBody(path, `must be of type ${s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type}`)}: "null"`));
    }
    return out;
  }
  if (!typeMatches(s.type, value, s)) {
    const want = s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type!;
    out.push(err(path, 'FieldValueTypeInvalid', jsonType(value), `${inBody(path, `must be of type ${want}`)}: "${jsonType(value)}"`));
    return out;
  }
  if (s.enum && s.enum.length && !s.enum.some((e) => jsonEqual(e, value))) {
    const supported = s.enum.map((e) => (typeof e === 'string' ? JSON.stringify(e) : JSON.stringify(JSON.stringify(e))));
    out.push(err(path, 'FieldValueNotSupported', value, `supported values: ${supported.join(', ')}`));
  }
  if (typeof value === 'number') validateNumber(s, value, path, out);
  else if (typeof value === 'string') validateString(s, value, path, out);
  else if (Array.isArray(value)) validateArray(s, value, path, out);
  else if (typeof value === 'object') validateObject(s, value as Obj, path, out);
  validateCombinators(s, value, path, out);
  return out;
}

function validateNumber(s: JSONSchemaProps, n: number, path: string, out: FieldError[]): void {
  const range = s.type === 'integer' && s.format ? INT_RANGES[s.format] : undefined;
  if (range && (n < range[0] || n > range[1])) out.push(err(path, 'FieldValueTypeInvalid', n, `${inBody(path, `must be of type ${s.format}`)}: "${n}"`));
  if (s.maximum !== undefined) {
    if (s.exclusiveMaximum ? n >= s.maximum : n > s.maximum) {
      out.push(err(path, 'FieldValueInvalid', n, inBody(path, `should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${fmtNum(s.maximum)}`)));
    }
  }
  if (s.minimum !== undefined) {
    if (s.exclusiveMinimum ? n <= s.minimum : n < s.minimum) {
      out.push(err(path, 'FieldValueInvalid', n, inBody(path, `should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${fmtNum(s.minimum)}`)));
    }
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0) {
    const q = n / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) out.push(err(path, 'FieldValueInvalid', n, inBody(path, `should be a multiple of ${fmtNum(s.multipleOf)}`)));
  }
}

function validateString(s: JSONSchemaProps, v: string, path: string, out: FieldError[]): void {
  const len = [...v].length;
  if (s.maxLength !== undefined && len > s.maxLength) out.push(err(path, 'FieldValueTooLong', undefined, `may not be more than ${s.maxLength} bytes`));
  if (s.minLength !== undefined && len < s.minLength) out.push(err(path, 'FieldValueInvalid', v, inBody(path, `should be at least ${s.minLength} chars long`)));
  if (s.pattern !== undefined) {
    let re: RegExp | undefined;
    try { re = new RegExp(s.pattern, 'u'); } catch { re = undefined; }
    if (re && !re.test(v)) out.push(err(path, 'FieldValueInvalid', v, inBody(path, `should match '${s.pattern}'`)));
  }
  const check = s.format ? FORMATS[s.format] : undefined;
  if (check && !check(v)) out.push(err(path, 'FieldValueTypeInvalid', v, `${inBody(path, `must be of type ${s.format}`)}: ${JSON.stringify(v)}`));
}

function validateArray(s: JSONSchemaProps, v: unknown[], path: string, out: FieldError[]): void {
  if (s.maxItems !== undefined && v.length > s.maxItems) out.push(err(path, 'FieldValueTooMany', v.length, `must have at most ${s.maxItems} items`));
  if (s.minItems !== undefined && v.length < s.minItems) out.push(err(path, 'FieldValueInvalid', v, inBody(path, `should have at least ${s.minItems} items`)));
  if (s.uniqueItems && v.some((x, i) => v.findIndex((y) => jsonEqual(x, y)) !== i)) out.push(err(path, 'FieldValueInvalid', v, inBody(path, "shouldn't contain duplicates")));
  if (s.items) v.forEach((item, i) => validateValue(s.items!, item, `${path}[${i}]`, out));
  validateListType(s, v, path, out);
}

/** x-kubernetes-list-type set and map: no duplicates (apiextensions-apiserver pkg/apiserver/schema/listtype). */
function validateListType(s: JSONSchemaProps, v: unknown[], path: string, out: FieldError[]): void {
  const lt = s['x-kubernetes-list-type'];
  if (lt === 'set') {
    v.forEach((x, i) => {
      if (v.findIndex((y) => jsonEqual(x, y)) !== i) out.push(err(`${path}[${i}]`, 'FieldValueDuplicate', x, ''));
    });
  } else if (lt === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen: Obj[] = [];
    v.forEach((x, i) => {
      if (x === null || typeof x !== 'object' || Array.isArray(x)) return;
      const k: Obj = {};
      for (const key of keys) {
        const val = (x as Obj)[key] ?? s.items?.properties?.[key]?.default;
        if (val !== undefined) k[key] = val;
      }
      if (seen.some((p) => jsonEqual(p, k))) out.push(err(`${path}[${i}]`, 'FieldValueDuplicate', k, ''));
      else seen.push(k);
    });
  }
}

function validateObject(s: JSONSchemaProps, v: Obj, path: string, out: FieldError[]): void {
  const n = Object.keys(v).length;
  if (s.maxProperties !== undefined && n > s.maxProperties) out.push(err(path, 'FieldValueTooMany', n, `must have at most ${s.maxProperties} items`));
  if (s.minProperties !== undefined && n < s.minProperties) out.push(err(path, 'FieldValueInvalid', n, inBody(path, `should have at least ${s.minProperties} properties`)));
  for (const r of s.required ?? []) if (!Object.hasOwn(v, r)) out.push(err(childPath(path, r), 'FieldValueRequired', undefined, ''));
  for (const [k, val] of Object.entries(v)) {
    const ps = s.properties?.[k];
    if (ps) validateValue(ps, val, childPath(path, k), out);
    else if (s.additionalProperties && typeof s.additionalProperties === 'object') validateValue(s.additionalProperties, val, childPath(path, k), out);
  }
  if (s['x-kubernetes-embedded-resource']) {
    if (typeof v.apiVersion !== 'string' || v.apiVersion === '') out.push(err(childPath(path, 'apiVersion'), 'FieldValueRequired', undefined, 'must not be empty'));
    if (typeof v.kind !== 'string' || v.kind === '') out.push(err(childPath(path, 'kind'), 'FieldValueRequired', undefined, 'must not be empty'));
  }
}

/** allOf, anyOf, oneOf and not, as value validations over the same value. */
function validateCombinators(s: JSONSchemaProps, value: unknown, path: string, out: FieldError[]): void {
  const passes = (sub: JSONSchemaProps): boolean => validateValue(sub, value, path, []).length === 0;
  if (s.allOf?.length) for (const sub of s.allOf) validateValue(sub, value, path, out);
  if (s.anyOf?.length && !s.anyOf.some(passes)) {
    for (const sub of s.anyOf) validateValue(sub, value, path, out);
    out.push(err(path, 'FieldValueInvalid', value, inBody(path, 'must validate at least one schema (anyOf)')));
  }
  if (s.oneOf?.length) {
    const n = s.oneOf.filter(passes).length;
    if (n !== 1) {
      if (n === 0) for (const sub of s.oneOf) validateValue(sub, value, path, out);
      out.push(err(path, 'FieldValueInvalid', value, inBody(path, 'must validate one and only one schema (oneOf)')));
    }
  }
  if (s.not && passes(s.not)) out.push(err(path, 'FieldValueInvalid', value, inBody(path, 'must not validate the schema (not)')));
}
