import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import type { PodStats } from '../../api/types/stats-v1alpha1.ts';
import { memoryEvictionMessage } from './eviction-message.ts';
import { parseEvictionHard, thresholdBytes, thresholdQuantity } from './threshold.ts';

test('--eviction-hard: memory.available as a quantity or a percentage of capacity', () => {
  const q = parseEvictionHard('memory.available<100Mi');
  assert.equal(q.bytes, 100 * 1024 * 1024);
  assert.equal(thresholdQuantity(q, 8 * 1024 ** 3), '100Mi');
  const p = parseEvictionHard('memory.available<5%');
  assert.equal(thresholdBytes(p, 1000 * 1024), 51200);
  assert.equal(thresholdQuantity(p, 1000 * 1024), '50Ki');
  assert.throws(() => parseEvictionHard('nodefs.available<10%'), /unsupported eviction signal "nodefs.available"/);
  assert.throws(() => parseEvictionHard('memory.available>1Gi'), /expected SIGNAL<QUANTITY/);
  assert.throws(() => parseEvictionHard('memory.available<lots'), /invalid eviction threshold/);
  assert.throws(() => parseEvictionHard('memory.available<150%'), /percentage/);
});

test('the eviction message names the threshold, what was available and the containers over their requests', () => {
  const pod = {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'default', uid: 'u' },
    spec: { containers: [{ name: 'app', image: 'busybox' }, { name: 'small', image: 'busybox', resources: { requests: { memory: '64Mi' } } }] },
  } as Pod;
  const stats: PodStats = {
    podRef: { name: 'web', namespace: 'default', uid: 'u' }, startTime: '',
    containers: [
      { name: 'app', startTime: '', memory: { time: '', workingSetBytes: 5 * 1024 * 1024 } },
      { name: 'small', startTime: '', memory: { time: '', workingSetBytes: 1024 * 1024 } },
    ],
  };
  assert.equal(
    memoryEvictionMessage(pod, stats, '100Mi', 50 * 1024 * 1024 + 4096),
    'The node was low on resource: memory. Threshold quantity: 100Mi, available: 51204Ki. Container app was using 5Mi, request is 0, has larger consumption of memory. ',
  );
  assert.equal(memoryEvictionMessage(pod, undefined, '100Mi', 1024), 'The node was low on resource: memory. Threshold quantity: 100Mi, available: 1Ki. ');
});
