import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, lookupResource } from '../../api/scheme.ts';
import type { KubeObject } from '../../api/meta.ts';
import { tableColumns, tableWatchEncoder, toTable, watchEventTable } from './index.ts';
import { DAY, NOW, obj } from './test-helpers.ts';

const info = (group: string, version: string, resource: string) => {
  const i = lookupResource(group, version, resource);
  assert.ok(i, `${group}/${version}/${resource} is served`);
  return i;
};

/** A sparse object, an empty one, and one with odd but well-typed content, for every resource. */
function samples(): KubeObject[] {
  return [
    obj('empty', DAY),
    { metadata: {} },
    obj('busy', DAY, {
      spec: { containers: [{ name: 'a', image: 'b' }], ports: [{ port: 80 }], rules: [{ host: 'h' }], replicas: 0, metrics: [{ type: 'Nope' }] },
      status: { conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [{ name: 'a', state: {} }] },
      data: { k: 'v' }, subsets: [], endpoints: [], conditions: [],
    }, { deletionTimestamp: new Date(NOW).toISOString() }),
  ];
}

test('every served resource yields rows with exactly one cell per column', () => {
  for (const r of RESOURCES) {
    const t = toTable(r, samples(), { now: NOW, includeObject: 'Metadata' });
    assert.ok(t.columnDefinitions.length >= 2, `${r.group}/${r.resource} has columns`);
    assert.equal(t.columnDefinitions.filter((c) => c.format === 'name').length, 1, `${r.group}/${r.resource} has one name column`);
    for (const c of t.columnDefinitions) {
      assert.ok(['string', 'integer', 'number', 'boolean', 'date'].includes(c.type), `${r.resource}.${c.name} type`);
      assert.ok(c.description.length > 0, `${r.resource}.${c.name} has a description`);
      assert.ok(c.priority === 0 || c.priority === 1);
    }
    for (const row of t.rows) assert.equal(row.cells.length, t.columnDefinitions.length, `${r.group}/${r.version}/${r.resource}`);
    assert.deepEqual(tableColumns(r), t.columnDefinitions);
  }
});

test('the first column is the name, except for events (as upstream)', () => {
  for (const r of RESOURCES) {
    const first = tableColumns(r)[0];
    if (r.resource === 'events') assert.equal(first?.name, 'Last Seen');
    else assert.deepEqual([first?.name, first?.format, first?.priority], ['Name', 'name', 0], r.resource);
  }
});

test('unknown and printer-less kinds get the default convertor: Name and Created At', () => {
  const lr = info('', 'v1', 'limitranges');
  const t = toTable(lr, [obj('limits', DAY, {}, { creationTimestamp: '2025-12-31T00:00:00.123Z' }), { metadata: { name: 'x' } }], { now: NOW, includeObject: 'None' });
  assert.deepEqual(t.columnDefinitions.map((c) => [c.name, c.type, c.format]), [['Name', 'string', 'name'], ['Created At', 'date', '']]);
  assert.deepEqual(t.rows.map((r) => r.cells), [['limits', '2025-12-31T00:00:00Z'], ['x', '0001-01-01T00:00:00Z']]);
  const made = { ...lr, group: 'example.com', resource: 'widgets', kind: 'Widget' };
  assert.equal(tableColumns(made)[1]?.name, 'Created At');
});

test('includeObject: Metadata gives PartialObjectMetadata without managedFields', () => {
  const pods = info('', 'v1', 'pods');
  const p = obj('web', DAY, { spec: { containers: [] } }, {
    labels: { app: 'web' }, resourceVersion: '42', managedFields: [{ manager: 'kubectl', operation: 'Apply' }],
  });
  const t = toTable(pods, [p], { now: NOW, includeObject: 'Metadata' });
  assert.deepEqual(t.rows[0]?.object, {
    kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1',
    metadata: { name: 'web', namespace: 'default', creationTimestamp: p.metadata.creationTimestamp, labels: { app: 'web' }, resourceVersion: '42' },
  });
  assert.equal(p.metadata.managedFields?.length, 1, 'the input is not changed');
  assert.deepEqual(t.metadata, { resourceVersion: '42' });
});

test('includeObject: Object embeds the whole object with its kind; None embeds nothing', () => {
  const deploy = info('apps', 'v1', 'deployments');
  const d = obj('web', DAY, { spec: { replicas: 1 } });
  const full = toTable(deploy, [d], { now: NOW, includeObject: 'Object' }).rows[0]?.object as KubeObject;
  assert.equal(full.apiVersion, 'apps/v1');
  assert.equal(full.kind, 'Deployment');
  assert.deepEqual(full.spec, { replicas: 1 });
  assert.equal('object' in (toTable(deploy, [d], { now: NOW, includeObject: 'None' }).rows[0] ?? {}), false);
});

test('list metadata is carried over', () => {
  const cms = info('', 'v1', 'configmaps');
  const t = toTable(cms, [obj('a', DAY), obj('b', DAY)], { now: NOW, includeObject: 'None', listMeta: { resourceVersion: '900', continue: 'tok', remainingItemCount: 7 } });
  assert.deepEqual(t.metadata, { resourceVersion: '900', continue: 'tok', remainingItemCount: 7 });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.rows.map((r) => r.cells[0]), ['a', 'b']);
  assert.deepEqual(toTable(cms, [], { now: NOW, includeObject: 'None', listMeta: {} }).metadata, {});
});

test('pod rows carry the Completed condition', () => {
  const t = toTable(info('', 'v1', 'pods'), [obj('done', DAY, { status: { phase: 'Succeeded' } })], { now: NOW, includeObject: 'None' });
  assert.equal(t.rows[0]?.conditions?.[0]?.type, 'Completed');
});

test('watch tables: columns on the first event only', () => {
  const svc = info('', 'v1', 'services');
  const s = obj('web', DAY, { spec: { type: 'ClusterIP', clusterIPs: ['10.0.0.1'] } }, { resourceVersion: '5' });
  assert.equal(watchEventTable(svc, s, { now: NOW, includeObject: 'Metadata', withColumns: false }).columnDefinitions.length, 0);
  const encode = tableWatchEncoder(svc, 'Metadata', () => NOW);
  const first = encode(s);
  const second = encode(s);
  assert.equal(first.columnDefinitions.length, 7);
  assert.deepEqual(second.columnDefinitions, []);
  assert.deepEqual(second.rows, first.rows);
  assert.deepEqual(second.metadata, { resourceVersion: '5' });
});

test('both HPA versions and both event groups print', () => {
  const v1 = info('autoscaling', 'v1', 'horizontalpodautoscalers');
  const v2 = info('autoscaling', 'v2', 'horizontalpodautoscalers');
  assert.deepEqual(tableColumns(v1), tableColumns(v2));
  assert.deepEqual(tableColumns(info('events.k8s.io', 'v1', 'events')), tableColumns(info('', 'v1', 'events')));
});
