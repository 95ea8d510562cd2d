// A Swagger 2.0 document (as JSON) encoded as gnostic's `openapi.v2.Document` protobuf, the form
// kubectl 1.27–1.28 download from /openapi/v2 for validation, apply and explain. Field numbers are
// those of github.com/google/gnostic-models openapiv2/OpenAPIv2.proto; values of vendor
// extensions, defaults, enums and examples travel as `Any{yaml}`, which readers parse with a YAML
// decoder, so JSON text (a YAML subset with no YAML 1.1 surprises such as `on` or `0755`) is used.
import { ProtoWriter } from './protobuf-writer.ts';

type Json = { [key: string]: unknown };

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' ? v : undefined);
const bool = (v: unknown): boolean | undefined => (typeof v === 'boolean' ? v : undefined);
const strs = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
const entries = (v: unknown): Array<[string, unknown]> => (isObject(v) ? Object.entries(v) : []);

export function encodeSwaggerDocument(doc: Json): Buffer {
  const w = new ProtoWriter();
  w.string(1, str(doc.swagger));
  if (isObject(doc.info)) w.message(2, (m) => info(m, doc.info as Json));
  w.string(3, str(doc.host));
  w.string(4, str(doc.basePath));
  w.strings(5, strs(doc.schemes));
  w.strings(6, strs(doc.consumes));
  w.strings(7, strs(doc.produces));
  if (isObject(doc.paths)) w.message(8, (m) => paths(m, doc.paths as Json));
  if (isObject(doc.definitions)) w.message(9, (m) => namedSchemas(m, 1, doc.definitions));
  for (const req of Array.isArray(doc.security) ? doc.security : []) w.message(12, (m) => securityRequirement(m, req));
  if (isObject(doc.securityDefinitions)) w.message(13, (m) => securityDefinitions(m, doc.securityDefinitions as Json));
  vendorExtensions(w, 16, doc);
  return w.finish();
}

/** NamedAny entries for every `x-` key: the `Any.yaml` (field 2) holds the value. */
function vendorExtensions(w: ProtoWriter, field: number, obj: Json): void {
  for (const [key, value] of Object.entries(obj)) {
    if (!key.startsWith('x-') || value === undefined) continue;
    w.message(field, (m) => { m.string(1, key); m.message(2, (a) => any(a, value)); });
  }
}

function any(w: ProtoWriter, value: unknown): void {
  w.string(2, `${JSON.stringify(value)}\n`);
}

function info(w: ProtoWriter, o: Json): void {
  w.string(1, str(o.title));
  w.string(2, str(o.version));
  w.string(3, str(o.description));
  w.string(4, str(o.termsOfService));
  vendorExtensions(w, 7, o);
}

function paths(w: ProtoWriter, o: Json): void {
  vendorExtensions(w, 1, o);
  for (const [name, item] of entries(o)) {
    if (name.startsWith('x-') || !isObject(item)) continue;
    w.message(2, (m) => { m.string(1, name); m.message(2, (p) => pathItem(p, item)); });
  }
}

const PATH_ITEM_METHODS: Array<[string, number]> = [['get', 2], ['put', 3], ['post', 4], ['delete', 5], ['options', 6], ['head', 7], ['patch', 8]];

function pathItem(w: ProtoWriter, o: Json): void {
  w.string(1, str(o.$ref));
  for (const [method, field] of PATH_ITEM_METHODS) {
    const op = o[method];
    if (isObject(op)) w.message(field, (m) => operation(m, op));
  }
  for (const p of Array.isArray(o.parameters) ? o.parameters : []) if (isObject(p)) w.message(9, (m) => parametersItem(m, p));
  vendorExtensions(w, 10, o);
}

function operation(w: ProtoWriter, o: Json): void {
  w.strings(1, strs(o.tags));
  w.string(2, str(o.summary));
  w.string(3, str(o.description));
  w.string(5, str(o.operationId));
  w.strings(6, strs(o.produces));
  w.strings(7, strs(o.consumes));
  for (const p of Array.isArray(o.parameters) ? o.parameters : []) if (isObject(p)) w.message(8, (m) => parametersItem(m, p));
  if (isObject(o.responses)) w.message(9, (m) => responses(m, o.responses as Json));
  w.strings(10, strs(o.schemes));
  w.bool(11, bool(o.deprecated));
  for (const req of Array.isArray(o.security) ? o.security : []) w.message(12, (m) => securityRequirement(m, req));
  vendorExtensions(w, 13, o);
}

function parametersItem(w: ProtoWriter, p: Json): void {
  if (typeof p.$ref === 'string') {
    w.message(2, (r) => { r.string(1, p.$ref as string); r.string(2, str(p.description)); });
    return;
  }
  w.message(1, (param) => {
    if (p.in === 'body') {
      param.message(1, (b) => {
        b.string(1, str(p.description));
        b.string(2, str(p.name));
        b.string(3, str(p.in));
        b.bool(4, bool(p.required));
        if (isObject(p.schema)) b.message(5, (s) => schema(s, p.schema as Json));
        vendorExtensions(b, 6, p);
      });
      return;
    }
    // NonBodyParameter oneof: header 1, formData 2, query 3, path 4.
    const kind = p.in === 'header' ? 1 : p.in === 'formData' ? 2 : p.in === 'path' ? 4 : 3;
    param.message(2, (nb) => nb.message(kind, (sub) => {
      sub.bool(1, bool(p.required));
      sub.string(2, str(p.in));
      sub.string(3, str(p.description));
      sub.string(4, str(p.name));
      // Query and formData schemas have allowEmptyValue at 5 and shift the rest by one.
      const shifted = kind === 2 || kind === 3;
      if (shifted) sub.bool(5, bool(p.allowEmptyValue));
      primitiveFields(sub, p, shifted ? 6 : 5);
    }));
  });
}

