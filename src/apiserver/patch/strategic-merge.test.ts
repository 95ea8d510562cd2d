import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { arr, int, obj, ref, str, strMap, type Definitions, type Schema } from '../../api/schema/dsl.ts';
import { isPatchError } from './errors.ts';
import { applyStrategicMergePatch } from './strategic-merge.ts';

// A small stand-in for the real registry, with the patch metadata the real types carry.
const DEFS: Definitions = {
  'test.Pod': obj({ apiVersion: str(), kind: str(), metadata: ref('test.Meta'), spec: ref('test.PodSpec') }),
  'test.Deployment': obj({ metadata: ref('test.Meta'), spec: obj({ strategy: { ...ref('test.Strategy'), 'x-kubernetes-patch-strategy': 'retainKeys' } }) }),
  'test.Strategy': obj({ type: str(), rollingUpdate: obj({ maxSurge: str(), maxUnavailable: str() }) }),
  'test.Meta': obj({ name: str(), labels: strMap(), annotations: strMap(), finalizers: arr(str(), { strategy: 'merge' }) }),
  'test.PodSpec': obj({
    containers: arr(ref('test.Container'), { mergeKey: 'name' }),
    volumes: arr(ref('test.Volume'), { mergeKey: 'name', strategy: 'merge,retainKeys' }),
    tolerations: arr(obj({ key: str(), operator: str() })),
    nodeSelector: strMap(),
    affinity: { ...obj({ nodeAffinity: obj({ a: str() }), podAffinity: obj({ b: str() }) }), 'x-kubernetes-patch-strategy': 'replace' },
    schedulingGates: arr(obj({ name: str() }), { mergeKey: 'name' }),
  }),
  'test.Container': obj({
    name: str(), image: str(), args: arr(str()),
    ports: arr(ref('test.Port'), { mergeKey: 'containerPort' }),
    env: arr(obj({ name: str(), value: str() }), { mergeKey: 'name' }),
  }),
  'test.Port': obj({ containerPort: int(), protocol: str(), name: str() }),
  'test.Volume': obj({ name: str(), hostPath: obj({ path: str() }), emptyDir: obj({ medium: str() }), configMap: obj({ name: str() }) }),
};
const lookup = (name: string): Schema | undefined => DEFS[name];

function smp(doc: unknown, patch: unknown, def = 'test.Pod'): any {
  return applyStrategicMergePatch(doc, patch, def, lookup);
}

function spec(s: Record<string, unknown>): Record<string, unknown> {
  return { metadata: { name: 'p' }, spec: s };
}

