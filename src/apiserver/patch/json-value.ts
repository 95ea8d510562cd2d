// Helpers over plain JSON values (what JSON.parse returns), shared by the three patch formats.

export type JsonObject = Record<string, unknown>;

export function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A deep copy, so that patching never mutates the caller's document or patch. */
export function clone<T>(v: T): T {
  return structuredClone(v);
}

export function hasKey(o: JsonObject, key: string): boolean {
  return Object.hasOwn(o, key);
}

/** Set an own property, even for keys like `__proto__` that plain assignment would treat specially. */
export function setKey(o: JsonObject, key: string, value: unknown): void {
  Object.defineProperty(o, key, { value, writable: true, enumerable: true, configurable: true });
}

/** Structural equality of JSON values: object key order does not matter, array order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  }
  if (isObject(a)) {
    if (!isObject(b)) return false;
    const keys = Object.keys(a);
    if (keys.length !== Object.keys(b).length) return false;
    return keys.every((k) => hasKey(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** A short description of a JSON value's type for error messages. */
export function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  return typeof v;
}

/**
 * The length of `v` serialized as JSON, counted iteratively (so depth does not matter) and only
 * until it passes `budget`: the result is exact up to the budget and some number above it past
 * that, so measuring costs no more than the budget allows.
 */
export function jsonSizeWithin(v: unknown, budget: number): number {
  let size = 0;
  const stack: unknown[] = [v];
  while (stack.length > 0 && size <= budget) {
    const cur = stack.pop();
    if (typeof cur === 'string') size += cur.length + 2;
    else if (typeof cur === 'number') size += String(cur).length;
    else if (typeof cur === 'boolean') size += cur ? 4 : 5;
    else if (cur === null || cur === undefined) size += 4;
    else if (Array.isArray(cur)) {
      size += 2 + Math.max(0, cur.length - 1);
      for (let i = cur.length - 1; i >= 0; i--) stack.push(cur[i]);
    } else if (typeof cur === 'object') {
      const keys = Object.keys(cur);
      size += 2 + Math.max(0, keys.length - 1);
      for (const k of keys) {
        size += k.length + 3;
        stack.push((cur as JsonObject)[k]);
      }
    }
  }
  return size;
}

/** At most `max` characters of `s`, with an ellipsis when cut: client input echoed in messages stays bounded. */
export function capped(s: string, max = 256): string {
  return s.length <= max ? s : `${s.slice(0, max)}...`;
}

/** A value as JSON for an error message, cut at `max` characters. */
export function shortJson(v: unknown, max = 256): string {
  let text: string;
  try {
    text = JSON.stringify(v) ?? String(v);
  } catch {
    text = typeName(v);
  }
  return capped(text, max);
}
