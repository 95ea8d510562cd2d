import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types/core-v1.ts';
import { isBestEffort, MEMORY_PRESSURE_TAINT, withMemoryPressureToleration } from './memory-pressure-toleration.ts';

const spec = (resources?: Record<string, Record<string, string>>): NonNullable<Pod['spec']> => ({ containers: [{ name: 'c', image: 'busybox', ...(resources ? { resources } : {}) }] });

test('only pods that request or limit something get the memory-pressure toleration', () => {
  assert.equal(isBestEffort(spec()), true);
  assert.equal(withMemoryPressureToleration(spec()), undefined);
  assert.equal(isBestEffort(spec({ requests: { memory: '1Ki' } })), false);
  assert.deepEqual(withMemoryPressureToleration(spec({ limits: { cpu: '1' } })), [{ key: MEMORY_PRESSURE_TAINT, operator: 'Exists', effect: 'NoSchedule' }]);
  const init: NonNullable<Pod['spec']> = { ...spec(), initContainers: [{ name: 'i', image: 'busybox', resources: { requests: { cpu: '10m' } } }] };
  assert.equal(isBestEffort(init), false);
});

test('a toleration that already covers the taint is kept as it is', () => {
  const s = { ...spec({ requests: { memory: '1Ki' } }), tolerations: [{ key: MEMORY_PRESSURE_TAINT, operator: 'Exists' as const }] };
  assert.equal(withMemoryPressureToleration(s), undefined);
  assert.equal(withMemoryPressureToleration({ ...s, tolerations: [{ operator: 'Exists' as const }] }), undefined);
  assert.equal(withMemoryPressureToleration({ ...s, tolerations: [{ key: MEMORY_PRESSURE_TAINT, operator: 'Equal' as const, value: 'x', effect: 'NoSchedule' as const }] })?.length, 2);
});
