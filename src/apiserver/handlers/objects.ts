// Shaping objects for the response: version conversion, list envelopes, metadata-only forms.
import type { KubeObject } from '../../api/meta.ts';
import { apiVersionOf, type ResourceInfo } from '../../api/scheme.ts';
import type { CachedObject } from '../cache/watch-cache.ts';
import { fromStorage, isStorageVersion } from '../registry/convert.ts';

/** The object as served in this version, with apiVersion and kind set. */
export function served(info: ResourceInfo, obj: KubeObject): KubeObject {
  const out = fromStorage(info, obj);
  return { ...out, apiVersion: apiVersionOf(info), kind: info.kind };
}

/** JSON of a cached object as served; reuses the cached serialization when no conversion is needed. */
export function servedJson(info: ResourceInfo, o: CachedObject): string {
  if (isStorageVersion(info) && o.obj.apiVersion === apiVersionOf(info) && o.obj.kind === info.kind) return o.json;
  return JSON.stringify(served(info, o.obj));
}

export function listJson(info: ResourceInfo, itemsJson: string[], meta: { resourceVersion: string; continue?: string; remainingItemCount?: number }): string {
  return `{"kind":${JSON.stringify(info.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(info))},"metadata":${JSON.stringify(meta)},"items":[${itemsJson.join(',')}]}`;
}

export function partialMetadata(obj: KubeObject, apiVersion: string): object {
  return { kind: 'PartialObjectMetadata', apiVersion, metadata: obj.metadata };
}
