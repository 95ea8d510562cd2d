// What the node lifecycle controller writes when a node stops reporting
// (pkg/controller/nodelifecycle/node_lifecycle_controller.go tryUpdateNodeHealth): once the grace
// period has passed without a Lease renewal or a status heartbeat, Ready and the pressure
// conditions become Unknown. Their heartbeat times are left alone: only the kubelet moves those.
import type { Node, NodeCondition } from '../../api/types/core-v1.ts';

/** Conditions turned Unknown alongside Ready (upstream's remainingNodeConditionTypes). */
export const MONITORED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'] as const;

export const NODE_STATUS_UNKNOWN = { reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' };
export const NODE_STATUS_NEVER_UPDATED = { reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.' };

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/** The Ready status the taints follow: a node without the condition counts as Unknown. */
export function readyStatus(node: Node): NodeCondition['status'] {
  return readyCondition(node)?.status ?? 'Unknown';
}

/**
 * The grace period that applies: a node that never posted Ready gets the startup grace
 * (--node-startup-grace-period), others --node-monitor-grace-period.
 */
export function gracePeriodMs(node: Node, monitorGraceMs: number, startupGraceMs: number): number {
  return readyCondition(node) ? monitorGraceMs : startupGraceMs;
}

/** Whether the node's kubelet is overdue: nothing heard since `probeMs`. */
export function isOverdue(probeMs: number, graceMs: number, nowMs: number): boolean {
  return nowMs > probeMs + graceMs;
}

/**
 * The node's conditions with the monitored ones set Unknown (missing ones added as never
 * updated), or undefined when they already are.
 */
export function unknownConditions(node: Node, now: string): NodeCondition[] | undefined {
  const conditions = [...(node.status?.conditions ?? [])];
  let changed = false;
  for (const type of MONITORED_CONDITIONS) {
    const i = conditions.findIndex((c) => c.type === type);
    if (i < 0) {
      conditions.push({
        type, status: 'Unknown', ...NODE_STATUS_NEVER_UPDATED,
        ...(node.metadata.creationTimestamp ? { lastHeartbeatTime: node.metadata.creationTimestamp } : {}),
        lastTransitionTime: now,
      });
      changed = true;
    } else if (conditions[i]!.status !== 'Unknown') {
      conditions[i] = { ...conditions[i]!, status: 'Unknown', ...NODE_STATUS_UNKNOWN, lastTransitionTime: now };
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}
