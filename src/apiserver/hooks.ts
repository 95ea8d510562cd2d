// The kind-specific pieces the generic registry calls: defaults, validation, managedFields.
import type { KubeObject } from '../api/meta.ts';
import { definitionNameFor } from '../api/schema/index.ts';
import { applyDefaults } from '../api/defaults/index.ts';
import { validateCreate, validateUpdate } from '../api/validation/index.ts';
import { updateManagedFields } from './apply/index.ts';
import { rfc3339, type RegistryHooks } from './registry/registry.ts';

export const builtinHooks: RegistryHooks = {
  defaults: applyDefaults,
  validateCreate,
  validateUpdate,
  managedFields(old: KubeObject | undefined, next: KubeObject, ctx, subresource) {
    if (ctx.applied) return next.metadata.managedFields;
    const [group, version] = ctx.apiVersion.includes('/') ? ctx.apiVersion.split('/') as [string, string] : ['', ctx.apiVersion];
    const defName = definitionNameFor(group, version, String(next.kind ?? old?.kind ?? ''));
    if (!defName) return next.metadata.managedFields;
    return updateManagedFields({
      old, next, manager: ctx.manager, defName, apiVersion: ctx.apiVersion, now: rfc3339(ctx.now),
      ...(subresource && subresource !== 'scale' ? { subresource } : {}),
    });
  },
};
