// The API side of the StatefulSet control loop (pkg/controller/statefulset/stateful_pod_control.go):
// claims are created before their pod, pods are created, fixed and deleted, claims get the owner
// references their retention policy asks for, and each action is an Event on the StatefulSet with
// upstream's reasons and messages ("create Pod web-0 in StatefulSet web successful").
import { isAlreadyExists, isConflict } from '../../api/errors.ts';
import type { ObjectReference, PersistentVolumeClaim, Pod } from '../../api/types/core-v1.ts';
import type { StatefulSet } from '../../api/types/apps-v1.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import type { StatefulPodOps } from './stateful-set-control.ts';
import {
  claimsFor, claimWithPolicyRefs, hasStalePodRef, hasUnexpectedController, identityMatches, isClaimOwnerUpToDate, ordinalOf,
  retentionPolicy, STATEFUL_SET_API_VERSION, STATEFUL_SET_KIND, storageMatches, updateIdentity, updateStorage,
} from './stateful-set-utils.ts';

export interface StatefulPodControlOptions {
  pods: ResourceClient<Pod>;
  claims: ResourceClient<PersistentVolumeClaim>;
  /** The claim informer's copy of ns/name, if any. */
  getClaim: (namespace: string, name: string) => PersistentVolumeClaim | undefined;
  recorder: EventRecorder;
}

const title = (verb: string): string => verb[0]!.toUpperCase() + verb.slice(1);

