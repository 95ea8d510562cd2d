// The DaemonSet controller's decisions as pure functions (pkg/controller/daemon/
// daemon_controller.go podsShouldBeOnNode/manage/updateDaemonSetStatus, update.go rollingUpdate/
// findUpdatedPodsOnNode/updatedDesiredNodeCounts): given the set, the nodes, the set's pods grouped
// by target node and the current revision hash, which nodes need a pod, which pods must go, and
// what the status says. The controller performs the result.
import type { DaemonSet, DaemonSetStatus } from '../../api/types/apps-v1.ts';
import type { Node, Pod } from '../../api/types/core-v1.ts';
import { isPodAvailable, isPodReady } from '../util/pod-status.ts';
import {
  byCreationThenPhase, DAEMON_REVISION_LABEL, isPodUpdated, nodeShouldRunDaemonPod, rollingLimits, surgeCount, targetNodeName, templateGeneration,
} from './daemonset-util.ts';

/** The set's pods by the node each runs on or is pinned to; pods with neither are left out. */
export function groupByNode(pods: readonly Pod[]): Map<string, Pod[]> {
  const out = new Map<string, Pod[]>();
  for (const p of pods) {
    const n = targetNodeName(p);
    if (n === undefined) continue;
    const list = out.get(n);
    if (list) list.push(p);
    else out.set(n, [p]);
  }
  return out;
}

export interface ManagePlan {
  nodesNeedingPods: string[];
  podsToDelete: Pod[];
  /** Failed pods being deleted (each gets a FailedDaemonPod warning). */
  failed: Pod[];
  /** Succeeded pods being deleted (each gets a SucceededDaemonPod event). */
  succeeded: Pod[];
  /** Nodes whose failed pod is held back by the backoff. */
  backedOff: string[];
}

export interface ManageInput {
  ds: DaemonSet;
  nodes: readonly Node[];
  byNode: ReadonlyMap<string, Pod[]>;
  hash: string;
  now: number;
  /** May a failed pod on this node be deleted now (the failed-pods backoff)? */
  mayDeleteFailed?: (node: string) => boolean;
}

/** manage + podsShouldBeOnNode for every node, then unbound pods pinned to nodes that are gone. */
export function planManage(input: ManageInput): ManagePlan {
  const { ds, nodes, byNode, hash, now } = input;
  const plan: ManagePlan = { nodesNeedingPods: [], podsToDelete: [], failed: [], succeeded: [], backedOff: [] };
  // AllowsSurge: the surge for a single node, rounded up, is above zero.
  const surge = surgeCount(ds, 1) > 0;
  for (const node of nodes) {
    const name = node.metadata.name ?? '';
    const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
    const pods = byNode.get(name);
    if (shouldRun && !pods) {
      plan.nodesNeedingPods.push(name);
      continue;
    }
    if (shouldContinueRunning) {
      const running: Pod[] = [];
      for (const pod of pods ?? []) {
        if (pod.metadata.deletionTimestamp) continue;
        const phase = pod.status?.phase;
        if (phase === 'Failed') {
          if (input.mayDeleteFailed && !input.mayDeleteFailed(name)) {
            plan.backedOff.push(name);
            continue;
          }
          plan.failed.push(pod);
          plan.podsToDelete.push(pod);
        } else if (phase === 'Succeeded') {
          plan.succeeded.push(pod);
          plan.podsToDelete.push(pod);
        } else {
          running.push(pod);
        }
      }
      running.sort(byCreationThenPhase);
      if (!surge) {
        // One pod per node: keep the oldest.
        plan.podsToDelete.push(...running.slice(1));
        continue;
      }
      if (running.length <= 1) {
        if (running.length === 0 && shouldRun) plan.nodesNeedingPods.push(name);
        continue;
      }
      // Surging: an old and a new pod may share the node until the new one is available.
      let oldestNew: Pod | undefined;
      let oldestOld: Pod | undefined;
      for (const pod of running) {
        const isNew = pod.metadata.labels?.[DAEMON_REVISION_LABEL] === hash;
        if (isNew && !oldestNew) oldestNew = pod;
        else if (!isNew && !oldestOld) oldestOld = pod;
        else plan.podsToDelete.push(pod);
      }
      if (oldestNew && oldestOld && (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0, now))) {
        plan.podsToDelete.push(oldestOld);
      }
      continue;
    }
    for (const pod of pods ?? []) if (!pod.metadata.deletionTimestamp) plan.podsToDelete.push(pod);
  }
  // getUnscheduledPodsWithoutNode: the pod GC never sees unbound pods, so they are ours to remove.
  const known = new Set(nodes.map((n) => n.metadata.name ?? ''));
  for (const [name, pods] of byNode) {
    if (known.has(name)) continue;
    for (const p of pods) if (!p.spec?.nodeName && !p.metadata.deletionTimestamp) plan.podsToDelete.push(p);
  }
  return plan;
}

