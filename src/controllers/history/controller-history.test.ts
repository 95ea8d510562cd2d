import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ControllerRevision } from '../../api/types/apps-v1.ts';
import {
  CONTROLLER_REVISION_HASH_LABEL, controllerRevisionName, equalRevision, findEqualRevisions, fnv32, goJson, hashControllerRevision,
  newControllerRevision, nextRevision, revisionsToTruncate, sortRevisions,
} from './controller-history.ts';

const rev = (name: string, revision: number, data: unknown = { n: name }, created = '2024-01-01T00:00:00Z'): ControllerRevision =>
  ({ metadata: { name, creationTimestamp: created }, revision, data });

describe('controller history', () => {
  test('fnv32 is FNV-1 (hash/fnv New32), not FNV-1a', () => {
    assert.equal(fnv32(new Uint8Array()), 0x811c9dc5);
    assert.equal(fnv32(new TextEncoder().encode('a')), 0x050c5d7e);
    assert.equal(fnv32(new TextEncoder().encode('foobar')), 0x31f0b262);
  });

  test('goJson writes maps as Go does: sorted keys, HTML characters escaped', () => {
    assert.equal(goJson({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x<y>&z' } }), '{"a":{"c":"x\\u003cy\\u003e\\u0026z","d":[{"y":2,"z":1}]},"b":1}');
  });

  test('the hash covers the data bytes and the collision count as decimal text', () => {
    const data = { spec: { template: { $patch: 'replace' } } };
    const h0 = hashControllerRevision({ data }, 0);
    assert.match(h0, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.notEqual(h0, hashControllerRevision({ data }, 1));
    assert.notEqual(h0, hashControllerRevision({ data }));
    assert.equal(h0, hashControllerRevision({ data: { spec: { template: { $patch: 'replace' } } } }, 0), 'stable');
    // Key order does not change the bytes.
    assert.equal(hashControllerRevision({ data: { a: 1, b: 2 } }, 0), hashControllerRevision({ data: { b: 2, a: 1 } }, 0));
  });

  test('names are PARENT-HASH with the parent cut to 223 characters; labels carry the hash; owned by the parent', () => {
    assert.equal(controllerRevisionName('web', 'abc'), 'web-abc');
    assert.equal(controllerRevisionName('x'.repeat(300), 'h').length, 225);
    const cr = newControllerRevision({ object: { metadata: { name: 'web', namespace: 'ns', uid: 'u1' } }, apiVersion: 'apps/v1', kind: 'StatefulSet' }, { app: 'web' }, { a: 1 }, 3, 0);
    const hash = hashControllerRevision({ data: { a: 1 } }, 0);
    assert.equal(cr.metadata.name, `web-${hash}`);
    assert.deepEqual(cr.metadata.labels, { app: 'web', [CONTROLLER_REVISION_HASH_LABEL]: hash });
    assert.equal(cr.metadata.namespace, 'ns');
    assert.equal(cr.revision, 3);
    assert.deepEqual(cr.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'u1', controller: true, blockOwnerDeletion: true }]);
  });

  test('sorting by revision, then age, then name; next revision; equality by bytes', () => {
    const sorted = sortRevisions([rev('c', 2), rev('b', 1, {}, '2024-01-02T00:00:00Z'), rev('a', 1, {}, '2024-01-02T00:00:00Z'), rev('z', 1)]);
    assert.deepEqual(sorted.map((r) => r.metadata.name), ['z', 'a', 'b', 'c']);
    assert.equal(nextRevision(sorted), 3);
    assert.equal(nextRevision([]), 1);
    assert.ok(equalRevision(rev('x', 1, { a: 1, b: 2 }), rev('y', 5, { b: 2, a: 1 })));
    assert.ok(!equalRevision(rev('x', 1, { a: 1 }), rev('y', 1, { a: 2 })));
    assert.deepEqual(findEqualRevisions(sorted, rev('q', 9, { n: 'c' })).map((r) => r.metadata.name), ['c']);
  });

  test('truncation deletes the oldest revisions not in use beyond the limit', () => {
    const sorted = sortRevisions([1, 2, 3, 4, 5].map((n) => rev(`r${n}`, n)));
    assert.deepEqual(revisionsToTruncate(sorted, new Set(['r5', 'r1']), 2).map((r) => r.metadata.name), ['r2']);
    assert.deepEqual(revisionsToTruncate(sorted, new Set(['r5']), 0).map((r) => r.metadata.name), ['r1', 'r2', 'r3', 'r4']);
    assert.deepEqual(revisionsToTruncate(sorted, new Set(), 10), []);
    assert.deepEqual(revisionsToTruncate(sorted, new Set(), -1), []);
  });
});
