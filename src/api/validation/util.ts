// Narrowing helpers over untyped JSON: validation runs on objects nobody has type-checked.

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
export const asObj = (v: unknown): Obj => (isObj(v) ? v : {});
export const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asStr = (v: unknown): string => (typeof v === 'string' ? v : '');
export const isSet = (v: unknown): boolean => v !== undefined && v !== null;

// String(v) and Number(v) call a decoded object's own "toString"/"valueOf" members, which a client
// can set to anything that is not a function: a TypeError, a 500. These never call into the value.
export const safeString = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
export const safeNumber = (v: unknown): number => (typeof v === 'object' && v !== null ? NaN : Number(v));

export function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isObj(v)) return out;
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === 'string' ? x : safeString(x);
  return out;
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isObj(a) && isObj(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/** A JSON text equal for values jsonEqual calls equal (keys sorted, undefined members left out): a hash key. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (isObj(v)) {
    const keys = Object.keys(v).filter((k) => v[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(v[k])}`).join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}
