// One pass of the StatefulSet control loop (pkg/controller/statefulset/stateful_set_control.go
// updateStatefulSet, processReplica, processCondemned, updateStatefulSetAfterInvariantEstablished):
// given the set, its current and update revisions and the pods it owns, decide what to create,
// fix and delete, and what the status is. OrderedReady ("monotonic") handles one pod at a time in
// ordinal order and stops at the first pod not Running, Ready and available; Parallel does
// everything at once. Scale-down takes the highest ordinals first; a rolling update replaces pods
// from the highest ordinal down to the partition. The API calls go through StatefulPodOps, so the
// decisions can be tested with a fake.
import type { ControllerRevision, StatefulSet, StatefulSetStatus } from '../../api/types/apps-v1.ts';
import type { Pod } from '../../api/types/core-v1.ts';
import { isNotFound } from '../../api/errors.ts';
import { slowStartBatch } from '../util/slow-start.ts';
import {
  allowsBurst, applyRevision, identityMatches, inOrdinalRange, isCreated, isFailed, isPending, isRunningAndAvailable,
  isRunningAndReady, isSucceeded, isTerminating, isUnavailable, maxUnavailableOf, newVersionedStatefulSetPod, ordinalOf,
  podRevision, replicasOf, startOrdinal, storageMatches,
} from './stateful-set-utils.ts';

/** What the control loop asks of the API (upstream's StatefulPodControl). */
export interface StatefulPodOps {
  /** Creates the pod's claims (those missing), then the pod; sets the claims' retention owners. */
  createPod(set: StatefulSet, pod: Pod): Promise<void>;
  /** Restores the pod's identity, storage and claim owners where they drifted. */
  updatePod(set: StatefulSet, pod: Pod): Promise<void>;
  deletePod(set: StatefulSet, pod: Pod): Promise<void>;
  /** With whenScaled: Delete, a claim still owned by an earlier pod of the same name blocks the create. */
  podClaimIsStale(set: StatefulSet, pod: Pod): boolean;
  /** Creates claims a pending pod still lacks (someone deleted them). */
  createMissingClaims(set: StatefulSet, pod: Pod): Promise<void>;
  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean;
  updateClaimsForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void>;
}

export interface ControlInput {
  set: StatefulSet;
  currentRevision: ControllerRevision;
  updateRevision: ControllerRevision;
  collisionCount: number;
  /** The pods the set owns (any phase, terminating included). */
  pods: readonly Pod[];
  ops: StatefulPodOps;
  now: number;
}

export interface ControlResult {
  status: StatefulSetStatus;
  /** The first error of the pass; the status is written even then. */
  error?: unknown;
}

/** computeReplicaStatus over several lists, into `status`. */
export function updateStatus(status: StatefulSetStatus, minReadySeconds: number, current: ControllerRevision, update: ControllerRevision, now: number, ...lists: ReadonlyArray<ReadonlyArray<Pod | undefined>>): void {
  let replicas = 0;
  let ready = 0;
  let available = 0;
  let currentReplicas = 0;
  let updated = 0;
  for (const list of lists) {
    for (const pod of list) {
      if (!pod) continue;
      if (isCreated(pod)) replicas++;
      if (isRunningAndReady(pod)) {
        ready++;
        if (isRunningAndAvailable(pod, minReadySeconds, now)) available++;
      }
      if (isCreated(pod) && !isTerminating(pod)) {
        const rev = podRevision(pod);
        if (rev === current.metadata.name) currentReplicas++;
        if (rev === update.metadata.name) updated++;
      }
    }
  }
  status.replicas = replicas;
  status.readyReplicas = ready;
  status.availableReplicas = available;
  status.currentReplicas = currentReplicas;
  status.updatedReplicas = updated;
}

