// Typed decoding of built-in kinds: what decoding a JSON body into upstream's Go structs guarantees
// (k8s.io/apimachinery/pkg/runtime/serializer/json → sigs.k8s.io/json → encoding/json), checked
// against the same schemas that drive OpenAPI, so nothing wrongly typed reaches defaulting,
// validation or storage.
//
// What Go decoding accepts and what it does with it:
// - JSON types must match the field: object for structs and maps, array for slices, string, bool;
//   integers must be integers inside int32/int64 (JS numbers past 2^53 have already lost digits in
//   JSON.parse, so int64 accepts only safe integers); float64 must be finite.
// - `null` is accepted everywhere: a pointer, slice or map becomes nil, anything else keeps its zero
//   value. normalizeTypes() therefore drops nulls on struct fields and turns nulls inside slices
//   and maps into the element type's zero value ("" for []string, {} for []Container), so nothing
//   stored carries a null the schema has no room for.
// - IntOrString (intstr.go): a string, or an int32. Quantity (quantity.go): a string or a bare
//   number, parsed as a quantity. Time (meta/v1/time.go): an RFC 3339 string. []byte: base64.
// - preserve-unknown-fields (RawExtension, FieldsV1): anything.
// `required` is not a decoding concern; validation reports it.
import { badRequest, invalid, type StatusError } from '../errors.ts';
import { INT_OR_STRING, MICRO_TIME, QUANTITY, TIME, type Schema } from './dsl.ts';
import { getDefinition } from './index.ts';
import { QuantityParseError, parseQuantity } from '../validation/quantity.ts';

export interface TypeFieldError {
  /** Dotted/indexed path, e.g. `spec.containers[0].ports[1].containerPort`; '' for the root. */
  field: string;
  /** e.g. `cannot unmarshal string into a field of type []v1.Container`. */
  detail: string;
}

// Node kinds (numbers, not an enum: erasableSyntaxOnly).
const ANY = 0;
const STRUCT = 1;
const MAP = 2;
const OPEN_OBJECT = 3;
const ARRAY = 4;
const STRING = 5;
const BYTES = 6;
const INT32 = 7;
const INT64 = 8;
const FLOAT = 9;
const BOOL = 10;
const INT_OR_STR = 11;
const QTY = 12;
const TIMESTAMP = 13;

interface TypeNode {
  kind: number;
  /** Go-like type name for messages: `[]v1.Container`, `map[string]string`, `int32`. */
  type: string;
  props: Map<string, TypeNode> | undefined;
  /** Items of an array, values of a map. */
  elem: TypeNode | undefined;
}

const node = (kind: number, type: string): TypeNode => ({ kind, type, props: undefined, elem: undefined });
const ANY_NODE = node(ANY, 'any');

/** Compiled definitions by name; filled lazily, cycles resolved by registering before filling. */
const compiled = new Map<string, TypeNode>();

/** `io.k8s.api.core.v1.Container` → `v1.Container`, as Go prints package.Type. */
function shortName(def: string): string {
  const parts = def.split('.');
  return parts.length >= 2 ? `${parts[parts.length - 2]}.${parts[parts.length - 1]}` : def;
}

function compileRef(name: string): TypeNode {
  if (name === QUANTITY) return node(QTY, 'resource.Quantity');
  if (name === INT_OR_STRING) return node(INT_OR_STR, 'intstr.IntOrString');
  if (name === TIME) return node(TIMESTAMP, 'v1.Time');
  if (name === MICRO_TIME) return node(TIMESTAMP, 'v1.MicroTime');
  const hit = compiled.get(name);
  if (hit) return hit;
  const def = getDefinition(name);
  if (!def) return ANY_NODE;
  // Registered first so a definition that refers to itself (directly or not) terminates.
  const n = node(ANY, shortName(name));
  compiled.set(name, n);
  fill(n, def);
  return n;
}

function compile(s: Schema): TypeNode {
  if (s.$ref) return compileRef(s.$ref);
  const n = node(ANY, 'any');
  fill(n, s);
  return n;
}

