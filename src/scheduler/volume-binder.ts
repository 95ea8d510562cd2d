// The scheduler's side of binding a pod's claims (pkg/scheduler/framework/plugins/volumebinding/
// binder.go AssumePodVolumes, BindPodVolumes, checkBindings): once a node is chosen, a volume
// picked for a WaitForFirstConsumer claim is pre-bound (its claimRef set) and a claim to provision
// gets the volume.kubernetes.io/selected-node annotation; then the pod waits, before its own
// binding, until the PV controller (and the provisioner) have bound every claim, so the kubelet
// only ever sees bound claims. Chosen volumes are held back from later pods meanwhile.
import { isConflict, isNotFound } from '../api/errors.ts';
import type { PersistentVolume, PersistentVolumeClaim } from '../api/types/core-v1.ts';
import type { StorageClass } from '../api/types/storage-v1.ts';
import type { Informer } from '../client/informer.ts';
import type { ResourceClient } from '../client/resource-client.ts';
import type { VolumeLister } from './framework/types.ts';
import { ANN_SELECTED_NODE, type PodVolumeDecisions } from './plugins/volume-binding.ts';

const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';
/** Upstream's default --bind-timeout-seconds of the VolumeBinding plugin. */
export const DEFAULT_BIND_TIMEOUT_MS = 600_000;

export class VolumeBindingError extends Error {
  readonly code = 'VolumeBindingError';
}

export interface VolumeBinderDeps {
  claims: Informer<PersistentVolumeClaim>;
  volumes: Informer<PersistentVolume>;
  classes: Informer<StorageClass>;
  claimClient: ResourceClient<PersistentVolumeClaim>;
  volumeClient: ResourceClient<PersistentVolume>;
  bindTimeoutMs?: number;
}

export class VolumeBinder {
  readonly #d: VolumeBinderDeps;
  readonly #assumed = new Set<string>();
  /** Binds waiting for claims or volumes to change. */
  readonly #waiters = new Set<() => void>();
  readonly lister: VolumeLister;

  constructor(deps: VolumeBinderDeps) {
    this.#d = deps;
    const { claims, volumes, classes } = deps;
    this.lister = {
      claim: (ns, name) => claims.get(`${ns}/${name}`),
      volume: (name) => volumes.get(name),
      volumes: () => volumes.values(),
      storageClass: (name) => classes.get(name),
      assumedVolumes: this.#assumed,
    };
  }

  /** A claim or volume changed: binds waiting on them look again. */
  changed(): void {
    for (const w of [...this.#waiters]) w();
  }

  /** Hold the chosen volumes back from other pods until bind() ends (AssumePodVolumes). */
  assume(d: PodVolumeDecisions): void {
    for (const b of d.bindings) this.#assumed.add(b.volume.metadata.name ?? '');
  }

  /** Writes the decisions and waits for every claim to be bound; throws VolumeBindingError otherwise. */
  async bind(d: PodVolumeDecisions, node: string, signal: AbortSignal): Promise<void> {
    try {
      const waits: Array<{ claim: PersistentVolumeClaim; selectedAt?: string }> = [];
      for (const { claim, volume } of d.bindings) {
        await this.#preBindVolume(volume, claim);
        waits.push({ claim });
      }
      for (const claim of d.provisions) waits.push({ claim, selectedAt: await this.#selectNode(claim, node) });
      await this.#waitBound(waits, signal);
    } finally {
      for (const b of d.bindings) this.#assumed.delete(b.volume.metadata.name ?? '');
    }
  }

  async #preBindVolume(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    const cur = this.#d.volumes.get(volume.metadata.name ?? '') ?? volume;
    const ref = cur.spec?.claimRef;
    if (ref?.uid === claim.metadata.uid && ref?.name === claim.metadata.name) return;
    if (ref?.uid) throw new VolumeBindingError(`volume "${volume.metadata.name ?? ''}" was bound to another claim meanwhile`);
    const next: PersistentVolume = structuredClone(cur);
    next.spec = {
      ...next.spec,
      claimRef: {
        kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: claim.metadata.namespace ?? 'default', name: claim.metadata.name ?? '',
        uid: claim.metadata.uid ?? '', resourceVersion: claim.metadata.resourceVersion ?? '',
      },
    };
    next.metadata.annotations = { ...next.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' };
    try {
      await this.#d.volumeClient.update(undefined, next);
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) throw new VolumeBindingError(`binding volume "${volume.metadata.name ?? ''}": ${(err as Error).message}`);
      throw err;
    }
  }

  /** Annotates the claim; the resourceVersion that carries the annotation. */
  async #selectNode(claim: PersistentVolumeClaim, node: string): Promise<string> {
    if (claim.metadata.annotations?.[ANN_SELECTED_NODE] === node) return claim.metadata.resourceVersion ?? '';
    try {
      const out = await this.#d.claimClient.patch(claim.metadata.namespace, claim.metadata.name ?? '', 'merge', {
        metadata: { resourceVersion: claim.metadata.resourceVersion, annotations: { [ANN_SELECTED_NODE]: node } },
      });
      return out.metadata.resourceVersion ?? '';
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) throw new VolumeBindingError(`selecting node for claim "${claim.metadata.name ?? ''}": ${(err as Error).message}`);
      throw err;
    }
  }

  /** Whether the claim is fully bound; throws when it never will be on this node (checkBindings). */
  #check(w: { claim: PersistentVolumeClaim; selectedAt?: string }): boolean {
    const c = w.claim;
    const key = `${c.metadata.namespace ?? 'default'}/${c.metadata.name ?? ''}`;
    const claim = this.#d.claims.get(key);
    if (!claim || claim.metadata.uid !== c.metadata.uid) throw new VolumeBindingError(`persistentvolumeclaim "${c.metadata.name ?? ''}" was deleted`);
    const volumeName = claim.spec?.volumeName;
    // A provisioner that cannot serve the node removes the annotation to ask for another.
    if (w.selectedAt !== undefined && !volumeName && claim.metadata.annotations?.[ANN_SELECTED_NODE] === undefined
      && !olderThan(claim.metadata.resourceVersion, w.selectedAt)) {
      throw new VolumeBindingError(`selectedNode annotation reset for PVC "${claim.metadata.name ?? ''}"`);
    }
    if (!volumeName || claim.metadata.annotations?.[ANN_BIND_COMPLETED] === undefined) return false;
    return this.#d.volumes.get(volumeName)?.spec?.claimRef?.uid === claim.metadata.uid;
  }

  async #waitBound(waits: Array<{ claim: PersistentVolumeClaim; selectedAt?: string }>, signal: AbortSignal): Promise<void> {
    if (waits.length === 0) return;
    const deadline = Date.now() + (this.#d.bindTimeoutMs ?? DEFAULT_BIND_TIMEOUT_MS);
    for (;;) {
      if (waits.every((w) => this.#check(w))) return;
      const left = deadline - Date.now();
      if (left <= 0) throw new VolumeBindingError('context deadline exceeded');
      if (signal.aborted) throw new VolumeBindingError('scheduler stopping');
      // Woken by any claim or volume change; upstream polls every second, which stays the fallback.
      await new Promise<void>((resolve) => {
        const done = (): void => {
          clearTimeout(timer);
          signal.removeEventListener('abort', done);
          this.#waiters.delete(done);
          resolve();
        };
        const timer = setTimeout(done, Math.min(left, 1000));
        signal.addEventListener('abort', done, { once: true });
        this.#waiters.add(done);
      });
    }
  }
}

function olderThan(a: string | undefined, b: string): boolean {
  if (!a || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return BigInt(a) < BigInt(b);
}
