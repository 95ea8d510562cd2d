// One description of every built-in type, written as OpenAPI v3 schema objects. It feeds the
// OpenAPI v3/v2 documents (kubectl explain/apply), strict field validation (unknown fields),
// strategic merge patch (merge keys and strategies) and server-side apply (list types, map keys).
// References are bare definition names (`io.k8s.api.core.v1.PodSpec`); renderers turn them into
// `#/components/schemas/…` or `#/definitions/…`. Descriptions are skiff's own words.

export interface GVK { group: string; version: string; kind: string }

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, Schema>;
  additionalProperties?: Schema | boolean;
  items?: Schema;
  required?: string[];
  enum?: Array<string | number>;
  default?: unknown;
  $ref?: string;
  'x-kubernetes-patch-merge-key'?: string;
  'x-kubernetes-patch-strategy'?: string; // 'merge' | 'retainKeys' | 'merge,retainKeys' | 'replace'
  'x-kubernetes-list-type'?: 'atomic' | 'set' | 'map';
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: 'atomic' | 'granular';
  'x-kubernetes-int-or-string'?: true;
  'x-kubernetes-preserve-unknown-fields'?: true;
  'x-kubernetes-embedded-resource'?: true;
  'x-kubernetes-unions'?: unknown[];
  'x-kubernetes-group-version-kind'?: GVK[];
}

type Opt = { d?: string };

export const str = (d?: string, extra: Partial<Schema> = {}): Schema => ({ type: 'string', ...(d ? { description: d } : {}), ...extra });
export const enumStr = (values: string[], d?: string): Schema => str(d, { enum: values });
export const int = (d?: string): Schema => ({ type: 'integer', format: 'int32', ...(d ? { description: d } : {}) });
export const int64 = (d?: string): Schema => ({ type: 'integer', format: 'int64', ...(d ? { description: d } : {}) });
export const num = (d?: string): Schema => ({ type: 'number', format: 'double', ...(d ? { description: d } : {}) });
export const bool = (d?: string): Schema => ({ type: 'boolean', ...(d ? { description: d } : {}) });
export const bytes = (d?: string): Schema => ({ type: 'string', format: 'byte', ...(d ? { description: d } : {}) });
export const ref = (name: string, d?: string): Schema => ({ $ref: name, ...(d ? { description: d } : {}) });
export const strMap = (d?: string): Schema => ({ type: 'object', additionalProperties: { type: 'string', default: '' }, ...(d ? { description: d } : {}) });
export const mapOf = (of: Schema, d?: string): Schema => ({ type: 'object', additionalProperties: of, ...(d ? { description: d } : {}) });
export const any = (d?: string): Schema => ({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true, ...(d ? { description: d } : {}) });

// Shared apimachinery types, by their upstream definition names.
export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';
export const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
export const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';
export const LABEL_SELECTOR = 'io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector';
export const CONDITION = 'io.k8s.apimachinery.pkg.apis.meta.v1.Condition';

export const quantity = (d?: string): Schema => ref(QUANTITY, d);
export const intOrString = (d?: string): Schema => ref(INT_OR_STRING, d);
export const time = (d?: string): Schema => ref(TIME, d);

export interface ArrOpts extends Opt {
  /** Strategic merge: merge list items by this key (x-kubernetes-patch-merge-key + strategy merge). */
  mergeKey?: string;
  /** Strategic merge strategy without a key (e.g. 'merge' for primitive sets like finalizers). */
  strategy?: string;
  /** Server-side apply list semantics. Defaults: 'map' with mapKeys [mergeKey] when mergeKey is set, else 'atomic'. */
  listType?: 'atomic' | 'set' | 'map';
  mapKeys?: string[];
}

export function arr(items: Schema, o: ArrOpts = {}): Schema {
  const s: Schema = { type: 'array', items };
  if (o.d) s.description = o.d;
  if (o.mergeKey) {
    s['x-kubernetes-patch-merge-key'] = o.mergeKey;
    s['x-kubernetes-patch-strategy'] = o.strategy ?? 'merge';
  } else if (o.strategy) s['x-kubernetes-patch-strategy'] = o.strategy;
  const lt = o.listType ?? (o.mergeKey ? 'map' : undefined);
  if (lt) s['x-kubernetes-list-type'] = lt;
  if (lt === 'map') s['x-kubernetes-list-map-keys'] = o.mapKeys ?? (o.mergeKey ? [o.mergeKey] : []);
  return s;
}

export function obj(properties: Record<string, Schema>, o: Opt & { required?: string[]; extra?: Partial<Schema> } = {}): Schema {
  const s: Schema = { type: 'object', properties };
  if (o.d) s.description = o.d;
  if (o.required?.length) s.required = o.required;
  return { ...s, ...o.extra };
}

/** A top-level kind: adds apiVersion, kind, metadata and the GVK extension. */
export function kind(gvks: GVK[], properties: Record<string, Schema>, o: Opt & { required?: string[]; list?: boolean } = {}): Schema {
  const s = obj({
    apiVersion: str('The versioned schema of this representation of an object (group/version).'),
    kind: str('The REST resource this object represents, in CamelCase.'),
    metadata: ref(o.list ? LIST_META : OBJECT_META, o.list ? 'Standard list metadata.' : "Standard object's metadata."),
    ...properties,
  }, o);
  s['x-kubernetes-group-version-kind'] = gvks;
  return s;
}

/** A list kind for an item definition. */
export function listKind(gvks: GVK[], itemDef: string, d?: string): Schema {
  return kind(gvks, { items: arr(ref(itemDef), { d: d ?? 'The list of objects.' }) }, { required: ['items'], list: true });
}

export type Definitions = Record<string, Schema>;
