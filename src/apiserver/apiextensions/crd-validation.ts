// Validation and defaults of CustomResourceDefinitions
// (apiextensions-apiserver pkg/apis/apiextensions/validation/validation.go and v1/defaults.go).
import type { FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { CRD_CLEANUP_FINALIZER, type CustomResourceDefinition, type CustomResourceDefinitionNames } from '../../api/types/apiextensions-v1.ts';
import { isDNS1035Label, isDNS1123Subdomain } from '../../api/validation/names.ts';
import { validateObjectMeta } from '../../api/validation/object-meta.ts';
import { validateRuleDefinitions } from './schema/cel-rules.ts';
import { validateStructuralSchema } from './schema/structural.ts';

type Obj = Record<string, any>;

const req = (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail });
const bad = (field: string, badValue: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, detail, badValue });

/** spec.names.singular and listKind, conversion None (SetDefaults_CustomResourceDefinitionSpec). */
export function defaultCRD(obj: KubeObject): void {
  const spec = obj.spec as Obj | undefined;
  if (!spec || typeof spec !== 'object') return;
  const names = spec.names as Obj | undefined;
  if (names && typeof names === 'object') {
    if (!names.singular && typeof names.kind === 'string') names.singular = names.kind.toLowerCase();
    if (!names.listKind && typeof names.kind === 'string' && names.kind) names.listKind = `${names.kind}List`;
  }
  spec.conversion ??= { strategy: 'None' };
}

function validateNames(n: Partial<CustomResourceDefinitionNames> | undefined, path: string): FieldError[] {
  const out: FieldError[] = [];
  const names = n ?? {};
  const label = (field: string, v: string | undefined, lower = false): void => {
    if (!v) return;
    for (const m of isDNS1035Label(lower ? v.toLowerCase() : v)) out.push(bad(`${path}.${field}`, v, m));
  };
  if (!names.plural) out.push(req(`${path}.plural`));
  label('plural', names.plural);
  if (!names.singular) out.push(req(`${path}.singular`));
  label('singular', names.singular);
  if (!names.kind) out.push(req(`${path}.kind`));
  label('kind', names.kind, true);
  if (!names.listKind) out.push(req(`${path}.listKind`));
  label('listKind', names.listKind, true);
  if (names.kind && names.kind === names.listKind) out.push(bad(`${path}.listKind`, names.listKind, 'kind and listKind may not be the same'));
  (names.shortNames ?? []).forEach((s, i) => {
    for (const m of isDNS1035Label(s)) out.push(bad(`${path}.shortNames[${i}]`, s, m));
  });
  (names.categories ?? []).forEach((s, i) => {
    for (const m of isDNS1035Label(s)) out.push(bad(`${path}.categories[${i}]`, s, m));
  });
  return out;
}