/** runForAll: in order, stopping at the first pod that blocks (monotonic); else in slow-start batches. */
async function runForAll(count: number, fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<boolean> {
  if (monotonic) {
    for (let i = 0; i < count; i++) if (await fn(i)) return true;
    return false;
  }
  const { error } = await slowStartBatch(count, 1, async (i) => {
    await fn(i);
  });
  if (error !== undefined) throw error instanceof Error ? error : new Error(String(error));
  return false;
}

export async function updateStatefulSet(input: ControlInput): Promise<ControlResult> {
  const { set, currentRevision, updateRevision, ops, now } = input;
  const currentSet = applyRevision(set, currentRevision);
  const updateSet = applyRevision(set, updateRevision);
  const minReady = set.spec.minReadySeconds ?? 0;
  const status: StatefulSetStatus = {
    ...(set.status?.conditions ? { conditions: set.status.conditions } : {}),
    observedGeneration: set.metadata.generation ?? 0,
    replicas: 0,
    currentRevision: currentRevision.metadata.name ?? '',
    updateRevision: updateRevision.metadata.name ?? '',
    collisionCount: input.collisionCount,
  };
  updateStatus(status, minReady, currentRevision, updateRevision, now, input.pods);

  const start = startOrdinal(set);
  const replicaCount = replicasOf(set);
  const replicas: Pod[] = new Array<Pod>(replicaCount);
  const condemned: Pod[] = [];
  for (const pod of input.pods) {
    if (inOrdinalRange(pod, set)) replicas[ordinalOf(pod) - start] = pod;
    else if (ordinalOf(pod) >= 0) condemned.push(pod);
  }
  for (let i = 0; i < replicaCount; i++) {
    replicas[i] ??= newVersionedStatefulSetPod(currentSet, updateSet, currentRevision.metadata.name ?? '', updateRevision.metadata.name ?? '', start + i);
  }
  condemned.sort((a, b) => ordinalOf(b) - ordinalOf(a));

  let firstUnavailable: Pod | undefined;
  for (const p of replicas) {
    if (isUnavailable(p, minReady, now)) {
      firstUnavailable ??= p;
    }
  }
  for (let i = condemned.length - 1; i >= 0; i--) {
    if (isUnavailable(condemned[i]!, minReady, now)) firstUnavailable ??= condemned[i];
  }

  if (set.metadata.deletionTimestamp) return { status };
  const monotonic = !allowsBurst(set);
  const finish = (error?: unknown): ControlResult => {
    updateStatus(status, minReady, currentRevision, updateRevision, now, replicas, condemned);
    return error === undefined ? { status } : { status, error };
  };

  try {
    // Living replicas first; in monotonic mode the first that is not there yet stops the pass.
    if (await runForAll(replicas.length, (i) => processReplica(set, updateSet, input, monotonic, replicas, i), monotonic)) return finish();
    // Condemned pods' claims get their scale-down owners before the pods go.
    if (await runForAll(condemned.length, async (i) => {
      const pod = condemned[i]!;
      if (!ops.claimsMatchRetentionPolicy(updateSet, pod)) await ops.updateClaimsForRetentionPolicy(updateSet, pod);
      return false;
    }, monotonic)) return finish();
    // Then scale down, highest ordinal first, each only once all before it are healthy.
    if (await runForAll(condemned.length, (i) => processCondemned(set, firstUnavailable, monotonic, condemned, i, ops, now), monotonic)) return finish();
  } catch (err) {
    return finish(err);
  }
  updateStatus(status, minReady, currentRevision, updateRevision, now, replicas, condemned);

  const strategy = set.spec.updateStrategy;
  if (strategy?.type === 'OnDelete') return { status };
  try {
    if (strategy?.rollingUpdate?.maxUnavailable !== undefined) await rollWithMaxUnavailable(set, replicas, updateRevision, status, ops, now);
    else await rollOneAtATime(set, replicas, updateRevision, status, ops, now);
  } catch (err) {
    return { status, error: err };
  }
  return { status };
}

async function processReplica(set: StatefulSet, updateSet: StatefulSet, input: ControlInput, monotonic: boolean, replicas: Pod[], i: number): Promise<boolean> {
  const { ops } = input;
  const pod = replicas[i]!;
  // A pod that stopped for good (failed, or evicted and recorded as succeeded) is deleted; its
  // replacement comes on a later pass, once the old one is gone from the API.
  if (isFailed(pod) || isSucceeded(pod)) {
    if (!isTerminating(pod)) await ops.deletePod(set, pod);
    return true;
  }
  if (!isCreated(pod)) {
    if (ops.podClaimIsStale(set, pod)) return true;
    await ops.createPod(set, pod);
    if (monotonic) return true;
  }
  if (isPending(pod)) await ops.createMissingClaims(set, pod);
  if (isTerminating(pod) && monotonic) return true;
  if (!isRunningAndReady(pod) && monotonic) return true;
  if (!isRunningAndAvailable(pod, set.spec.minReadySeconds ?? 0, input.now) && monotonic) return true;
  if (identityMatches(set, pod) && storageMatches(set, pod) && ops.claimsMatchRetentionPolicy(updateSet, pod)) return false;
  await ops.updatePod(updateSet, structuredClone(pod));
  return false;
}

async function processCondemned(set: StatefulSet, firstUnavailable: Pod | undefined, monotonic: boolean, condemned: Pod[], i: number, ops: StatefulPodOps, now: number): Promise<boolean> {
  const pod = condemned[i]!;
  if (isTerminating(pod)) return monotonic;
  // In monotonic mode only the first unhealthy pod may go while it is unhealthy; others wait.
  if (monotonic && pod !== firstUnavailable) {
    if (!isRunningAndReady(pod)) return true;
    if (!isRunningAndAvailable(pod, set.spec.minReadySeconds ?? 0, now)) return true;
  }
  await ops.deletePod(set, pod);
  return true;
}

/** The classic rolling update: the highest pod not at the update revision goes; wait for it to come back available. */
async function rollOneAtATime(set: StatefulSet, replicas: Pod[], updateRevision: ControllerRevision, status: StatefulSetStatus, ops: StatefulPodOps, now: number): Promise<void> {
  const updateMin = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  for (let target = replicas.length - 1; target >= updateMin; target--) {
    const pod = replicas[target]!;
    if (podRevision(pod) !== updateRevision.metadata.name && !isTerminating(pod)) {
      await deleteIgnoringGone(ops, set, pod);
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
      return;
    }
    if (isUnavailable(pod, set.spec.minReadySeconds ?? 0, now)) return;
  }
}

/** With maxUnavailable: up to (maxUnavailable - unavailable now) pods go at once, highest first. */
async function rollWithMaxUnavailable(set: StatefulSet, replicas: Pod[], updateRevision: ControllerRevision, status: StatefulSetStatus, ops: StatefulPodOps, now: number): Promise<void> {
  const updateMin = set.spec.updateStrategy?.rollingUpdate?.partition ?? 0;
  const maxUnavailable = maxUnavailableOf(set);
  const unavailable = replicas.filter((p) => isUnavailable(p, set.spec.minReadySeconds ?? 0, now)).length;
  if (unavailable > maxUnavailable) return;
  const budget = maxUnavailable - unavailable;
  let deleted = 0;
  for (let target = replicas.length - 1; target >= updateMin && deleted < budget; target--) {
    const pod = replicas[target]!;
    if (podRevision(pod) !== updateRevision.metadata.name && !isTerminating(pod)) {
      await deleteIgnoringGone(ops, set, pod);
      deleted++;
      status.currentReplicas = (status.currentReplicas ?? 0) - 1;
    }
  }
}

async function deleteIgnoringGone(ops: StatefulPodOps, set: StatefulSet, pod: Pod): Promise<void> {
  try {
    await ops.deletePod(set, pod);
  } catch (err) {
    if (!isNotFound(err)) throw err;
  }
}
