// Structural schema rules a CRD version's openAPIV3Schema must follow in apiextensions.k8s.io/v1
// (apiextensions-apiserver pkg/apiserver/schema/validation.go ValidateStructural, and the
// extension checks of pkg/apis/apiextensions/validation/validation.go), with upstream's messages.
import type { FieldError } from '../../../api/errors.ts';
import type { JSONSchemaProps } from '../../../api/types/apiextensions-v1.ts';

const TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];

const forbid = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });
const need = (field: string, detail: string): FieldError => ({ type: 'FieldValueRequired', field, detail });
const bad = (field: string, badValue: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, detail, badValue });

/** Errors of a version's schema at `path` (…schema.openAPIV3Schema). */
export function validateStructuralSchema(s: JSONSchemaProps, path: string): FieldError[] {
  const out: FieldError[] = [];
  if (s.type !== undefined && s.type !== 'object') out.push(bad(`${path}.type`, s.type, 'must be object at the root'));
  if (s.type === undefined && !s['x-kubernetes-preserve-unknown-fields']) out.push(need(`${path}.type`, 'must not be empty at the root'));
  walk(s, path, out, { root: true, valueValidation: false });
  return out;
}

interface Ctx { root: boolean; valueValidation: boolean }

function walk(s: JSONSchemaProps, path: string, out: FieldError[], ctx: Ctx): void {
  if (s.$ref !== undefined) out.push(forbid(`${path}.$ref`, '$ref is not supported'));
  if (s.type !== undefined && !TYPES.includes(s.type)) out.push({ type: 'FieldValueNotSupported', field: `${path}.type`, badValue: s.type, detail: `supported values: ${TYPES.map((t) => JSON.stringify(t)).join(', ')}` });
  for (const k of ['additionalItems', 'patternProperties', 'definitions', 'dependencies'] as const) {
    if (s[k] !== undefined) out.push(forbid(`${path}.${k}`, `${k} is not supported`));
  }
  if (s.uniqueItems === true) out.push(forbid(`${path}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  if ((s as { 'x-kubernetes-preserve-unknown-fields'?: unknown })['x-kubernetes-preserve-unknown-fields'] === false) {
    out.push(bad(`${path}.x-kubernetes-preserve-unknown-fields`, false, 'must be true or undefined'));
  }
  if (s['x-kubernetes-int-or-string'] && s.type !== undefined) out.push(bad(`${path}.type`, s.type, 'must be empty if x-kubernetes-int-or-string is true'));
  if (ctx.valueValidation) {
    // Inside allOf/anyOf/oneOf/not only value validations: no types, defaults or extensions.
    for (const k of ['type', 'default', 'nullable', 'additionalProperties', 'x-kubernetes-preserve-unknown-fields', 'x-kubernetes-embedded-resource', 'x-kubernetes-int-or-string', 'x-kubernetes-list-type', 'x-kubernetes-map-type'] as const) {
      if (s[k] !== undefined && s[k] !== false) out.push(forbid(`${path}.${k}`, 'must be empty to be structural'));
    }
  } else if (!ctx.root && s.type === undefined && !s['x-kubernetes-int-or-string'] && !s['x-kubernetes-preserve-unknown-fields']) {
    out.push(need(`${path}.type`, 'must not be empty for specified object fields'));
  }
  if (s.properties && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    out.push(forbid(`${path}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
  }
  if (s.type === 'array' && !s.items && !ctx.valueValidation) out.push(need(`${path}.items`, 'must be specified'));
  if (s['x-kubernetes-embedded-resource'] && s.type !== 'object') out.push(bad(`${path}.type`, s.type ?? '', 'must be object if x-kubernetes-embedded-resource is true'));
  const lt = s['x-kubernetes-list-type'];
  if (lt !== undefined) {
    if (!['atomic', 'set', 'map'].includes(lt)) out.push({ type: 'FieldValueNotSupported', field: `${path}.x-kubernetes-list-type`, badValue: lt, detail: 'supported values: "atomic", "set", "map"' });
    if (s.type !== 'array' && !ctx.valueValidation) out.push(bad(`${path}.type`, s.type ?? '', 'must be array if x-kubernetes-list-type is specified'));
    if (lt === 'map') {
      const keys = s['x-kubernetes-list-map-keys'] ?? [];
      if (keys.length === 0) out.push(need(`${path}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
      if (s.items && s.items.type !== 'object') out.push(bad(`${path}.items.type`, s.items.type ?? '', 'must be object if parent array\'s x-kubernetes-list-type is map'));
      for (const k of keys) {
        const ks = s.items?.properties?.[k];
        if (!ks) out.push(need(`${path}.items.properties[${k}]`, 'entries for x-kubernetes-list-map-keys must be properties'));
        else if (!(s.items?.required ?? []).includes(k) && ks.default === undefined) out.push(need(`${path}.items.properties[${k}]`, 'all map keys must be required or have a default value'));
      }
    }
  } else if (s['x-kubernetes-list-map-keys'] !== undefined) {
    out.push(bad(`${path}.x-kubernetes-list-type`, '', 'must be map if x-kubernetes-list-map-keys is non-empty'));
  }
  if (s.pattern !== undefined) {
    try { new RegExp(s.pattern, 'u'); } catch { out.push(bad(`${path}.pattern`, s.pattern, 'must be a valid regular expression')); }
  }
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    const p = `${path}.properties[${k}]`;
    if (ctx.root && k === 'metadata' && !ctx.valueValidation) checkRootMetadata(v, p, out);
    walk(v, p, out, { root: false, valueValidation: ctx.valueValidation });
  }
  if (s.items) walk(s.items, `${path}.items`, out, { root: false, valueValidation: ctx.valueValidation });
  if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${path}.additionalProperties`, out, { root: false, valueValidation: ctx.valueValidation });
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    (s[k] ?? []).forEach((sub, i) => walk(sub, `${path}.${k}[${i}]`, out, { root: false, valueValidation: true }));
  }
  if (s.not) walk(s.not, `${path}.not`, out, { root: false, valueValidation: true });
}

/** Only metadata.name and metadata.generateName may be constrained (the rest is ObjectMeta's). */
function checkRootMetadata(s: JSONSchemaProps, path: string, out: FieldError[]): void {
  if (s.type !== undefined && s.type !== 'object') out.push(bad(`${path}.type`, s.type, 'must be object'));
  const extra = Object.keys(s.properties ?? {}).filter((k) => k !== 'name' && k !== 'generateName');
  const other = Object.keys(s).filter((k) => !['type', 'properties', 'description'].includes(k));
  if (extra.length || other.length) out.push(forbid(path, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
}
