// The kind an endpoint serves, from its schema's x-kubernetes-group-version-kind.
import type { Schema } from '../../api/schema/index.ts';

export function splitAPIVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

export function kindFromSchema(schema: Schema | undefined, apiVersion: string): string | undefined {
  const { group, version } = splitAPIVersion(apiVersion);
  return schema?.['x-kubernetes-group-version-kind']?.find((g) => g.group === group && g.version === version)?.kind;
}

/** Go's GroupVersionKind.String(): "apps/v1, Kind=Deployment", "/v1, Kind=Pod". */
export function gvkString(apiVersion: string, kind: string): string {
  const { group, version } = splitAPIVersion(apiVersion);
  return `${group}/${version}, Kind=${kind}`;
}