export function validateCRD(obj: KubeObject): FieldError[] {
  const crd = obj as CustomResourceDefinition;
  // apimachinery's ValidateObjectMeta, which apiextensions uses, takes any qualified finalizer
  // name: the cleanup finalizer is not one of core's standard names.
  const out = validateObjectMeta(crd.metadata, { namespaced: false, nameCheck: isDNS1123Subdomain })
    .filter((e) => !(e.field.startsWith('metadata.finalizers') && e.badValue === CRD_CLEANUP_FINALIZER));
  const spec = (crd.spec ?? {}) as Partial<CustomResourceDefinition['spec']>;
  const name = crd.metadata.name ?? '';
  if (name && spec.names?.plural && spec.group && name !== `${spec.names.plural}.${spec.group}`) {
    out.push(bad('metadata.name', name, 'must be spec.names.plural+"."+spec.group'));
  }
  if (!spec.group) out.push(req('spec.group'));
  else {
    for (const m of isDNS1123Subdomain(spec.group)) out.push(bad('spec.group', spec.group, m));
    if (spec.group.split('.').length < 2) out.push(bad('spec.group', spec.group, 'should be a domain with at least one dot'));
  }
  // Groups of the Kubernetes project need an approved API review (apiextensions' apiapproval).
  if (spec.group && /(^|\.)(k8s|kubernetes)\.io$/.test(spec.group) && !crd.metadata.annotations?.['api-approved.kubernetes.io']) {
    out.push(req('metadata.annotations[api-approved.kubernetes.io]', 'protected groups must have approval annotation "api-approved.kubernetes.io", see https://github.com/kubernetes/enhancements/pull/1111'));
  }
  if (!spec.scope) out.push(req('spec.scope'));
  else if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') {
    out.push({ type: 'FieldValueNotSupported', field: 'spec.scope', badValue: spec.scope, detail: 'supported values: "Cluster", "Namespaced"' });
  }
  out.push(...validateNames(spec.names, 'spec.names'));
  const versions = Array.isArray(spec.versions) ? spec.versions : [];
  if (versions.length === 0) out.push(req('spec.versions', 'must have exactly one version marked as storage version'));
  const storage = versions.filter((v) => v.storage).length;
  if (versions.length && storage !== 1) out.push(bad('spec.versions', versions.map((v) => v.name), 'must have exactly one version marked as storage version'));
  const seen = new Set<string>();
  versions.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (!v.name) out.push(req(`${p}.name`));
    else {
      for (const m of isDNS1035Label(v.name)) out.push(bad(`${p}.name`, v.name, m));
      if (seen.has(v.name)) out.push(bad('spec.versions', versions.map((x) => x.name), 'must contain unique version names'));
      seen.add(v.name);
    }
    const schema = v.schema?.openAPIV3Schema;
    if (!schema) out.push(req(`${p}.schema.openAPIV3Schema`, 'schemas are required'));
    else {
      out.push(...validateStructuralSchema(schema, `${p}.schema.openAPIV3Schema`));
      validateRuleDefinitions(schema, `${p}.schema.openAPIV3Schema`, out);
    }
    const scale = v.subresources?.scale;
    if (scale) {
      const sp = `${p}.subresources.scale`;
      if (!scale.specReplicasPath) out.push(req(`${sp}.specReplicasPath`));
      else if (!scale.specReplicasPath.startsWith('.spec.')) out.push(bad(`${sp}.specReplicasPath`, scale.specReplicasPath, 'should be a json path under .spec'));
      if (!scale.statusReplicasPath) out.push(req(`${sp}.statusReplicasPath`));
      else if (!scale.statusReplicasPath.startsWith('.status.')) out.push(bad(`${sp}.statusReplicasPath`, scale.statusReplicasPath, 'should be a json path under .status'));
      if (scale.labelSelectorPath && !/^\.(spec|status)\./.test(scale.labelSelectorPath)) out.push(bad(`${sp}.labelSelectorPath`, scale.labelSelectorPath, 'should be a json path under either .spec or .status'));
    }
    (v.additionalPrinterColumns ?? []).forEach((c, j) => {
      const cp = `${p}.additionalPrinterColumns[${j}]`;
      if (!c.name) out.push(req(`${cp}.name`));
      if (!c.type) out.push(req(`${cp}.type`));
      else if (!['integer', 'number', 'string', 'boolean', 'date'].includes(c.type)) out.push({ type: 'FieldValueNotSupported', field: `${cp}.type`, badValue: c.type, detail: 'supported values: "boolean", "date", "integer", "number", "string"' });
      if (!c.jsonPath) out.push(req(`${cp}.jsonPath`));
    });
  });
  if (!versions.some((v) => v.served) && versions.length) out.push(bad('spec.versions', versions.map((v) => v.name), 'must have at least one version marked as served'));
  const strategy = spec.conversion?.strategy;
  if (strategy !== undefined && strategy !== 'None' && strategy !== 'Webhook') {
    out.push({ type: 'FieldValueNotSupported', field: 'spec.conversion.strategy', badValue: strategy, detail: 'supported values: "None", "Webhook"' });
  }
  if (strategy === 'Webhook') out.push({ type: 'FieldValueForbidden', field: 'spec.conversion.strategy', detail: 'webhook conversion is not supported by this server' });
  if (spec.preserveUnknownFields === true) out.push(bad('spec.preserveUnknownFields', true, 'must be false in order to use defaults in the schema'));
  return out;
}

export function validateCRDUpdate(obj: KubeObject, old: KubeObject): FieldError[] {
  const out = validateCRD(obj);
  const spec = (obj.spec ?? {}) as Obj;
  const oldSpec = (old.spec ?? {}) as Obj;
  if (spec.scope !== oldSpec.scope) out.push(bad('spec.scope', spec.scope, 'field is immutable'));
  // Every version objects were stored in must stay a version (status.storedVersions).
  const stored = ((old.status as Obj | undefined)?.storedVersions ?? []) as string[];
  const names = new Set(((spec.versions ?? []) as Obj[]).map((v) => v.name as string));
  for (const v of stored) {
    if (!names.has(v)) out.push(bad('status.storedVersions', stored, `must have the storage version ${v} in spec.versions`));
  }
  return out;
}
