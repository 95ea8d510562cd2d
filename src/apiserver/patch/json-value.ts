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
