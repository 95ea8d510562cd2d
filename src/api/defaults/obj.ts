// Small helpers for filling defaults into untyped JSON objects.

export type Obj = Record<string, unknown>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The object at `o[key]`, created (as {}) when absent. */
export function ensureObj(o: Obj, key: string): Obj {
  const v = o[key];
  if (isObj(v)) return v;
  const fresh: Obj = {};
  o[key] = fresh;
  return fresh;
}

/** The object at `o[key]` if there is one. */
export const objAt = (o: Obj, key: string): Obj | undefined => (isObj(o[key]) ? o[key] : undefined);

/** The objects of the array at `o[key]`. */
export const objsAt = (o: Obj, key: string): Obj[] => (Array.isArray(o[key]) ? (o[key] as unknown[]).filter(isObj) : []);

/** Set `o[key]` when it is absent (undefined or null); empty strings count as absent for string fields, as Go's zero value. */
export function def(o: Obj, key: string, value: unknown): void {
  const cur = o[key];
  if (cur === undefined || cur === null || (cur === '' && typeof value === 'string')) o[key] = value;
}
