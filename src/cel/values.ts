// Conversion between JSON-shaped API objects and CEL values, as
// k8s.io/apiserver/pkg/cel (unstructured values) does: JSON numbers that are integers are CEL
// int (bigint here), other numbers double; objects are maps, arrays lists.
import { Optional } from '@marcbachmann/cel-js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';

/** The part of a structural (OpenAPI v3) schema the conversion looks at (CRD schemas). */
export interface CelSchema {
  type?: string;
  format?: string;
  properties?: Record<string, CelSchema>;
  items?: CelSchema;
  additionalProperties?: CelSchema | boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

/**
 * A JSON value (an API object, a field of one) as a CEL value. With a schema, fields declared
 * `type: number` are CEL double even when the JSON number has no fraction (upstream types them
 * from the schema); without one, integral numbers are int.
 */
export function toCelValue(value: unknown, schema?: CelSchema): unknown {
  if (value === null || value === undefined) return null;
  switch (typeof value) {
    case 'number':
      if (schema?.type === 'number') return value;
      return Number.isInteger(value) ? BigInt(value) : value;
    case 'string':
    case 'boolean':
    case 'bigint':
      return value;
    case 'object':
      break;
    default:
      return null;
  }
  if (Array.isArray(value)) {
    const items = schema?.items;
    return value.map((v: unknown) => toCelValue(v, items));
  }
  if (value instanceof Date || value instanceof Uint8Array || value instanceof Map) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (v === undefined) continue;
    out[k] = toCelValue(v, fieldSchema(schema, k));
  }
  return out;
}

function fieldSchema(schema: CelSchema | undefined, key: string): CelSchema | undefined {
  if (!schema) return undefined;
  const p = schema.properties?.[key];
  if (p) return p;
  return typeof schema.additionalProperties === 'object' ? schema.additionalProperties : undefined;
}

/** A CEL result as JSON: ints become numbers, optionals their value (or undefined when empty). */
export function fromCelValue(value: unknown): unknown {
  if (value === null || value === undefined) return value ?? null;
  switch (typeof value) {
    case 'bigint':
      return Number(value);
    case 'number':
    case 'string':
    case 'boolean':
      return value;
    case 'object':
      break;
    default:
      return String(value);
  }
  if (Array.isArray(value)) return value.map(fromCelValue);
  if (value instanceof UnsignedInt) return Number(value.value);
  if (value instanceof Optional) return value.hasValue() ? fromCelValue(value.value()) : undefined;
  if (value instanceof Date) return value.toISOString().replace(/\.000Z$/, 'Z');
  if (value instanceof Duration) return value.toString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value instanceof Set) return [...value].map(fromCelValue);
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = fromCelValue(v);
    return out;
  }
  const ctor = (value as { constructor?: unknown }).constructor;
  if (ctor === Object || ctor === undefined) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = fromCelValue(v);
    return out;
  }
  return String(value);
}

/** A CEL value's type name as upstream prints it in messages ("int", "string", "map"...). */
export function celTypeName(value: unknown): string {
  if (value === null || value === undefined) return 'null_type';
  switch (typeof value) {
    case 'bigint':
      return 'int';
    case 'number':
      return 'double';
    case 'string':
      return 'string';
    case 'boolean':
      return 'bool';
    default:
      break;
  }
  if (Array.isArray(value)) return 'list';
  if (value instanceof UnsignedInt) return 'uint';
  if (value instanceof Date) return 'google.protobuf.Timestamp';
  if (value instanceof Duration) return 'google.protobuf.Duration';
  if (value instanceof Uint8Array) return 'bytes';
  if (value instanceof Optional) return 'optional_type';
  const ctor = (value as { constructor?: { name?: string } }).constructor;
  if (ctor === Object || ctor === undefined || value instanceof Map) return 'map';
  return ctor.name ?? 'object';
}