/**
 * The run of fields shared by PrimitivesItems (from 1), path/header parameters (from 5) and
 * query/formData parameters (from 6): type, format, items, collectionFormat, default, maximum,
 * exclusiveMaximum, minimum, exclusiveMinimum, maxLength, minLength, pattern, maxItems, minItems,
 * uniqueItems, enum, multipleOf, vendor extensions.
 */
function primitiveFields(w: ProtoWriter, o: Json, start: number): void {
  w.string(start, str(o.type));
  w.string(start + 1, str(o.format));
  if (isObject(o.items)) w.message(start + 2, (m) => primitiveFields(m, o.items as Json, 1));
  w.string(start + 3, str(o.collectionFormat));
  if (o.default !== undefined) w.message(start + 4, (a) => any(a, o.default));
  w.double(start + 5, num(o.maximum));
  w.bool(start + 6, bool(o.exclusiveMaximum));
  w.double(start + 7, num(o.minimum));
  w.bool(start + 8, bool(o.exclusiveMinimum));
  w.int64(start + 9, num(o.maxLength));
  w.int64(start + 10, num(o.minLength));
  w.string(start + 11, str(o.pattern));
  w.int64(start + 12, num(o.maxItems));
  w.int64(start + 13, num(o.minItems));
  w.bool(start + 14, bool(o.uniqueItems));
  for (const e of Array.isArray(o.enum) ? o.enum : []) w.message(start + 15, (a) => any(a, e));
  w.double(start + 16, num(o.multipleOf));
  vendorExtensions(w, start + 17, o);
}

function responses(w: ProtoWriter, o: Json): void {
  for (const [code, r] of entries(o)) {
    if (code.startsWith('x-') || !isObject(r)) continue;
    w.message(1, (named) => {
      named.string(1, code);
      named.message(2, (value) => {
        if (typeof r.$ref === 'string') { value.message(2, (ref) => ref.string(1, r.$ref as string)); return; }
        value.message(1, (resp) => {
          resp.string(1, str(r.description));
          if (isObject(r.schema)) resp.message(2, (item) => item.message(1, (s) => schema(s, r.schema as Json)));
          vendorExtensions(resp, 5, r);
        });
      });
    });
  }
  vendorExtensions(w, 2, o);
}

function namedSchemas(w: ProtoWriter, field: number, o: unknown): void {
  for (const [name, s] of entries(o)) {
    if (!isObject(s)) continue;
    w.message(field, (m) => { m.string(1, name); m.message(2, (v) => schema(v, s)); });
  }
}

function schema(w: ProtoWriter, s: Json): void {
  w.string(1, str(s.$ref));
  w.string(2, str(s.format));
  w.string(3, str(s.title));
  w.string(4, str(s.description));
  if (s.default !== undefined) w.message(5, (a) => any(a, s.default));
  w.double(6, num(s.multipleOf));
  w.double(7, num(s.maximum));
  w.bool(8, bool(s.exclusiveMaximum));
  w.double(9, num(s.minimum));
  w.bool(10, bool(s.exclusiveMinimum));
  w.int64(11, num(s.maxLength));
  w.int64(12, num(s.minLength));
  w.string(13, str(s.pattern));
  w.int64(14, num(s.maxItems));
  w.int64(15, num(s.minItems));
  w.bool(16, bool(s.uniqueItems));
  w.int64(17, num(s.maxProperties));
  w.int64(18, num(s.minProperties));
  w.strings(19, strs(s.required));
  for (const e of Array.isArray(s.enum) ? s.enum : []) w.message(20, (a) => any(a, e));
  const ap = s.additionalProperties;
  if (typeof ap === 'boolean') w.message(21, (m) => m.bool(2, ap, true));
  else if (isObject(ap)) w.message(21, (m) => m.message(1, (sub) => schema(sub, ap)));
  if (s.type !== undefined) w.message(22, (m) => m.strings(1, Array.isArray(s.type) ? strs(s.type) : strs([s.type])));
  if (s.items !== undefined) {
    const items = Array.isArray(s.items) ? s.items : [s.items];
    w.message(23, (m) => { for (const it of items) if (isObject(it)) m.message(1, (sub) => schema(sub, it)); });
  }
  for (const sub of Array.isArray(s.allOf) ? s.allOf : []) if (isObject(sub)) w.message(24, (m) => schema(m, sub));
  if (isObject(s.properties)) w.message(25, (m) => namedSchemas(m, 1, s.properties));
  w.string(26, str(s.discriminator));
  w.bool(27, bool(s.readOnly));
  if (s.example !== undefined) w.message(30, (a) => any(a, s.example));
  vendorExtensions(w, 31, s);
}

function securityDefinitions(w: ProtoWriter, o: Json): void {
  for (const [name, d] of entries(o)) {
    if (!isObject(d)) continue;
    w.message(1, (named) => {
      named.string(1, name);
      named.message(2, (item) => {
        if (d.type === 'basic') {
          item.message(1, (b) => { b.string(1, 'basic'); b.string(2, str(d.description)); vendorExtensions(b, 3, d); });
        } else if (d.type === 'apiKey') {
          item.message(2, (k) => { k.string(1, 'apiKey'); k.string(2, str(d.name)); k.string(3, str(d.in)); k.string(4, str(d.description)); vendorExtensions(k, 5, d); });
        }
        // OAuth2 flows are not used by skiff and are left out.
      });
    });
  }
}

function securityRequirement(w: ProtoWriter, req: unknown): void {
  for (const [name, scopes] of entries(req)) {
    w.message(1, (named) => { named.string(1, name); named.message(2, (arr) => arr.strings(1, strs(scopes))); });
  }
}
