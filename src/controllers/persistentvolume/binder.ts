// The writes that bind a claim and a volume, in upstream's order (pv_controller.go bind):
// volume.spec.claimRef, volume phase Bound, claim.spec.volumeName + bind-completed, claim phase
// Bound. Each step writes only when something changes, so a sync interrupted halfway is finished
// by the next one; claimRef goes first because it is what reserves the volume.
import type { PersistentVolume, PersistentVolumeClaim } from '../../api/types/core-v1.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import type { AssumedCache } from './assumed-cache.ts';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, isVolumeBoundToClaim } from './pv-matching.ts';

export interface BinderDeps {
  volumes: ResourceClient<PersistentVolume>;
  claims: ResourceClient<PersistentVolumeClaim>;
  volumeCache: AssumedCache<PersistentVolume>;
  claimCache: AssumedCache<PersistentVolumeClaim>;
}

function now(): string {
  return new Date().toISOString().replace(/\.\d+Z$/, 'Z');
}

export class Binder {
  readonly #d: BinderDeps;

  constructor(deps: BinderDeps) {
    this.#d = deps;
  }

  async bind(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<PersistentVolumeClaim> {
    const v = await this.bindVolumeToClaim(volume, claim);
    const bound = await this.updateVolumePhase(v, 'Bound');
    const c = await this.bindClaimToVolume(claim, bound);
    return this.updateClaimStatus(c, 'Bound', bound);
  }

  /** getBindVolumeToClaim: a full reference to the claim, and bound-by-controller when we chose it. */
  async bindVolumeToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<PersistentVolume> {
    const ref = volume.spec?.claimRef;
    const byController = !isVolumeBoundToClaim(volume, claim);
    const same = ref && ref.name === claim.metadata.name && ref.namespace === claim.metadata.namespace && ref.uid === claim.metadata.uid;
    if (same) return volume;
    const next: PersistentVolume = structuredClone(volume);
    next.spec = {
      ...next.spec,
      claimRef: {
        kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace ?? 'default', name: claim.metadata.name ?? '',
        uid: claim.metadata.uid ?? '', apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion ?? '',
      },
    };
    if (byController) next.metadata.annotations = { ...next.metadata.annotations, [ANN_BOUND_BY_CONTROLLER]: 'yes' };
    const out = await this.#d.volumes.update(undefined, next);
    this.#d.volumeCache.assume(out);
    return out;
  }

  async updateVolumePhase(volume: PersistentVolume, phase: string, message = ''): Promise<PersistentVolume> {
    if (volume.status?.phase === phase && (volume.status.message ?? '') === message) return volume;
    const next: PersistentVolume = structuredClone(volume);
    next.status = { ...next.status, phase, lastPhaseTransitionTime: now() };
    if (message) next.status.message = message;
    else delete next.status.message;
    const out = await this.#d.volumes.updateStatus(undefined, next);
    this.#d.volumeCache.assume(out);
    return out;
  }

  /** unbindVolume: forget a claim the controller chose; keep a user's reservation by name. */
  async unbindVolume(volume: PersistentVolume): Promise<PersistentVolume> {
    const next: PersistentVolume = structuredClone(volume);
    if (next.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] !== undefined) {
      const { [ANN_BOUND_BY_CONTROLLER]: _drop, ...rest } = next.metadata.annotations;
      next.metadata.annotations = rest;
      if (next.spec) delete next.spec.claimRef;
    } else if (next.spec?.claimRef) {
      next.spec.claimRef = { ...next.spec.claimRef, uid: '' };
    }
    const out = await this.#d.volumes.update(undefined, next);
    this.#d.volumeCache.assume(out);
    return this.updateVolumePhase(out, 'Available');
  }

  /** getBindClaimToVolume: volumeName, bind-completed, and bound-by-controller when we chose. */
  async bindClaimToVolume(claim: PersistentVolumeClaim, volume: PersistentVolume): Promise<PersistentVolumeClaim> {
    const ann = claim.metadata.annotations ?? {};
    const chose = claim.spec?.volumeName !== volume.metadata.name;
    if (!chose && ann[ANN_BIND_COMPLETED] === 'yes') return claim;
    const next: PersistentVolumeClaim = structuredClone(claim);
    next.spec = { ...next.spec, volumeName: volume.metadata.name ?? '' };
    next.metadata.annotations = { ...ann, [ANN_BIND_COMPLETED]: 'yes', ...(chose ? { [ANN_BOUND_BY_CONTROLLER]: 'yes' } : {}) };
    const out = await this.#d.claims.update(next.metadata.namespace, next);
    this.#d.claimCache.assume(out);
    return out;
  }

  /** updateClaimStatus: Bound carries the volume's access modes and storage capacity; otherwise none. */
  async updateClaimStatus(claim: PersistentVolumeClaim, phase: 'Pending' | 'Bound' | 'Lost', volume?: PersistentVolume): Promise<PersistentVolumeClaim> {
    const status: NonNullable<PersistentVolumeClaim['status']> = { ...claim.status, phase };
    if (volume) {
      status.accessModes = [...(volume.spec?.accessModes ?? [])];
      status.capacity = { ...volume.spec?.capacity };
    } else {
      delete status.accessModes;
      delete status.capacity;
    }
    const cur = claim.status ?? {};
    const same = cur.phase === phase && JSON.stringify(cur.accessModes) === JSON.stringify(status.accessModes)
      && JSON.stringify(cur.capacity) === JSON.stringify(status.capacity);
    if (same) return claim;
    const next: PersistentVolumeClaim = { ...structuredClone(claim), status };
    const out = await this.#d.claims.updateStatus(next.metadata.namespace, next);
    this.#d.claimCache.assume(out);
    return out;
  }
}