function fill(n: TypeNode, s: Schema): void {
  if (s.$ref) {
    const target = compileRef(s.$ref);
    Object.assign(n, { kind: target.kind, props: target.props, elem: target.elem, type: target.type });
    return;
  }
  if (s['x-kubernetes-preserve-unknown-fields'] === true) { n.kind = ANY; return; }
  if (s['x-kubernetes-int-or-string'] === true || s.format === 'int-or-string') { n.kind = INT_OR_STR; n.type = 'intstr.IntOrString'; return; }
  switch (s.type) {
    case 'object':
      if (s.properties) {
        n.kind = STRUCT;
        if (n.type === 'any') n.type = 'struct';
        n.props = new Map();
        for (const [k, v] of Object.entries(s.properties)) n.props.set(k, compile(v));
      } else if (typeof s.additionalProperties === 'object') {
        n.kind = MAP;
        n.elem = compile(s.additionalProperties);
        n.type = `map[string]${n.elem.type}`;
      } else {
        n.kind = OPEN_OBJECT;
        if (n.type === 'any') n.type = 'map[string]interface {}';
      }
      return;
    case 'array':
      n.kind = ARRAY;
      n.elem = s.items ? compile(s.items) : ANY_NODE;
      n.type = `[]${n.elem.type}`;
      return;
    case 'string':
      if (s.format === 'byte') { n.kind = BYTES; n.type = '[]byte'; } else if (s.format === 'date-time') { n.kind = TIMESTAMP; n.type = 'v1.Time'; } else { n.kind = STRING; n.type = 'string'; }
      return;
    case 'integer':
      if (s.format === 'int32') { n.kind = INT32; n.type = 'int32'; } else { n.kind = INT64; n.type = 'int64'; }
      return;
    case 'number': n.kind = FLOAT; n.type = 'float64'; return;
    case 'boolean': n.kind = BOOL; n.type = 'bool'; return;
    default: n.kind = ANY;
  }
}

// ---- the walk ----

/** Errors past this many are not collected: the first few name the problem. */
const MAX_ERRORS = 16;
/** Deeper than any built-in schema nests; only a self-referencing schema could get here. */
const MAX_DEPTH = 256;
const MAX_ECHO = 64;
const MIN_INT32 = -2147483648;
const MAX_INT32 = 2147483647;

/** Path segments by depth, built into a string only when an error is reported. */
const SEG_FIELD = 0;
const SEG_INDEX = 1;
const SEG_KEY = 2;

class Walk {
  readonly errors: TypeFieldError[] = [];
  readonly #normalize: boolean;
  readonly #segs: Array<string | number> = [];
  readonly #segKinds: number[] = [];

  constructor(normalize: boolean) {
    this.#normalize = normalize;
  }

  get full(): boolean { return this.errors.length >= MAX_ERRORS; }

  path(depth: number): string {
    let out = '';
    for (let i = 0; i < depth; i++) {
      const seg = this.#segs[i]!;
      const kind = this.#segKinds[i];
      if (kind === SEG_INDEX) out += `[${seg}]`;
      else if (kind === SEG_KEY) out += `[${echo(String(seg))}]`;
      else out += out === '' ? echo(String(seg)) : `.${echo(String(seg))}`;
    }
    return out;
  }

  fail(depth: number, detail: string): void {
    if (!this.full) this.errors.push({ field: this.path(depth), detail });
  }

  mismatch(depth: number, v: unknown, n: TypeNode): void {
    this.fail(depth, `cannot unmarshal ${jsonType(v)} into a field of type ${n.type}`);
  }

