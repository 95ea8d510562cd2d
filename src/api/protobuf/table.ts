// The compact wire tables that describe Kubernetes' protobuf messages (tables/*.ts), and their
// parsed form. A message is a list of rows `"<field number> <JSON name> <kind>"`:
//   kind      string | bool | int32 | int64 | double | bytes        scalars (enums are strings)
//             Time | MicroTime | Quantity | IntOrString | FieldsV1 | RawExtension   well-known types
//             Name | alias.Name                                     a message, local or in another package
//   *kind     present in JSON even when zero or empty (a Go pointer, or a JSON field without omitempty)
//   kind[]    repeated;  {kind}  a map from string keys (entries: key = 1, value = 2)
//   ...name   an embedded struct whose fields JSON inlines into the parent (Volume's VolumeSource)
// Field numbers are interface facts of the wire format; the JSON names are Kubernetes' JSON names.

export type ScalarKind = 'string' | 'bool' | 'int32' | 'int64' | 'double' | 'bytes';
export type WellKnownKind = 'Time' | 'MicroTime' | 'Quantity' | 'IntOrString' | 'FieldsV1' | 'RawExtension';

export interface PackageTable {
  /** Protobuf package, e.g. `k8s.io.api.core.v1`. */
  proto: string;
  /** Short name other tables use to refer to this package's messages (`core.PodSpec`). */
  alias: string;
  messages: Record<string, string[]>;
}

export type ValueType =
  | { kind: 'scalar'; scalar: ScalarKind }
  | { kind: 'wellKnown'; name: WellKnownKind }
  | { kind: 'message'; message: MessageDef };

export interface FieldDef {
  no: number;
  json: string;
  /** Keep the value in JSON even when it is zero or empty. */
  keep: boolean;
  inline: boolean;
  cardinality: 'single' | 'repeated' | 'map';
  type: ValueType;
}

export interface MessageDef {
  /** Fully qualified protobuf name, for error messages: `k8s.io.api.core.v1.PodSpec`. */
  fullName: string;
  fields: Map<number, FieldDef>;
}

const SCALARS = new Set<string>(['string', 'bool', 'int32', 'int64', 'double', 'bytes']);
const WELL_KNOWN = new Set<string>(['Time', 'MicroTime', 'Quantity', 'IntOrString', 'FieldsV1', 'RawExtension']);
const ROW = /^(\d+) (\.\.\.)?([A-Za-z][\w]*) (\*)?(\{)?([A-Za-z][\w.]*)(\[\])?(\})?$/;

/** Resolves every table into linked message definitions; throws on a malformed row or a dangling reference. */
export function linkTables(tables: readonly PackageTable[]): Map<string, MessageDef> {
  const byAlias = new Map(tables.map((t) => [t.alias, t]));
  const defs = new Map<string, MessageDef>();
  for (const t of tables) {
    for (const name of Object.keys(t.messages)) defs.set(`${t.alias}.${name}`, { fullName: `${t.proto}.${name}`, fields: new Map() });
  }
  for (const t of tables) {
    for (const [name, rows] of Object.entries(t.messages)) {
      const def = defs.get(`${t.alias}.${name}`)!;
      for (const row of rows) {
        const field = parseRow(row, t.alias, defs, byAlias);
        if (!field) throw new Error(`malformed wire table row "${row}" in ${def.fullName}`);
        if (def.fields.has(field.no)) throw new Error(`duplicate field ${field.no} in ${def.fullName}`);
        def.fields.set(field.no, field);
      }
    }
  }
  return defs;
}

function parseRow(row: string, alias: string, defs: Map<string, MessageDef>, byAlias: Map<string, PackageTable>): FieldDef | undefined {
  const m = ROW.exec(row);
  if (!m) return undefined;
  const [, no, inline, json, keep, open, kind, brackets, close] = m;
  if (Boolean(open) !== Boolean(close) || (open && brackets)) return undefined;
  let type: ValueType;
  if (SCALARS.has(kind!)) type = { kind: 'scalar', scalar: kind as ScalarKind };
  else if (WELL_KNOWN.has(kind!)) type = { kind: 'wellKnown', name: kind as WellKnownKind };
  else {
    const key = kind!.includes('.') ? kind! : `${alias}.${kind}`;
    const message = defs.get(key);
    if (!message || !byAlias.has(key.split('.')[0]!)) return undefined;
    type = { kind: 'message', message };
  }
  if (inline && (type.kind !== 'message' || open || brackets)) return undefined;
  return {
    no: Number(no), json: json!, keep: Boolean(keep), inline: Boolean(inline),
    cardinality: open ? 'map' : brackets ? 'repeated' : 'single', type,
  };
}
