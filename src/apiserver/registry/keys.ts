// Where objects live in the store: /registry/<group|core>/<resource>/[<namespace>/]<name>.
import type { ResourceInfo } from '../../api/scheme.ts';

export function resourcePrefix(info: Pick<ResourceInfo, 'storage'>): string {
  return `/registry/${info.storage.group || 'core'}/${info.storage.resource}/`;
}

/** Prefix of every object of a resource, or of one namespace's objects. */
export function listPrefix(info: Pick<ResourceInfo, 'storage' | 'namespaced'>, namespace: string): string {
  return info.namespaced && namespace ? `${resourcePrefix(info)}${namespace}/` : resourcePrefix(info);
}

export function objectKey(info: Pick<ResourceInfo, 'storage' | 'namespaced'>, namespace: string, name: string): string {
  return info.namespaced ? `${resourcePrefix(info)}${namespace}/${name}` : `${resourcePrefix(info)}${name}`;
}
