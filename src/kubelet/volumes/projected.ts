// projected volumes, as pkg/volume/projected/projected.go collectData: the sources are merged
// into one payload; every source's error is collected and reported together.
import type { Pod, VolumeProjection } from '../../api/types/core-v1.ts';
import type { NodeFacts } from '../env/index.ts';
import type { Payload } from './atomic-writer.ts';
import { VolumeError, VolumeSourceNotFound } from './errors.ts';
import { configMapPayload, downwardApiPayload, secretPayload } from './payload.ts';
import type { TokenCache } from './token-cache.ts';
import type { VolumeSources } from './types.ts';

/** utilerrors.NewAggregate's wording: one error as itself, several as `[a, b]`. */
export function aggregate(errors: string[]): VolumeError | undefined {
  if (errors.length === 0) return undefined;
  return new VolumeError(errors.length === 1 ? (errors[0] ?? '') : `[${errors.join(', ')}]`);
}

export async function projectedPayload(
  pod: Pod,
  projections: VolumeProjection[],
  defaultMode: number,
  sources: VolumeSources,
  node: NodeFacts,
  tokens: TokenCache,
): Promise<Payload> {
  const ns = pod.metadata.namespace ?? 'default';
  const payload: Payload = new Map();
  const errors: string[] = [];
  const merge = (p: Payload): void => {
    for (const [k, v] of p) payload.set(k, v);
  };
  for (const source of projections) {
    try {
      if (source.configMap) {
        const { name = '', items, optional = false } = source.configMap;
        const cm = await sources.getConfigMap(ns, name);
        if (!cm && !optional) throw new VolumeSourceNotFound('configmap', name);
        merge(configMapPayload(cm ?? { metadata: { name } }, items, defaultMode, optional));
      } else if (source.secret) {
        const { name = '', items, optional = false } = source.secret;
        const secret = await sources.getSecret(ns, name);
        if (!secret && !optional) throw new VolumeSourceNotFound('secret', name);
        merge(secretPayload(secret ?? { metadata: { name } }, items, defaultMode, optional));
      } else if (source.downwardAPI) {
        merge(downwardApiPayload(pod, source.downwardAPI.items, defaultMode, node.allocatable));
      } else if (source.serviceAccountToken) {
        const tp = source.serviceAccountToken;
        const token = await tokens.get(ns, pod.spec?.serviceAccountName || 'default', tp.audience || undefined, tp.expirationSeconds ?? 3600, {
          name: pod.metadata.name ?? '',
          uid: pod.metadata.uid ?? '',
        });
        payload.set(tp.path, { data: Buffer.from(token, 'utf8'), mode: defaultMode });
      }
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  const err = aggregate(errors);
  if (err) throw err;
  return payload;
}
