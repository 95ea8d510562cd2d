import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from '../../api/types/core-v1.ts';
import { gracePeriodMs, isOverdue, unknownConditions } from './node-health.ts';

const T0 = '2024-01-01T00:00:00Z';
const NOW = '2024-01-01T00:01:00Z';

function node(conditions?: Node['status'] extends infer S ? S extends { conditions?: infer C } ? C : never : never): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n', creationTimestamp: T0 }, status: conditions ? { conditions } : {} };
}

test('a node silent past the grace period has Ready and the pressure conditions Unknown, heartbeats untouched', () => {
  const n = node([
    { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: T0, lastTransitionTime: T0 },
    { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', lastHeartbeatTime: T0, lastTransitionTime: T0 },
  ]);
  const c = unknownConditions(n, NOW)!;
  assert.deepEqual(c.find((x) => x.type === 'Ready'), { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: T0, lastTransitionTime: NOW });
  assert.equal(c.find((x) => x.type === 'MemoryPressure')?.reason, 'NodeStatusUnknown');
  // Missing ones are added as never updated, with the node's creation as heartbeat.
  assert.deepEqual(c.find((x) => x.type === 'DiskPressure'), { type: 'DiskPressure', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: T0, lastTransitionTime: NOW });
  assert.equal(unknownConditions({ ...n, status: { conditions: c } }, NOW), undefined, 'already Unknown: nothing to write');
});

test('grace: startup grace until Ready was ever posted, then the monitor grace; overdue only past it', () => {
  assert.equal(gracePeriodMs(node(), 50_000, 60_000), 60_000);
  assert.equal(gracePeriodMs(node([{ type: 'Ready', status: 'False' }]), 50_000, 60_000), 50_000);
  assert.equal(isOverdue(1000, 5000, 6000), false);
  assert.equal(isOverdue(1000, 5000, 6001), true);
});
