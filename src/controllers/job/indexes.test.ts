import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import { completionIndexOf, duplicateIndexPods, firstPendingIndexes, formatIndexes, hasIndex, parseIndexes, totalIndexes, withIndexes } from './indexes.ts';

const podAt = (ix: string | undefined, name = `p${ix}`): Pod => ({ metadata: { name, ...(ix !== undefined ? { annotations: { 'batch.kubernetes.io/job-completion-index': ix } } : {}) } });

test('indexes: parse and format ranges as upstream writes them', () => {
  assert.deepEqual(parseIndexes('1,3-5,7', 10), [{ first: 1, last: 1 }, { first: 3, last: 5 }, { first: 7, last: 7 }]);
  assert.deepEqual(parseIndexes('0-2,3,9-12', 10), [{ first: 0, last: 3 }, { first: 9, last: 9 }]);
  assert.deepEqual(parseIndexes('x,2', 10), [{ first: 2, last: 2 }]);
  assert.equal(formatIndexes(parseIndexes('1,3-5,7', 10)), '1,3-5,7');
  assert.equal(formatIndexes([{ first: 3, last: 4 }]), '3,4');
  assert.equal(formatIndexes(withIndexes([], [4, 0, 1, 2])), '0-2,4');
  assert.equal(totalIndexes(parseIndexes('0-2,4', 5)), 4);
  assert.ok(hasIndex(parseIndexes('0-2,4', 5), 4));
  assert.ok(!hasIndex(parseIndexes('0-2,4', 5), 3));
});

test('indexes: the lowest free indexes go to new pods', () => {
  assert.deepEqual(firstPendingIndexes(parseIndexes('0,2-3', 10), 3, 10), [1, 4, 5]);
  assert.deepEqual(firstPendingIndexes([], 2, 5), [0, 1]);
  assert.deepEqual(firstPendingIndexes(parseIndexes('0-4', 5), 2, 5), []);
  assert.deepEqual(firstPendingIndexes(parseIndexes('1', 3), 5, 3), [0, 2]);
});

test('indexes: bad, out-of-range and repeated indexes are removed', () => {
  assert.equal(completionIndexOf(podAt('3')), 3);
  assert.equal(completionIndexOf(podAt('-1')), -1);
  assert.equal(completionIndexOf(podAt(undefined)), -1);
  const pods = [podAt('0', 'a'), podAt('1', 'b'), podAt('1', 'c'), podAt('7', 'd'), podAt(undefined, 'e')];
  const [rm, keep] = duplicateIndexPods(pods, 5, (x, y) => (x.metadata.name! < y.metadata.name! ? -1 : 1));
  assert.deepEqual(rm.map((p) => p.metadata.name).sort(), ['b', 'd', 'e']);
  assert.deepEqual(keep.map((p) => p.metadata.name), ['a', 'c']);
});