/** findUpdatedPodsOnNode: at most one new and one old live pod on the node, else not ok. */
export function updatedPodsOnNode(ds: DaemonSet, pods: readonly Pod[], hash: string): { ok: boolean; newPod?: Pod | undefined; oldPod?: Pod | undefined } {
  const gen = templateGeneration(ds);
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    if (isPodUpdated(p, hash, gen)) {
      if (newPod) return { ok: false };
      newPod = p;
    } else {
      if (oldPod) return { ok: false };
      oldPod = p;
    }
  }
  return { ok: true, newPod, oldPod };
}

export interface RollingPlan {
  podsToDelete: Pod[];
  nodesNeedingPods: string[];
}

/**
 * rollingUpdate: without surge, delete old pods while the unavailable count stays within
 * maxUnavailable (an old pod that is already unavailable goes regardless); with surge, start new
 * pods beside old ones on at most maxSurge nodes and delete each old pod once its new one is
 * available. Nodes are visited in name order so the choice is stable.
 */
export function planRollingUpdate(ds: DaemonSet, nodes: readonly Node[], byNode: ReadonlyMap<string, Pod[]>, hash: string, now: number): RollingPlan {
  const minReady = ds.spec.minReadySeconds ?? 0;
  let desired = 0;
  for (const n of nodes) if (nodeShouldRunDaemonPod(n, ds).shouldRun) desired++;
  const { maxUnavailable, maxSurge } = rollingLimits(ds, desired);
  const names = [...byNode.keys()].sort();
  if (maxSurge === 0) {
    let unavailable = 0;
    const replace: Pod[] = [];
    const candidates: Pod[] = [];
    for (const name of names) {
      const { ok, newPod, oldPod } = updatedPodsOnNode(ds, byNode.get(name) ?? [], hash);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) {
        // The manage loop sorts this node out; until then it counts as unavailable.
        unavailable++;
      } else if (newPod) {
        if (!isPodAvailable(newPod, minReady, now)) unavailable++;
      } else if (oldPod) {
        if (!isPodAvailable(oldPod, minReady, now)) replace.push(oldPod);
        else if (unavailable < maxUnavailable) candidates.push(oldPod);
      }
    }
    const room = Math.min(Math.max(maxUnavailable - unavailable, 0), candidates.length);
    return { podsToDelete: [...replace, ...candidates.slice(0, room)], nodesNeedingPods: [] };
  }
  let surging = 0;
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  const podsToDelete: Pod[] = [];
  for (const name of names) {
    const { ok, newPod, oldPod } = updatedPodsOnNode(ds, byNode.get(name) ?? [], hash);
    if (!ok) {
      surging++;
      continue;
    }
    if (!oldPod) continue;
    if (!newPod) {
      if (!isPodAvailable(oldPod, minReady, now)) allowedNew.push(name);
      else if (surging < maxSurge) candidateNew.push(name);
      continue;
    }
    if (!isPodAvailable(newPod, minReady, now)) {
      surging++;
      continue;
    }
    podsToDelete.push(oldPod);
  }
  const room = Math.min(Math.max(maxSurge - surging, 0), candidateNew.length);
  return { podsToDelete, nodesNeedingPods: [...allowedNew, ...candidateNew.slice(0, room)] };
}

/** updateDaemonSetStatus' counts (observedGeneration and collisionCount are the caller's). */
export function computeStatus(ds: DaemonSet, nodes: readonly Node[], byNode: ReadonlyMap<string, Pod[]>, hash: string, now: number): DaemonSetStatus {
  const gen = templateGeneration(ds);
  const minReady = ds.spec.minReadySeconds ?? 0;
  const s: DaemonSetStatus = {
    desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0,
    updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0,
  };
  for (const node of nodes) {
    const pods = byNode.get(node.metadata.name ?? '') ?? [];
    const scheduled = pods.length > 0;
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (scheduled) s.numberMisscheduled++;
      continue;
    }
    s.desiredNumberScheduled++;
    if (!scheduled) continue;
    s.currentNumberScheduled++;
    const pod = [...pods].sort(byCreationThenPhase)[0]!;
    if (isPodReady(pod)) {
      s.numberReady++;
      if (isPodAvailable(pod, minReady, now)) s.numberAvailable = (s.numberAvailable ?? 0) + 1;
    }
    if (isPodUpdated(pod, hash, gen)) s.updatedNumberScheduled = (s.updatedNumberScheduled ?? 0) + 1;
  }
  s.numberUnavailable = s.desiredNumberScheduled - (s.numberAvailable ?? 0);
  return s;
}
