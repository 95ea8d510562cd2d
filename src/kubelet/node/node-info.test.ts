import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocatableOf, canonicalQuantity } from './node-info.ts';

test('allocatable from flags is stored in canonical quantity form', () => {
  assert.equal(canonicalQuantity('memory', '1.25Gi'), '1280Mi');
  assert.equal(canonicalQuantity('memory', '2Gi'), '2Gi');
  assert.equal(canonicalQuantity('memory', '2000M'), '2G');
  assert.equal(canonicalQuantity('memory', '1536Mi'), '1536Mi');
  assert.equal(canonicalQuantity('cpu', '1.5'), '1500m');
  assert.equal(canonicalQuantity('cpu', '2'), '2');
  assert.equal(canonicalQuantity('cpu', '500m'), '500m');
  const a = allocatableOf({ cpu: '4', memory: '8Gi', pods: '110' }, { memory: '1.25Gi', cpu: '1.5', pods: 20 });
  assert.deepEqual(a, { cpu: '1500m', memory: '1280Mi', pods: '20' });
});