export function setRef(set: StatefulSet): ObjectReference {
  return {
    kind: STATEFUL_SET_KIND,
    apiVersion: STATEFUL_SET_API_VERSION,
    namespace: set.metadata.namespace ?? 'default',
    name: set.metadata.name ?? '',
    ...(set.metadata.uid ? { uid: set.metadata.uid } : {}),
    ...(set.metadata.resourceVersion ? { resourceVersion: set.metadata.resourceVersion } : {}),
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class StatefulPodControl implements StatefulPodOps {
  readonly #o: StatefulPodControlOptions;

  constructor(options: StatefulPodControlOptions) {
    this.#o = options;
  }

  #podEvent(verb: string, set: StatefulSet, pod: Pod, err?: unknown): void {
    if (err === undefined) this.#o.recorder.record(setRef(set), 'Normal', `Successful${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    else this.#o.recorder.record(setRef(set), 'Warning', `Failed${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${message(err)}`);
  }

  #claimEvent(verb: string, set: StatefulSet, pod: Pod, claim: PersistentVolumeClaim, err?: unknown): void {
    if (err === undefined) this.#o.recorder.record(setRef(set), 'Normal', `Successful${title(verb)}`, `${verb} Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    else this.#o.recorder.record(setRef(set), 'Warning', `Failed${title(verb)}`, `${verb} Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${message(err)}`);
  }

  /** createPersistentVolumeClaims: every claim the pod needs that does not exist yet. */
  async #createClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const errors: string[] = [];
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const ns = claim.metadata.namespace ?? 'default';
      const existing = this.#o.getClaim(ns, claim.metadata.name ?? '');
      if (!existing) {
        try {
          await this.#o.claims.create(ns, claim);
          this.#claimEvent('create', set, pod, claim);
        } catch (err) {
          errors.push(`failed to create PVC ${claim.metadata.name}: ${message(err)}`);
          if (!isAlreadyExists(err)) this.#claimEvent('create', set, pod, claim, err);
        }
      } else if (existing.metadata.deletionTimestamp) {
        errors.push(`pvc ${claim.metadata.name} is being deleted`);
      }
    }
    if (errors.length > 0) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
  }

  async createPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.#createClaims(set, pod);
    } catch (err) {
      this.#podEvent('create', set, pod, err);
      throw err;
    }
    let created: Pod;
    try {
      created = await this.#o.pods.create(pod.metadata.namespace, pod);
    } catch (err) {
      // Already there: the informer has not shown it yet; no event, the next pass sees it.
      if (!isAlreadyExists(err)) this.#podEvent('create', set, pod, err);
      throw err;
    }
    try {
      await this.updateClaimsForRetentionPolicy(set, created);
    } catch (err) {
      this.#podEvent('update', set, pod, err);
      throw err;
    }
    this.#podEvent('create', set, pod);
  }

  async updatePod(set: StatefulSet, pod: Pod): Promise<void> {
    let current = pod;
    let attempted = false;
    let failure: unknown;
    for (let attempt = 0; attempt < 5; attempt++) {
      let consistent = true;
      if (!identityMatches(set, current)) {
        updateIdentity(set, current);
        consistent = false;
      }
      try {
        if (!storageMatches(set, current)) {
          updateStorage(set, current);
          consistent = false;
          await this.#createClaims(set, current);
        }
        if (!this.claimsMatchRetentionPolicy(set, current)) {
          await this.updateClaimsForRetentionPolicy(set, current);
          consistent = false;
        }
      } catch (err) {
        this.#podEvent('update', set, current, err);
        throw err;
      }
      if (consistent) return;
      attempted = true;
      try {
        await this.#o.pods.update(current.metadata.namespace, current);
        failure = undefined;
        break;
      } catch (err) {
        failure = err;
        if (!isConflict(err)) break;
        current = await this.#o.pods.get(current.metadata.namespace, current.metadata.name ?? '');
      }
    }
    if (attempted) this.#podEvent('update', set, current, failure);
    if (failure !== undefined) throw failure instanceof Error ? failure : new Error(String(failure));
  }

  async deletePod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.#o.pods.delete(pod.metadata.namespace, pod.metadata.name ?? '');
    } catch (err) {
      this.#podEvent('delete', set, pod, err);
      throw err;
    }
    this.#podEvent('delete', set, pod);
  }

  podClaimIsStale(set: StatefulSet, pod: Pod): boolean {
    if (retentionPolicy(set).whenScaled === 'Retain') return false;
    for (const claim of claimsFor(set, ordinalOf(pod)).values()) {
      const existing = this.#o.getClaim(claim.metadata.namespace ?? '', claim.metadata.name ?? '');
      if (existing && hasStalePodRef(existing, pod)) return true;
    }
    return false;
  }

  async createMissingClaims(set: StatefulSet, pod: Pod): Promise<void> {
    await this.#createClaims(set, pod);
    try {
      await this.updateClaimsForRetentionPolicy(set, pod);
    } catch (err) {
      this.#podEvent('update', set, pod, err);
      throw err;
    }
  }

  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean {
    for (const t of set.spec.volumeClaimTemplates ?? []) {
      const claim = this.#o.getClaim(set.metadata.namespace ?? '', `${t.metadata.name}-${set.metadata.name}-${ordinalOf(pod)}`);
      // A missing claim is picked up on a later pass.
      if (claim && !isClaimOwnerUpToDate(claim, set, pod)) return false;
    }
    return true;
  }

  async updateClaimsForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void> {
    for (const t of set.spec.volumeClaimTemplates ?? []) {
      const name = `${t.metadata.name}-${set.metadata.name}-${ordinalOf(pod)}`;
      const claim = this.#o.getClaim(set.metadata.namespace ?? '', name);
      if (!claim) continue;
      if (hasUnexpectedController(claim, set, pod)) {
        this.#o.recorder.record(setRef(set), 'Warning', 'ConflictingController',
          `PersistentVolumeClaim ${name} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim`);
      }
      if (isClaimOwnerUpToDate(claim, set, pod)) continue;
      try {
        await this.#o.claims.update(claim.metadata.namespace, claimWithPolicyRefs(claim, set, pod));
      } catch (err) {
        throw new Error(`could not update claim ${name} for delete policy ownerRefs: ${message(err)}`, { cause: err });
      }
    }
  }
}