  /** Checks `v` (never null here) against `n`; `depth` segments of the path are set. */
  visit(v: unknown, n: TypeNode, depth: number): void {
    switch (n.kind) {
      case ANY: return;
      case STRUCT: {
        if (!isObject(v)) return this.mismatch(depth, v, n);
        if (depth >= MAX_DEPTH) return this.fail(depth, 'the object is nested too deeply');
        const props = n.props!;
        for (const k in v) {
          const child = props.get(k);
          // Unknown fields are not decoding's concern here: strict field validation reports or prunes them.
          if (child === undefined) continue;
          const cv = v[k];
          if (cv === null) {
            // Pointers, slices and maps become nil, values keep their zero value: either way the
            // field is absent once encoded without it (free-form pointers like fieldsV1 too).
            if (this.#normalize) delete v[k];
            continue;
          }
          this.#segs[depth] = k;
          this.#segKinds[depth] = SEG_FIELD;
          this.visit(cv, child, depth + 1);
          if (this.full) return;
        }
        return;
      }
      case MAP: {
        if (!isObject(v)) return this.mismatch(depth, v, n);
        if (depth >= MAX_DEPTH) return this.fail(depth, 'the object is nested too deeply');
        const elem = n.elem!;
        for (const k in v) {
          const cv = v[k];
          if (cv === null) {
            if (this.#normalize) setZero(v, k, elem);
            continue;
          }
          this.#segs[depth] = k;
          this.#segKinds[depth] = SEG_KEY;
          this.visit(cv, elem, depth + 1);
          if (this.full) return;
        }
        return;
      }
      case OPEN_OBJECT:
        if (!isObject(v)) this.mismatch(depth, v, n);
        return;
      case ARRAY: {
        if (!Array.isArray(v)) return this.mismatch(depth, v, n);
        if (depth >= MAX_DEPTH) return this.fail(depth, 'the object is nested too deeply');
        const elem = n.elem!;
        if (elem.kind === ANY) return;
        for (let i = 0; i < v.length; i++) {
          const cv: unknown = v[i];
          if (cv === null) {
            if (this.#normalize) setZero(v, i, elem);
            continue;
          }
          this.#segs[depth] = i;
          this.#segKinds[depth] = SEG_INDEX;
          this.visit(cv, elem, depth + 1);
          if (this.full) return;
        }
        return;
      }
      case STRING:
        if (typeof v !== 'string') this.mismatch(depth, v, n);
        return;
      case BOOL:
        if (typeof v !== 'boolean') this.mismatch(depth, v, n);
        return;
      case INT32:
        if (typeof v !== 'number') return this.mismatch(depth, v, n);
        if (!Number.isInteger(v) || v < MIN_INT32 || v > MAX_INT32) this.fail(depth, `cannot unmarshal number ${String(v)} into a field of type int32`);
        return;
      case INT64:
        if (typeof v !== 'number') return this.mismatch(depth, v, n);
        // Past 2^53 JSON.parse has already rounded the number: it is not the one the client sent.
        if (!Number.isSafeInteger(v)) this.fail(depth, `cannot unmarshal number ${String(v)} into a field of type int64${Number.isInteger(v) ? ' (only integers up to 2^53-1 are kept exactly)' : ''}`);
        return;
      case FLOAT:
        if (typeof v !== 'number') return this.mismatch(depth, v, n);
        if (!Number.isFinite(v)) this.fail(depth, 'cannot unmarshal a number out of range into a field of type float64');
        return;
      case INT_OR_STR:
        if (typeof v === 'string') return;
        if (typeof v !== 'number') return this.mismatch(depth, v, n);
        if (!Number.isInteger(v) || v < MIN_INT32 || v > MAX_INT32) this.fail(depth, `cannot unmarshal number ${String(v)} into a field of type int32 (intstr.IntOrString)`);
        return;
      case QTY:
        if (typeof v === 'number') {
          if (!Number.isFinite(v)) this.fail(depth, 'quantity out of range');
          return;
        }
        if (typeof v !== 'string') return this.mismatch(depth, v, n);
        try {
          parseQuantity(v);
        } catch (err) {
          if (!(err instanceof QuantityParseError)) throw err;
          this.fail(depth, `${quoted(v)}: ${err.message}`);
        }
        return;
      case TIMESTAMP:
        if (typeof v !== 'string') return this.mismatch(depth, v, n);
        if (!isRfc3339(v)) this.fail(depth, `cannot parse ${quoted(v)} as an RFC 3339 time (2006-01-02T15:04:05Z07:00)`);
        return;
      case BYTES:
        if (typeof v !== 'string') return this.mismatch(depth, v, n);
        if (!isBase64(v)) this.fail(depth, 'illegal base64 data: expected standard base64 with padding');
        return;
      default:
    }
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The JSON type as Go's UnmarshalTypeError names it. */
function jsonType(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  switch (typeof v) {
    case 'string': return 'string';
    case 'number': return `number ${String(v)}`;
    case 'boolean': return 'bool';
    case 'object': return v === null ? 'null' : 'object';
    default: return typeof v;
  }
}

function echo(s: string): string {
  return s.length > MAX_ECHO ? `${s.slice(0, MAX_ECHO)}...` : s;
}

function quoted(s: string): string {
  return JSON.stringify(echo(s));
}

/** The value encoding/json leaves in a freshly decoded slice element or map value for `null`. */
function setZero(container: Record<string, unknown> | unknown[], key: string | number, n: TypeNode): void {
  const c = container as Record<string | number, unknown>;
  switch (n.kind) {
    case STRUCT: case MAP: case OPEN_OBJECT: c[key] = {}; return;
    case ARRAY: c[key] = []; return;
    case STRING: case BYTES: c[key] = ''; return;
    case INT32: case INT64: case FLOAT: case INT_OR_STR: c[key] = 0; return;
    case BOOL: c[key] = false; return;
    case QTY: c[key] = '0'; return;
    // Time's zero value encodes as null (upstream stores `{"pod": null}` in a map of times too),
    // and free-form values keep what they were given.
    default:
  }
}

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.\d+)?(?:Z|([+-])(\d{2}):(\d{2}))$/;
const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** time.Parse(time.RFC3339, s) succeeds: the layout's fields, each within its range. */
function isRfc3339(s: string): boolean {
  if (s.length > 64) return false;
  const m = RFC3339.exec(s);
  if (!m) return false;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1) return false;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && !leap ? 28 : DAYS[month - 1]!)) return false;
  if (Number(m[4]) > 23 || Number(m[5]) > 59 || Number(m[6]) > 59) return false;
  if (m[7] !== undefined && (Number(m[8]) > 23 || Number(m[9]) > 59)) return false;
  return true;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** base64.StdEncoding accepts it (padding required; line breaks are skipped). */
function isBase64(s: string): boolean {
  const t = s.includes('\n') || s.includes('\r') ? s.replace(/[\r\n]/g, '') : s;
  return t.length % 4 === 0 && BASE64.test(t);
}

function run(defName: string, value: unknown, normalize: boolean): TypeFieldError[] {
  const root = compileRef(defName);
  const w = new Walk(normalize);
  if (value !== null && value !== undefined) w.visit(value, root, 0);
  return w.errors;
}

/**
 * The fields of `value` that decoding into the Go type of `defName` would refuse; empty when it
 * decodes. Does not change `value` (nulls are accepted, as Go accepts them).
 */
export function checkTypes(defName: string, value: unknown): TypeFieldError[] {
  return run(defName, value, false);
}

/**
 * checkTypes, and on the way bring `value` to what Go would have decoded: nulls on struct fields
 * are removed, nulls in slices and maps become the element's zero value. Only meaningful when the
 * result is empty (the caller refuses the object otherwise).
 */
export function normalizeTypes(defName: string, value: unknown): TypeFieldError[] {
  return run(defName, value, true);
}

/** `spec.x: detail, spec.y: detail` (bounded: at most MAX_ERRORS entries, each path and value capped). */
export function describeTypeErrors(errors: readonly TypeFieldError[]): string {
  return errors.map((e) => (e.field ? `${e.field}: ${e.detail}` : e.detail)).join(', ');
}

/**
 * A body that does not decode: 400 BadRequest, worded like upstream's
 * `Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal …`.
 */
export function decodeTypeError(kind: string, version: string, errors: readonly TypeFieldError[]): StatusError {
  return badRequest(`${kind} in version "${version}" cannot be handled as a ${kind}: ${describeTypeErrors(errors)}`);
}

/**
 * A patch whose result does not decode: 422 Invalid with the cause on field `patch`
 * (k8s.io/apiserver/pkg/endpoints/handlers/patch.go answers a failed DecodeInto so).
 */
export function patchTypeError(kind: string, group: string, name: string, errors: readonly TypeFieldError[]): StatusError {
  return invalid(kind, group, name, [{ type: 'FieldValueInvalid', field: 'patch', detail: `the patched object does not decode: ${describeTypeErrors(errors)}` }]);
}
