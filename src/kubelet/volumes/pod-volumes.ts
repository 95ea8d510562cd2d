// The VolumeManager behind the pod workers' PodVolumePlugin seam (src/kubelet/pods/plugins.ts),
// plus the periodic re-sync that carries ConfigMap/Secret/label changes into running pods (upstream
// the volume reconciler remounts these volumes on every pass of pkg/kubelet/volumemanager).
import { setTimeout as delay } from 'node:timers/promises';
import type { Container, Pod } from '../../api/types/core-v1.ts';
import type { VolumeMount } from '../../runtime/oci-spec.ts';
import { resolveContainerEnv } from '../env/index.ts';
import type { NodeFacts } from '../env/index.ts';
import type { PodVolumePlugin } from '../pods/plugins.ts';
import type { MountVolumeError } from './errors.ts';
import type { VolumeInfo, VolumeSources } from './types.ts';
import { VolumeManager } from './volume-manager.ts';

export interface PodVolumesOptions {
  /** <dataDir>/pods: volumes go to <podsDir>/<uid>/volumes. */
  podsDir: string;
  sources: VolumeSources;
  /** The node's facts now (allocatable may change). */
  node: () => NodeFacts;
  /** How often running pods' configMap/secret/downwardAPI/projected volumes are re-synced. */
  resyncMs?: number;
  /** A re-sync failed for one volume: record a FailedMount Warning on the pod. */
  onRefreshError?: (pod: Pod, err: MountVolumeError) => void;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

export class PodVolumes implements PodVolumePlugin {
  readonly manager: VolumeManager;
  readonly #o: PodVolumesOptions;
  readonly #pods = new Map<string, { pod: Pod; paths: Map<string, VolumeInfo> }>();

  constructor(options: PodVolumesOptions) {
    this.#o = options;
    const managerOptions: ConstructorParameters<typeof VolumeManager>[0] = { podsDir: options.podsDir, sources: options.sources };
    if (options.log) managerOptions.log = options.log;
    this.manager = new VolumeManager(managerOptions);
  }

  /** Throws VolumeSetUpFailed; its message joins the per-volume FailedMount messages with "; ". */
  async setUp(pod: Pod): Promise<void> {
    const paths = await this.manager.setUp(pod, this.#o.node());
    this.#pods.set(pod.metadata.uid ?? '', { pod, paths });
  }

  async mountsFor(pod: Pod, container: Container): Promise<VolumeMount[]> {
    const uid = pod.metadata.uid ?? '';
    if (!this.#pods.has(uid)) await this.setUp(pod);
    const paths = this.#pods.get(uid)?.paths ?? new Map<string, VolumeInfo>();
    let env: string[] = [];
    if (container.volumeMounts?.some((m) => m.subPathExpr)) {
      const podIPs = (pod.status?.podIPs ?? []).map((p) => p.ip);
      env = (await resolveContainerEnv({ pod, container, sources: this.#o.sources, node: this.#o.node(), podIPs })).env;
    }
    return this.manager.containerMounts(pod, container, paths, env);
  }

  async tearDown(uid: string): Promise<void> {
    this.#pods.delete(uid);
    await this.manager.tearDown(uid);
  }

  /** Re-syncs every set-up pod once. */
  async refreshAll(): Promise<void> {
    for (const { pod } of [...this.#pods.values()]) {
      for (const err of await this.manager.refresh(pod)) this.#o.onRefreshError?.(pod, err);
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    const every = this.#o.resyncMs ?? 10_000;
    while (!signal.aborted) {
      try {
        await delay(every, undefined, { signal });
      } catch {
        break; // aborted
      }
      try {
        await this.refreshAll();
      } catch (err) {
        this.#o.log?.('volume re-sync failed', { err: (err as Error).message });
      }
    }
  }
}
