// apimachinery's hand-written wire types and their JSON forms: meta/v1 Time and MicroTime
// (time_proto.go, micro_time_proto.go), resource.Quantity, intstr.IntOrString, meta/v1 FieldsV1
// and runtime.RawExtension. `undefined` means JSON leaves the value out (zero time, empty raw).
import { malformed } from './errors.ts';
import type { WellKnownKind } from './table.ts';
import { WIRE_BYTES, WIRE_VARINT, WireReader } from './wire.ts';

/** Go's zero time.Time (0001-01-01T00:00:00Z) in Unix seconds. */
const GO_ZERO_SECONDS = -62135596800;

export function decodeWellKnown(name: WellKnownKind, buf: Buffer): unknown {
  switch (name) {
    case 'Time': return formatTime(buf, false);
    case 'MicroTime': return formatTime(buf, true);
    case 'Quantity': return stringField(buf, 'k8s.io.apimachinery.pkg.api.resource.Quantity');
    case 'IntOrString': return intOrString(buf);
    case 'FieldsV1': return rawJson(buf, 'k8s.io.apimachinery.pkg.apis.meta.v1.FieldsV1');
    case 'RawExtension': return rawJson(buf, 'k8s.io.apimachinery.pkg.runtime.RawExtension');
  }
}

/** Whether a decoded well-known value is the zero value JSON's omitempty would drop. */
export function isZeroWellKnown(name: WellKnownKind, value: unknown): boolean {
  if (value === undefined) return true;
  if (name === 'IntOrString') return value === 0 || value === '';
  return name === 'Quantity' && value === '';
}

function formatTime(buf: Buffer, micro: boolean): string | undefined {
  const full = micro ? 'k8s.io.apimachinery.pkg.apis.meta.v1.MicroTime' : 'k8s.io.apimachinery.pkg.apis.meta.v1.Time';
  let seconds = 0;
  let nanos = 0;
  const r = new WireReader(buf);
  while (!r.done) {
    const { field, wire } = r.tag();
    if ((field !== 1 && field !== 2) || wire !== WIRE_VARINT) throw unexpected(full, field, wire);
    if (field === 1) seconds = r.int64();
    else nanos = r.int32();
  }
  // An empty message is Go's zero time; JSON writes null for it.
  if (buf.length === 0 || (seconds === GO_ZERO_SECONDS && nanos === 0)) return undefined;
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime()) || date.getUTCFullYear() < 0 || date.getUTCFullYear() > 9999) {
    throw malformed(`${full} ${seconds}s is out of range`);
  }
  const base = date.toISOString().slice(0, 19);
  return micro ? `${base}.${String(Math.floor(nanos / 1000)).padStart(6, '0')}Z` : `${base}Z`;
}

function stringField(buf: Buffer, full: string): string {
  let value = '';
  const r = new WireReader(buf);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field !== 1 || wire !== WIRE_BYTES) throw unexpected(full, field, wire);
    value = r.string();
  }
  return value;
}

function intOrString(buf: Buffer): number | string {
  let type = 0;
  let intVal = 0;
  let strVal = '';
  const r = new WireReader(buf);
  while (!r.done) {
    const { field, wire } = r.tag();
    const want = field === 3 ? WIRE_BYTES : WIRE_VARINT;
    if (field < 1 || field > 3 || wire !== want) throw unexpected('k8s.io.apimachinery.pkg.util.intstr.IntOrString', field, wire);
    if (field === 1) type = r.int64();
    else if (field === 2) intVal = r.int32();
    else strVal = r.string();
  }
  return type === 1 ? strVal : intVal;
}

function rawJson(buf: Buffer, full: string): unknown {
  let raw: Buffer | undefined;
  const r = new WireReader(buf);
  while (!r.done) {
    const { field, wire } = r.tag();
    if (field !== 1 || wire !== WIRE_BYTES) throw unexpected(full, field, wire);
    raw = r.bytes();
  }
  if (raw === undefined || raw.length === 0) return undefined;
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw malformed(`${full} does not hold JSON: ${(err as Error).message}`, err);
  }
}

function unexpected(full: string, field: number, wire: number) {
  return malformed(`unexpected field ${field} (wire type ${wire}) in ${full}`);
}
