// One step of a field path, as structured-merge-diff's fieldpath.PathElement
// (sigs.k8s.io/structured-merge-diff fieldpath/element.go and serialize-pe.go): a field of a
// map or struct (`f:name`), an item of a map-list by its keys (`k:{"name":"web"}`), an item of a
// set by its value (`v:"a"`), or an item of an atomic list by position (`i:0`).

export type PathElement =
  | { readonly kind: 'field'; readonly name: string }
  | { readonly kind: 'key'; readonly fields: ReadonlyArray<readonly [string, unknown]> }
  | { readonly kind: 'value'; readonly value: unknown }
  | { readonly kind: 'index'; readonly index: number };

export type Path = readonly PathElement[];

export const fieldElement = (name: string): PathElement => ({ kind: 'field', name });
export const valueElement = (value: unknown): PathElement => ({ kind: 'value', value });
export const indexElement = (index: number): PathElement => ({ kind: 'index', index });

/** A map-list item's key; the fields are kept sorted by name, as upstream's FieldList.Sort. */
export function keyElement(fields: ReadonlyArray<readonly [string, unknown]>): PathElement {
  return { kind: 'key', fields: [...fields].sort((a, b) => compareStrings(a[0], b[0])) };
}

/** JSON as Go's encoding/json writes it: compact, with <, >, & and U+2028/9 escaped. */
export function goJSON(v: unknown): string {
  return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The fieldsV1 key of a path element; it is canonical, so it also serves as identity. */
export function serializePathElement(pe: PathElement): string {
  switch (pe.kind) {
    case 'field': return `f:${pe.name}`;
    case 'key': return `k:{${pe.fields.map(([n, v]) => `${goJSON(n)}:${goJSON(v)}`).join(',')}}`;
    case 'value': return `v:${goJSON(pe.value)}`;
    case 'index': return `i:${pe.index}`;
  }
}

export class UnknownPathElementTypeError extends Error {
  constructor() { super('unknown path element type'); this.name = 'UnknownPathElementTypeError'; }
}

/** Parses a fieldsV1 key; messages follow upstream's DeserializePathElement. */
export function parsePathElement(s: string): PathElement {
  if (s.length < 2) throw new Error('key must be 2 characters long:');
  if (s[1] !== ':') throw new Error(`missing colon: ${s}`);
  const rest = s.slice(2);
  switch (s[0]) {
    case 'f': return fieldElement(rest);
    case 'v': return valueElement(parseJSON(rest));
    case 'k': {
      const obj = parseJSON(rest);
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) throw new Error(`ReadObjectCB: expect { or n, but found ${rest.slice(0, 1)}`);
      return keyElement(Object.entries(obj));
    }
    case 'i': {
      if (!/^[+-]?\d+$/.test(rest)) throw new Error(`strconv.Atoi: parsing ${JSON.stringify(rest)}: invalid syntax`);
      return indexElement(Number(rest));
    }
    default: throw new UnknownPathElementTypeError();
  }
}

function parseJSON(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch (err) {
    throw new Error(`invalid JSON ${JSON.stringify(s)}: ${(err as Error).message}`, { cause: err });
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function typeRank(v: unknown): number {
  if (typeof v === 'number') return 0;
  if (typeof v === 'string') return 1;
  if (typeof v === 'boolean') return 2;
  if (Array.isArray(v)) return 3;
  if (v !== null && typeof v === 'object') return 4;
  return 5;
}

/** A total order over JSON values, as upstream's value.Compare: numbers < strings < bools < lists < maps < null. */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) return ra - rb;
  switch (ra) {
    case 0: return Math.sign((a as number) - (b as number));
    case 1: return compareStrings(a as string, b as string);
    case 2: return Number(a) - Number(b);
    case 3: {
      const la = a as unknown[];
      const lb = b as unknown[];
      for (let i = 0; i < Math.min(la.length, lb.length); i++) {
        const c = compareValues(la[i], lb[i]);
        if (c !== 0) return c;
      }
      return Math.sign(la.length - lb.length);
    }
    case 4: return compareFieldLists(sortedEntries(a as object), sortedEntries(b as object));
    default: return 0;
  }
}

function sortedEntries(o: object): Array<[string, unknown]> {
  return Object.entries(o).sort((x, y) => compareStrings(x[0], y[0]));
}

function compareFieldLists(a: ReadonlyArray<readonly [string, unknown]>, b: ReadonlyArray<readonly [string, unknown]>): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const [an, av] = a[i]!;
    const [bn, bv] = b[i]!;
    const c = compareStrings(an, bn) || compareValues(av, bv);
    if (c !== 0) return c;
  }
  return Math.sign(a.length - b.length);
}

const KIND_RANK = { field: 0, key: 1, value: 2, index: 3 } as const;

/** Upstream's PathElement.Compare: fields, then keys, then values, then indexes. */
export function comparePathElements(a: PathElement, b: PathElement): number {
  if (a.kind !== b.kind) return KIND_RANK[a.kind] - KIND_RANK[b.kind];
  switch (a.kind) {
    case 'field': return compareStrings(a.name, (b as typeof a).name);
    case 'key': return compareFieldLists(a.fields, (b as typeof a).fields);
    case 'value': return compareValues(a.value, (b as typeof a).value);
    case 'index': return Math.sign(a.index - (b as typeof a).index);
  }
}

/** Go's value.ToString, used in human-readable paths. */
function valueToString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(valueToString).join(',')}]`;
  if (typeof v === 'object') return Object.entries(v).map(([k, x]) => `${k}=${valueToString(x)}`).join('');
  return String(v);
}

/** The human-readable form (`.spec.containers[name="web"].image`), as Path.String upstream. */
export function describePath(path: Path): string {
  return path.map((pe) => {
    switch (pe.kind) {
      case 'field': return `.${pe.name}`;
      case 'key': return `[${pe.fields.map(([n, v]) => `${n}=${valueToString(v)}`).join(',')}]`;
      case 'value': return `[=${valueToString(pe.value)}]`;
      case 'index': return `[${pe.index}]`;
    }
  }).join('');
}