function fails(kind: 'malformed' | 'apply', fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isPatchError(err), `expected a PatchError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    if (message) assert.match(err.message, message);
    return true;
  });
}

const names = (list: Array<{ name: string }>): string[] => list.map((c) => c.name);

describe('applyStrategicMergePatch: maps', () => {
  it('merges maps recursively and deletes keys set to null', () => {
    const doc = { metadata: { name: 'p', labels: { app: 'web', tier: 'fe' }, annotations: { a: '1' } } };
    assert.deepEqual(smp(doc, { metadata: { labels: { tier: null, env: 'prod' } } }),
      { metadata: { name: 'p', labels: { app: 'web', env: 'prod' }, annotations: { a: '1' } } });
  });

  it('ignores nulls for keys that are not there, and drops them from new maps', () => {
    assert.deepEqual(smp({ metadata: { name: 'p' } }, { metadata: { gone: null, labels: { a: 'x', b: null } } }),
      { metadata: { name: 'p', labels: { a: 'x' } } });
  });

  it('replaces a map with $patch: replace', () => {
    const doc = spec({ nodeSelector: { zone: 'a', disk: 'ssd' } });
    assert.deepEqual(smp(doc, { spec: { nodeSelector: { $patch: 'replace', zone: 'b' } } }).spec, { nodeSelector: { zone: 'b' } });
  });

  it('empties a map with $patch: delete', () => {
    const doc = spec({ nodeSelector: { zone: 'a' }, tolerations: [] });
    assert.deepEqual(smp(doc, { spec: { nodeSelector: { $patch: 'delete' } } }).spec, { nodeSelector: {}, tolerations: [] });
    // nothing to delete: the directive is not stored
    assert.deepEqual(smp(spec({}), { spec: { nodeSelector: { $patch: 'delete' } } }).spec, {});
  });

  it('accepts $patch: merge as the default behaviour', () => {
    const doc = spec({ nodeSelector: { zone: 'a' } });
    assert.deepEqual(smp(doc, { spec: { nodeSelector: { $patch: 'merge', disk: 'ssd' } } }).spec, { nodeSelector: { zone: 'a', disk: 'ssd' } });
  });

  it('replaces a map whose field has strategy replace', () => {
    const doc = spec({ affinity: { nodeAffinity: { a: '1' } } });
    assert.deepEqual(smp(doc, { spec: { affinity: { podAffinity: { b: '2' } } } }).spec, { affinity: { podAffinity: { b: '2' } } });
  });

  it('replaces the whole document with a top-level $patch: replace', () => {
    assert.deepEqual(smp({ a: 1, b: 2 }, { $patch: 'replace', c: 3 }), { c: 3 });
  });
});

describe('applyStrategicMergePatch: lists merged by key', () => {
  const pod = spec({ containers: [{ name: 'patch-demo-ctr', image: 'nginx' }] });

  it('adds a container, the way the kubectl patch documentation shows it', () => {
    const out = smp(pod, { spec: { containers: [{ name: 'patch-demo-ctr-2', image: 'redis' }] } });
    // Without $setElementOrder new items go before the server's (strategicpatch mergeSortedSlice).
    assert.deepEqual(out.spec.containers, [{ name: 'patch-demo-ctr-2', image: 'redis' }, { name: 'patch-demo-ctr', image: 'nginx' }]);
  });

  it('updates a matching item recursively, keeping its other fields', () => {
    const doc = spec({ containers: [{ name: 'a', image: 'nginx:1', args: ['x'] }, { name: 'b', image: 'redis' }] });
    const out = smp(doc, { spec: { containers: [{ name: 'a', image: 'nginx:2' }] } });
    assert.deepEqual(out.spec.containers, [{ name: 'a', image: 'nginx:2', args: ['x'] }, { name: 'b', image: 'redis' }]);
  });

  it('removes an item with $patch: delete (every item with that key)', () => {
    const doc = spec({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'a', image: 'dup' }, { name: 'c' }] });
    const out = smp(doc, { spec: { containers: [{ name: 'a', $patch: 'delete' }, { name: 'zzz', $patch: 'delete' }] } });
    assert.deepEqual(out.spec.containers, [{ name: 'b' }, { name: 'c' }]);
  });

  it('replaces the list with a {"$patch":"replace"} item', () => {
    const doc = spec({ containers: [{ name: 'a', image: 'x' }, { name: 'b' }] });
    assert.deepEqual(smp(doc, { spec: { containers: [{ name: 'c' }, { $patch: 'replace' }] } }).spec.containers, [{ name: 'c' }]);
    assert.deepEqual(smp(doc, { spec: { containers: [{ $patch: 'replace' }] } }).spec.containers, []);
  });

  it('merges nested lists: ports by containerPort inside containers by name', () => {
    const doc = spec({ containers: [{ name: 'web', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443 }] }] });
    const patch = { spec: { containers: [{ name: 'web', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 8080 }] }] } };
    assert.deepEqual(smp(doc, patch).spec.containers[0].ports,
      [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 8080 }, { containerPort: 443 }]);
  });

  it('keeps the order of the patch for the items it names (upstream custom cases)', () => {
    const doc = { spec: { containers: [{ name: '1' }, { name: '2', image: 'b' }, { name: '3' }] } };
    assert.deepEqual(smp(doc, { spec: { containers: [{ name: '3', image: 'c' }, { name: '1', image: 'a' }, { name: '2', args: ['x'] }] } }).spec.containers,
      [{ name: '3', image: 'c' }, { name: '1', image: 'a' }, { name: '2', image: 'b', args: ['x'] }]);
    assert.deepEqual(names(smp(doc, { spec: { containers: [{ name: '3' }, { name: '1' }] } }).spec.containers), ['2', '3', '1']);
  });

  it('requires the merge key on every patch item', () => {
    fails('malformed', () => smp(pod, { spec: { containers: [{ image: 'x' }] } }), /does not contain declared merge key: name/);
    fails('malformed', () => smp(pod, { spec: { containers: [{ $patch: 'delete' }] } }), /merge key/);
    fails('malformed', () => smp(pod, { spec: { containers: [{ name: 'x', $patch: 'explode' }] } }), /unknown patch type/);
  });

  it('strips directives and nulls from items it adds', () => {
    const out = smp(spec({}), { spec: { containers: [{ name: 'a', image: null, env: [{ name: 'X', value: '1' }, { name: 'Y', $patch: 'delete' }] }] } });
    assert.deepEqual(out.spec.containers, [{ name: 'a', env: [{ name: 'X', value: '1' }] }]);
  });
});

describe('applyStrategicMergePatch: primitive lists', () => {
  it('unions a primitive list with strategy merge', () => {
    const doc = { metadata: { finalizers: ['a', 'b'] } };
    assert.deepEqual(smp(doc, { metadata: { finalizers: ['b', 'c'] } }).metadata.finalizers, ['a', 'b', 'c']);
    assert.deepEqual(smp({ metadata: { finalizers: ['1', '2', '3'] } }, { metadata: { finalizers: ['3', '1'] } }).metadata.finalizers, ['2', '3', '1']);
  });

  it('deletes values with $deleteFromPrimitiveList', () => {
    const doc = { metadata: { finalizers: ['a', 'b', 'c'] } };
    assert.deepEqual(smp(doc, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b', 'x'] } }).metadata.finalizers, ['a', 'c']);
    assert.deepEqual(smp({ metadata: {} }, { metadata: { '$deleteFromPrimitiveList/finalizers': ['b'] } }).metadata, {});
    fails('malformed', () => smp(doc, { metadata: { '$deleteFromPrimitiveList/finalizers': 'b' } }), /primitive list/);
    fails('malformed', () => smp(doc, { metadata: { $deleteFromPrimitiveList: ['b'] } }), /primitive list/);
  });

  it('replaces a list without strategy merge', () => {
    const doc = spec({ containers: [{ name: 'a', args: ['x', 'y'] }], tolerations: [{ key: 'k1' }, { key: 'k2' }] });
    const out = smp(doc, { spec: { containers: [{ name: 'a', args: ['z'] }], tolerations: [{ key: 'k3' }] } });
    assert.deepEqual(out.spec, { containers: [{ name: 'a', args: ['z'] }], tolerations: [{ key: 'k3' }] });
  });

  it('rejects lists of lists', () => {
    fails('apply', () => smp({ metadata: { finalizers: ['a'] } }, { metadata: { finalizers: [['b']] } }), /lists of lists/);
  });
});

describe('applyStrategicMergePatch: $setElementOrder', () => {
  const doc = spec({ containers: [{ name: 'a', image: '1' }, { name: 'b', image: '2' }] });

  it('inserts a new container where the order list puts it (kubectl apply)', () => {
    const patch = { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'c' }, { name: 'b' }], containers: [{ name: 'c', image: '3' }] } };
    assert.deepEqual(smp(doc, patch).spec.containers, [{ name: 'a', image: '1' }, { name: 'c', image: '3' }, { name: 'b', image: '2' }]);
  });

  it('reorders without changes, and keeps server-only items after the ones it names', () => {
    const live = spec({ containers: [{ name: 'a' }, { name: 'b' }, { name: 'sidecar' }] });
    assert.deepEqual(names(smp(live, { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }] } }).spec.containers), ['b', 'a', 'sidecar']);
  });

  it('combines with deletions', () => {
    const patch = { spec: { '$setElementOrder/containers': [{ name: 'b' }], containers: [{ name: 'a', $patch: 'delete' }] } };
    assert.deepEqual(smp(doc, patch).spec.containers, [{ name: 'b', image: '2' }]);
  });

  it('ignores names the list does not have (upstream custom case)', () => {
    const live = { spec: { containers: [{ name: '1' }, { name: '3' }] } };
    const patch = { spec: { '$setElementOrder/containers': [{ name: '3' }, { name: '2' }, { name: '1' }], containers: [{ name: '3', image: '3' }, { name: '1', image: '1' }] } };
    assert.deepEqual(smp(live, patch).spec.containers, [{ name: '3', image: '3' }, { name: '1', image: '1' }]);
  });

  it('orders primitive lists and the list it creates', () => {
    const meta = { metadata: { finalizers: ['1', '3'] } };
    assert.deepEqual(smp(meta, { metadata: { '$setElementOrder/finalizers': ['3', '2', '1'] } }).metadata.finalizers, ['3', '1']);
    const created = smp(spec({}), { spec: { '$setElementOrder/containers': [{ name: 'y' }, { name: 'x' }], containers: [{ name: 'x' }] } });
    assert.deepEqual(names(created.spec.containers), ['x']);
  });

  it('rejects an order list that contradicts the patch list, or is not a list', () => {
    fails('malformed', () => smp(doc, { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'b' }, { name: 'a' }] } }), /doesn't match/);
    fails('malformed', () => smp(doc, { spec: { '$setElementOrder/containers': { name: 'a' } } }), /setElementOrder/);
  });
});

describe('applyStrategicMergePatch: $retainKeys', () => {
  it('clears volume source fields not listed (strategy merge,retainKeys)', () => {
    const doc = spec({ volumes: [{ name: 'data', hostPath: { path: '/srv' } }, { name: 'cfg', configMap: { name: 'c' } }] });
    const patch = { spec: { volumes: [{ name: 'data', emptyDir: {}, $retainKeys: ['emptyDir', 'name'] }] } };
    assert.deepEqual(smp(doc, patch).spec.volumes, [{ name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'c' } }]);
  });

  it('switches a deployment strategy, dropping rollingUpdate', () => {
    const doc = { metadata: { name: 'd' }, spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%' } } } };
    const out = smp(doc, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }, 'test.Deployment');
    assert.deepEqual(out.spec, { strategy: { type: 'Recreate' } });
  });

  it('merges as usual without the directive', () => {
    const doc = spec({ volumes: [{ name: 'data', hostPath: { path: '/srv' } }] });
    assert.deepEqual(smp(doc, { spec: { volumes: [{ name: 'data', emptyDir: {} }] } }).spec.volumes, [{ name: 'data', hostPath: { path: '/srv' }, emptyDir: {} }]);
  });

  it('rejects a patch that sets a key the list does not retain', () => {
    const doc = spec({ volumes: [{ name: 'data', hostPath: { path: '/srv' } }] });
    fails('malformed', () => smp(doc, { spec: { volumes: [{ name: 'data', emptyDir: {}, $retainKeys: ['name'] }] } }), /retainKeys/);
    fails('malformed', () => smp(doc, { spec: { volumes: [{ name: 'data', $retainKeys: 'name' }] } }), /retainKeys/);
  });
});

describe('applyStrategicMergePatch: fields without patch metadata', () => {
  it('behaves like a JSON merge patch for unknown fields', () => {
    const doc = spec({ custom: { list: [{ name: 'a', v: 1 }], keep: 1, drop: 2 } });
    const out = smp(doc, { spec: { custom: { list: [{ name: 'b' }], drop: null, add: { x: null, y: 1 } } } });
    assert.deepEqual(out.spec.custom, { list: [{ name: 'b' }], keep: 1, add: { y: 1 } });
  });

  it('behaves like a JSON merge patch for an unknown definition', () => {
    const doc = { spec: { containers: [{ name: 'a' }] } };
    assert.deepEqual(smp(doc, { spec: { containers: [{ name: 'b' }] } }, 'no.such.Kind'), { spec: { containers: [{ name: 'b' }] } });
  });

  it('replaces values whose type changes', () => {
    assert.deepEqual(smp(spec({ nodeSelector: { a: 'b' } }), { spec: { nodeSelector: 'x' } }).spec, { nodeSelector: 'x' });
  });
});

describe('applyStrategicMergePatch: inputs', () => {
  it('never mutates the document or the patch', () => {
    const doc = spec({ containers: [{ name: 'a', ports: [{ containerPort: 1 }] }], volumes: [{ name: 'v', hostPath: { path: '/' } }] });
    const patch = { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'a', ports: [{ containerPort: 2 }] }], volumes: [{ name: 'v', emptyDir: {}, $retainKeys: ['name', 'emptyDir'] }] } };
    const before = structuredClone({ doc, patch });
    smp(doc, patch);
    assert.deepEqual({ doc, patch }, before);
  });

  it('treats a null patch as no change and rejects non-object patches', () => {
    assert.deepEqual(smp({ a: 1 }, null), { a: 1 });
    fails('malformed', () => smp({ a: 1 }, [{ a: 2 }]), /must be a JSON object/);
    fails('malformed', () => smp({ a: 1 }, { $patch: 'bogus' }), /unknown patch type/);
  });
});
