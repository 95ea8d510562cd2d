// Turns one protobuf message into the object Kubernetes' JSON encoding produces for it, guided by
// the wire tables: JSON field names, maps as objects, bytes as base64, zero values left out
// unless JSON keeps them, embedded structs inlined.
import { malformed, ProtobufDecodeError } from './errors.ts';
import type { FieldDef, MessageDef, ScalarKind } from './table.ts';
import { decodeWellKnown, isZeroWellKnown } from './well-known.ts';
import { WIRE_BYTES, WIRE_FIXED64, WIRE_VARINT, WireReader } from './wire.ts';

type Json = Record<string, unknown>;

/** Messages nest this deep at most (Kubernetes' own objects stay far below). */
const MAX_DEPTH = 64;

export function decodeMessage(def: MessageDef, buf: Buffer, depth = 0): Json {
  if (depth > MAX_DEPTH) throw malformed(`messages nested deeper than ${MAX_DEPTH} levels`);
  const out: Json = {};
  const inlined: Json[] = [];
  const r = new WireReader(buf);
  while (!r.done) {
    const { field, wire } = r.tag();
    const f = def.fields.get(field);
    if (!f) throw new ProtobufDecodeError('ERR_PROTOBUF_UNKNOWN_FIELD', `unknown field ${field} in ${def.fullName}`);
    if (f.cardinality === 'map') {
      if (wire !== WIRE_BYTES) throw wireMismatch(def, f, wire, WIRE_BYTES);
      const map = (out[f.json] ??= {}) as Json;
      const [key, value] = mapEntry(def, f, r.bytes(), depth);
      map[key] = value;
    } else if (f.cardinality === 'repeated') {
      const list = (out[f.json] ??= []) as unknown[];
      if (f.type.kind === 'scalar' && f.type.scalar !== 'string' && f.type.scalar !== 'bytes' && wire === WIRE_BYTES) {
        // Packed repeated numbers: one length-delimited run of values.
        const packed = new WireReader(r.bytes());
        while (!packed.done) list.push(scalar(packed, f.type.scalar));
      } else {
        list.push(value(def, f, r, wire, depth));
      }
    } else if (f.inline) {
      inlined.push(value(def, f, r, wire, depth) as Json);
    } else {
      out[f.json] = value(def, f, r, wire, depth);
    }
  }
  for (const f of def.fields.values()) {
    if (f.cardinality === 'single' && !f.inline && f.json in out && isOmitted(f, out[f.json])) delete out[f.json];
    if (f.cardinality !== 'single' && f.json in out && isEmpty(out[f.json])) delete out[f.json];
  }
  for (const part of inlined) Object.assign(out, part);
  return out;
}

function value(def: MessageDef, f: FieldDef, r: WireReader, wire: number, depth: number): unknown {
  const t = f.type;
  const want = t.kind === 'scalar' ? wireOf(t.scalar) : WIRE_BYTES;
  if (wire !== want) throw wireMismatch(def, f, wire, want);
  if (t.kind === 'scalar') return scalar(r, t.scalar);
  if (t.kind === 'wellKnown') return decodeWellKnown(t.name, r.bytes());
  return decodeMessage(t.message, r.bytes(), depth + 1);
}

function scalar(r: WireReader, kind: ScalarKind): unknown {
  switch (kind) {
    case 'string': return r.string();
    case 'bytes': return r.bytes().toString('base64');
    case 'bool': return r.bool();
    case 'int32': return r.int32();
    case 'int64': return r.int64();
    case 'double': return r.double();
  }
}

function wireOf(kind: ScalarKind): number {
  if (kind === 'string' || kind === 'bytes') return WIRE_BYTES;
  return kind === 'double' ? WIRE_FIXED64 : WIRE_VARINT;
}

/** A map entry message: key = 1 (string), value = 2; a missing value is the zero value. */
function mapEntry(def: MessageDef, f: FieldDef, buf: Buffer, depth: number): [string, unknown] {
  let key = '';
  let val: unknown;
  const r = new WireReader(buf);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field === 1 && wire === WIRE_BYTES) key = r.string();
    else if (field === 2) val = value(def, f, r, wire, depth);
    else throw malformed(`unexpected field ${field} (wire type ${wire}) in a ${f.json} entry of ${def.fullName}`);
  }
  if (val === undefined) val = zeroOf(f);
  return [key, val];
}

function zeroOf(f: FieldDef): unknown {
  const t = f.type;
  if (t.kind === 'message') return {};
  if (t.kind === 'wellKnown') return t.name === 'Quantity' ? '0' : null;
  if (t.scalar === 'bool') return false;
  return t.scalar === 'string' || t.scalar === 'bytes' ? '' : 0;
}

/** omitempty: zero scalars, empty objects and absent well-known values go, unless JSON keeps them. */
function isOmitted(f: FieldDef, v: unknown): boolean {
  if (v === undefined) return true;
  if (f.keep) return false;
  if (f.type.kind === 'wellKnown') return isZeroWellKnown(f.type.name, v);
  return v === '' || v === 0 || v === false || isEmpty(v);
}

function isEmpty(v: unknown): boolean {
  if (Array.isArray(v)) return v.length === 0;
  return typeof v === 'object' && v !== null && Object.keys(v).length === 0;
}

function wireMismatch(def: MessageDef, f: FieldDef, wire: number, want: number): ProtobufDecodeError {
  return malformed(`field ${f.no} (${f.json}) in ${def.fullName} has wire type ${wire}, expected ${want}`);
}
