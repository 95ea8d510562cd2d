// Registry hooks for CustomResourceDefinitions and for the custom resources they define: what the
// generic registry calls to default and validate (apiextensions-apiserver
// pkg/registry/customresourcedefinition/strategy.go and pkg/registry/customresource/strategy.go).
import type { FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { lookupResource, parseApiVersion, type ResourceInfo } from '../../api/scheme.ts';
import { isValidPathSegmentName } from '../../api/validation/names.ts';
import { validateObjectMeta } from '../../api/validation/object-meta.ts';
import type { RegistryHooks, WriteContext } from '../registry/registry.ts';
import { defaultCRD, validateCRD, validateCRDUpdate } from './crd-validation.ts';
import { validateRules } from './schema/cel-rules.ts';
import { applySchemaDefaults } from './schema/defaults.ts';
import { validateValue } from './schema/validate.ts';


export function crdHooks(base: RegistryHooks): RegistryHooks {
  return {
    defaults(info, obj) { base.defaults(info, obj); defaultCRD(obj); },
    validateCreate: (_info, obj) => validateCRD(obj),
    validateUpdate: (_info, obj, old) => validateCRDUpdate(obj, old),
    managedFields: (old, next, ctx, sub) => base.managedFields(old, next, ctx, sub),
  };
}

function validateCustomObject(info: ResourceInfo, obj: KubeObject): FieldError[] {
  const errs = validateObjectMeta(obj.metadata, { namespaced: info.namespaced, nameCheck: isValidPathSegmentName });
  const schema = info.custom?.schema;
  if (schema) {
    // ObjectMeta is checked above, as upstream: the schema's metadata only constrains name and generateName.
    const { metadata: _m, ...rest } = obj;
    const withoutMeta = { ...rest, ...(schema.properties?.metadata ? { metadata: { name: obj.metadata.name, generateName: obj.metadata.generateName } } : {}) };
    if (withoutMeta.metadata) {
      for (const k of ['name', 'generateName'] as const) if (withoutMeta.metadata[k] === undefined) delete withoutMeta.metadata[k];
    }
    validateValue(schema, withoutMeta, '', errs);
  }
  return errs;
}

/**
 * CEL rules run unless the schema found a type error or a missing required field, which would
 * make rules fail for the wrong reason (customresource/strategy.go hasBlockingErr).
 */
function withRules(info: ResourceInfo, obj: KubeObject, old: KubeObject | undefined, errs: FieldError[]): FieldError[] {
  const schema = info.custom?.schema;
  if (!schema || errs.some((e) => e.type === 'FieldValueTypeInvalid' || e.type === 'FieldValueRequired')) return errs;
  return [...errs, ...validateRules(schema, obj, old)];
}

/** The version the client wrote in: its schema applies (the registry holds the storage version). */
function requestVersion(info: ResourceInfo, ctx: WriteContext | undefined): ResourceInfo {
  if (!ctx) return info;
  const { group, version } = parseApiVersion(ctx.apiVersion);
  return (group === info.group && lookupResource(group, version, info.resource)) || info;
}

export function customResourceHooks(base: RegistryHooks): RegistryHooks {
  return {
    defaults(info, obj, ctx) { applySchemaDefaults(requestVersion(info, ctx).custom?.schema, obj); },
    validateCreate(info, obj, ctx) {
      const v = requestVersion(info, ctx);
      return withRules(v, obj, undefined, validateCustomObject(v, obj));
    },
    validateUpdate(info, obj, old, ctx) {
      const v = requestVersion(info, ctx);
      return withRules(v, obj, old, validateCustomObject(v, obj));
    },
    managedFields: (old, next, ctx, sub) => base.managedFields(old, next, ctx, sub),
  };
}
