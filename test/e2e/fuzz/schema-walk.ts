// Every field path a kind's schema describes (the same schema that drives OpenAPI, strict field
// validation and patches: src/api/schema), and values of the wrong type for the schema at a path.
import { DEFINITIONS, resolve, type Schema } from '../../../src/api/schema/index.ts';
import { raw } from './json-text.ts';
import type { Rng } from './prng.ts';

/** A step into an object (a key), an array (an item) or a map (a made-up key). */
export type Step = { key: string } | { item: true } | { mapKey: true };

export interface FieldPath {
  steps: Step[];
  /** The schema at the end, $ref resolved. */
  schema: Schema;
}

const MAX_DEPTH = 12;
const MAX_PATHS = 20_000;

/** All paths of a definition, depth-first, each definition at most once along a path (recursion). */
export function fieldPaths(defName: string): FieldPath[] {
  const out: FieldPath[] = [];
  const root = DEFINITIONS[defName];
  if (!root) throw new Error(`no schema definition ${defName}`);
  const walk = (s: Schema, steps: Step[], seen: Set<string>): void => {
    if (out.length >= MAX_PATHS || steps.length > MAX_DEPTH) return;
    if (s.$ref) {
      if (seen.has(s.$ref)) return;
      seen = new Set(seen).add(s.$ref);
    }
    const r = resolve(s);
    if (steps.length > 0) out.push({ steps, schema: r });
    if (r.properties) for (const [k, sub] of Object.entries(r.properties)) walk(sub, [...steps, { key: k }], seen);
    if (r.items) walk(r.items, [...steps, { item: true }], seen);
    if (typeof r.additionalProperties === 'object') walk(r.additionalProperties, [...steps, { mapKey: true }], seen);
  };
  walk(root, [], new Set());
  return out;
}

export function pathString(steps: Step[]): string {
  let s = '';
  for (const st of steps) {
    if ('key' in st) s += (s ? '.' : '') + st.key;
    else if ('item' in st) s += '[0]';
    else s += '[k]';
  }
  return s;
}

/** What a schema accepts, as one word (int32/int64 kept apart for the overflow values). */
export function typeOf(s: Schema): 'string' | 'int32' | 'int64' | 'number' | 'boolean' | 'object' | 'array' | 'int-or-string' | 'any' {
  if (s['x-kubernetes-int-or-string']) return 'int-or-string';
  switch (s.type) {
    case 'string': return 'string';
    case 'integer': return s.format === 'int32' ? 'int32' : 'int64';
    case 'number': return 'number';
    case 'boolean': return 'boolean';
    case 'array': return 'array';
    case 'object': return s['x-kubernetes-preserve-unknown-fields'] && !s.properties ? 'any' : 'object';
    default: return 'any';
  }
}

export interface WrongValue { label: string; value: unknown }

const wrongByType: Record<string, WrongValue[]> = {
  string: [{ label: 'int', value: 5 }, { label: 'float', value: 1.5 }, { label: 'bool', value: true }, { label: 'object', value: { a: 'b' } }, { label: 'array', value: ['a'] }],
  int32: [
    { label: 'string', value: '5' }, { label: 'float', value: 1.5 }, { label: 'float 1.0', value: raw('1.0') }, { label: 'exponent', value: raw('1e3') },
    { label: 'bool', value: true }, { label: 'object', value: {} }, { label: 'array', value: [1] },
    { label: 'int32 overflow', value: 2147483648 }, { label: 'int32 underflow', value: -2147483649 },
    { label: 'int64 overflow', value: raw('9223372036854775808') }, { label: '1e400', value: raw('1e400') },
  ],
  int64: [
    { label: 'string', value: '5' }, { label: 'float', value: 1.5 }, { label: 'bool', value: false }, { label: 'object', value: {} }, { label: 'array', value: [] },
    { label: 'int64 overflow', value: raw('9223372036854775808') }, { label: 'int64 underflow', value: raw('-9223372036854775809') },
    { label: '1e19', value: raw('1e19') }, { label: '-1e400', value: raw('-1e400') },
  ],
  number: [{ label: 'string', value: 'x' }, { label: 'bool', value: true }, { label: 'object', value: {} }, { label: 'array', value: [1.5] }, { label: '1e400', value: raw('1e400') }],
  boolean: [{ label: 'string', value: 'true' }, { label: 'int', value: 1 }, { label: 'object', value: {} }, { label: 'array', value: [true] }],
  object: [{ label: 'string', value: 'str' }, { label: 'int', value: 5 }, { label: 'bool', value: true }, { label: 'array', value: [{}] }, { label: 'empty array', value: [] }],
  array: [{ label: 'string', value: 'x' }, { label: 'int', value: 5 }, { label: 'bool', value: true }, { label: 'object', value: {} }, { label: '[null]', value: [null] }, { label: '[5]', value: [5] }, { label: '["x"]', value: ['x'] }],
  'int-or-string': [{ label: 'bool', value: true }, { label: 'object', value: {} }, { label: 'array', value: [1] }, { label: 'float', value: 1.5 }, { label: 'int32 overflow', value: 2147483648 }, { label: 'int64 overflow', value: raw('9223372036854775808') }],
  any: [{ label: 'int', value: 5 }, { label: 'string', value: 'x' }, { label: 'array', value: [] }],
};

/** Every wrong value for a schema, null included (null is wrong wherever the schema is not nullable). */
export function wrongValues(s: Schema): WrongValue[] {
  return [...(wrongByType[typeOf(s)] ?? []), { label: 'null', value: null }];
}

/** A made-up key for a map step (label keys, data keys, resource names). */
const MAP_KEY = 'fuzz-key';

/**
 * Set `value` at `steps` inside `obj` (mutated), making the containers on the way: an existing
 * array item is picked at random, an empty array gets one object.
 */
export function setAt(obj: Record<string, unknown>, steps: Step[], value: unknown, rng: Rng): void {
  let cur: any = obj;
  for (let i = 0; i < steps.length; i++) {
    const st = steps[i]!;
    const last = i === steps.length - 1;
    const nextIsItem = !last && 'item' in steps[i + 1]!;
    const fresh = (): unknown => (nextIsItem ? [] : {});
    if ('item' in st) {
      if (!Array.isArray(cur)) return;
      if (last) { if (cur.length === 0) cur.push(value); else cur[rng.int(cur.length)] = value; return; }
      if (cur.length === 0) cur.push(fresh());
      const idx = rng.int(cur.length);
      if (cur[idx] === null || typeof cur[idx] !== 'object') cur[idx] = fresh();
      cur = cur[idx];
      continue;
    }
    const key = 'key' in st ? st.key : MAP_KEY;
    if (last) { cur[key] = value; return; }
    if (cur[key] === null || typeof cur[key] !== 'object' || Array.isArray(cur[key]) !== nextIsItem) cur[key] = fresh();
    cur = cur[key];
  }
}
