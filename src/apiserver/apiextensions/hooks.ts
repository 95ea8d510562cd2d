// Registry hooks for CustomResourceDefinitions and for the custom resources they define: what the
// generic registry calls to default and validate (apiextensions-apiserver
// pkg/registry/customresourcedefinition/strategy.go and pkg/registry/customresource/strategy.go).
import type { FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { ResourceInfo } from '../../api/scheme.ts';
import { isValidPathSegmentName } from '../../api/validation/names.ts';
import { validateObjectMeta } from '../../api/validation/object-meta.ts';
import type { RegistryHooks } from '../registry/registry.ts';
import { defaultCRD, validateCRD, validateCRDUpdate } from './crd-validation.ts';
import { applySchemaDefaults } from './schema/defaults.ts';
import { validateValue } from './schema/validate.ts';

/** Checks of x-kubernetes-validations rules, when a CEL implementation is wired in. */
export type RuleChecker = (info: ResourceInfo, obj: KubeObject, old: KubeObject | undefined) => FieldError[];

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

export function customResourceHooks(base: RegistryHooks, rules?: () => RuleChecker | undefined): RegistryHooks {
  return {
    defaults(info, obj) { applySchemaDefaults(info.custom?.schema, obj); },
    validateCreate(info, obj) {
      const errs = validateCustomObject(info, obj);
      return errs.length ? errs : (rules?.()?.(info, obj, undefined) ?? []);
    },
    validateUpdate(info, obj, old) {
      const errs = validateCustomObject(info, obj);
      return errs.length ? errs : (rules?.()?.(info, obj, old) ?? []);
    },
    managedFields: (old, next, ctx, sub) => base.managedFields(old, next, ctx, sub),
  };
}
