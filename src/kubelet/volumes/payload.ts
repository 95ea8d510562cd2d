// What a configMap, secret or downwardAPI volume (or projection) contains, as MakePayload in
// pkg/volume/configmap/configmap.go and pkg/volume/secret/secret.go, and CollectData in
// pkg/volume/downwardapi/downwardapi.go.
import type { ConfigMap, DownwardAPIVolumeFile, KeyToPath, Pod, ResourceList, Secret } from '../../api/types/core-v1.ts';
import { extractFieldPathAsString, resourceValueForContainer } from '../env/index.ts';
import type { Payload } from './atomic-writer.ts';
import { VolumeError } from './errors.ts';

/** 0644, the API's default for defaultMode. */
export const DEFAULT_MODE = 0o644;

function keyedPayload(
  strings: Readonly<Record<string, string>>,
  bytes: Readonly<Record<string, string>>,
  items: KeyToPath[] | undefined,
  defaultMode: number,
  optional: boolean,
  missing: (key: string) => string,
): Payload {
  const payload: Payload = new Map();
  const value = (key: string): Buffer | undefined => {
    const s = strings[key];
    if (s !== undefined) return Buffer.from(s, 'utf8');
    const b = bytes[key];
    return b === undefined ? undefined : Buffer.from(b, 'base64');
  };
  if (!items || items.length === 0) {
    for (const key of [...Object.keys(strings), ...Object.keys(bytes)]) payload.set(key, { data: value(key) ?? Buffer.alloc(0), mode: defaultMode });
    return payload;
  }
  for (const item of items) {
    const data = value(item.key);
    if (data === undefined) {
      if (optional) continue;
      throw new VolumeError(missing(item.key));
    }
    payload.set(item.path, { data, mode: item.mode ?? defaultMode });
  }
  return payload;
}

export function configMapPayload(cm: ConfigMap, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean): Payload {
  return keyedPayload(cm.data ?? {}, cm.binaryData ?? {}, items, defaultMode, optional, (k) => `configmap references non-existent config key: ${k}`);
}

/** Secret `data` values are base64 (Go's []byte on the wire). */
export function secretPayload(secret: Secret, items: KeyToPath[] | undefined, defaultMode: number, optional: boolean): Payload {
  return keyedPayload({}, secret.data ?? {}, items, defaultMode, optional, (k) => `references non-existent secret key: ${k}`);
}

/** Downward API files: metadata fieldRefs and resourceFieldRefs (limits default to allocatable). */
export function downwardApiPayload(pod: Pod, items: DownwardAPIVolumeFile[] | undefined, defaultMode: number, allocatable: ResourceList): Payload {
  const payload: Payload = new Map();
  const errors: string[] = [];
  for (const item of items ?? []) {
    let text: string | undefined;
    try {
      if (item.fieldRef) text = extractFieldPathAsString(pod, item.fieldRef.fieldPath);
      else if (item.resourceFieldRef) text = resourceValueForContainer(item.resourceFieldRef, pod, item.resourceFieldRef.containerName ?? '', allocatable);
    } catch (err) {
      errors.push((err as Error).message);
      continue;
    }
    payload.set(item.path, { data: Buffer.from(text ?? '', 'utf8'), mode: item.mode ?? defaultMode });
  }
  // utilerrors.NewAggregate formats one error as itself and several as "[a, b]".
  if (errors.length === 1) throw new VolumeError(errors[0] ?? '');
  if (errors.length > 1) throw new VolumeError(`[${errors.join(', ')}]`);
  return payload;
}
