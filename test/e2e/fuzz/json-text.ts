// JSON text with pieces JSON.stringify cannot make: number tokens beyond float64 (int64 overflow,
// 1e400, 1.0) and documents nested thousands of levels deep (which would overflow a recursive
// serializer). A `raw(text)` marker is spliced into the output verbatim.

const RAW = Symbol('raw json');

export interface RawJson { readonly [RAW]: string }

export function raw(text: string): RawJson {
  return { [RAW]: text };
}

export function isRaw(v: unknown): v is RawJson {
  return typeof v === 'object' && v !== null && RAW in v;
}

/** Serialize, splicing raw markers in. Values built by the generator are shallow (< 100 levels). */
export function toJson(v: unknown): string {
  if (isRaw(v)) return v[RAW];
  if (Array.isArray(v)) return `[${v.map((x) => toJson(x === undefined ? null : x)).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const parts: string[] = [];
    for (const [k, x] of Object.entries(v)) if (x !== undefined) parts.push(`${JSON.stringify(k)}:${toJson(x)}`);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(v) ?? 'null';
}

/** `depth` levels of nesting around `inner`: arrays `[[…]]` or objects `{"a":{"a":…}}`. */
export function nested(depth: number, shape: 'array' | 'object', inner = '1'): RawJson {
  if (shape === 'array') return raw('['.repeat(depth) + inner + ']'.repeat(depth));
  return raw('{"a":'.repeat(depth) + inner + '}'.repeat(depth));
}

/** The same nesting in YAML flow style, which a YAML parser reads recursively too. */
export function nestedYaml(depth: number): string {
  return '['.repeat(depth) + '1' + ']'.repeat(depth);
}

/** A deep copy of a generator value (markers are kept as they are). */
export function clone<T>(v: T): T {
  if (isRaw(v)) return v;
  if (Array.isArray(v)) return v.map((x) => clone(x)) as T;
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = clone(x);
    return out as T;
  }
  return v;
}
