// A CRD version's openAPIV3Schema as a definition of skiff's schema registry (src/api/schema),
// named as upstream's published OpenAPI names it (`com.example.stable.v1.CronTab`): the OpenAPI
// documents, pruning of unknown fields and server-side apply's list types then read it like a
// built-in kind's. Mirrors what apiextensions-apiserver pkg/controller/openapi/builder does.
import type { GVK, Schema } from '../../../api/schema/dsl.ts';
import type { JSONSchemaProps } from '../../../api/types/apiextensions-v1.ts';

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const LIST_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta';

/** `stable.example.com`, `v1`, `CronTab` → `com.example.stable.v1.CronTab` (upstream's reversed group). */
export function customDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

/** Strip CRD-only keys (CEL rules stay: explain and clients read them) and mark what pruning needs. */
function convert(s: JSONSchemaProps, root: boolean): Schema {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'properties' || k === 'items' || k === 'additionalProperties' || k === 'allOf' || k === 'anyOf' || k === 'oneOf' || k === 'not') continue;
    if (v === false || v === undefined) continue;
    out[k] = v;
  }
  if (s.properties) {
    const props: Record<string, Schema> = {};
    for (const [k, v] of Object.entries(s.properties)) props[k] = convert(v, false);
    out.properties = props;
  }
  if (s.items) out.items = convert(s.items, false);
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
    out.additionalProperties = typeof s.additionalProperties === 'object' ? convert(s.additionalProperties, false) : true;
  }
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) if (s[k]) out[k] = s[k].map((x) => convert(x, false));
  if (s.not) out.not = convert(s.not, false);
  if (s['x-kubernetes-embedded-resource'] || root) {
    const props = (out.properties ?? {}) as Record<string, Schema>;
    props.apiVersion ??= { type: 'string', description: 'The versioned schema of this representation of an object (group/version).' };
    props.kind ??= { type: 'string', description: 'The REST resource this object represents, in CamelCase.' };
    props.metadata = { $ref: OBJECT_META, description: "Standard object's metadata." };
    out.properties = props;
    out.type ??= 'object';
  }
  // An object schema naming no fields keeps none of them (structural pruning), unless told to
  // preserve them; the registry's pruning walk reads "no properties" as open, so say it.
  if (s.type === 'object' && !out.properties && out.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) {
    out.properties = {};
  }
  return out;
}

/** The definitions one CRD version contributes: the kind and its list. */
export function customDefinitions(gvk: GVK, listKind: string, schema: JSONSchemaProps | undefined): Record<string, Schema> {
  const base: JSONSchemaProps = schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
  const kindDef = convert(base, true);
  kindDef['x-kubernetes-group-version-kind'] = [gvk];
  const name = customDefinitionName(gvk.group, gvk.version, gvk.kind);
  const list: Schema = {
    type: 'object', description: `${listKind} is a list of ${gvk.kind}`, required: ['items'],
    properties: {
      apiVersion: { type: 'string' }, kind: { type: 'string' },
      items: { type: 'array', items: { $ref: name }, description: `List of ${gvk.kind.toLowerCase()}s.` },
      metadata: { $ref: LIST_META },
    },
    'x-kubernetes-group-version-kind': [{ ...gvk, kind: listKind }],
  };
  return { [name]: kindDef, [customDefinitionName(gvk.group, gvk.version, listKind)]: list };
}
