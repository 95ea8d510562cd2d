// Lists (chunking, selectors, resourceVersion semantics, Table and metadata-only output) and
// watches (resume, selectors, bookmarks, timeouts, ordering), as kube-apiserver serves them
// (k8s.io/apiserver/pkg/endpoints/handlers/{get,watch}.go, .../storage/cacher; e2e apimachinery/watch.go,
// chunking.go, table_conversion.go).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForSuite, configMap, sleep, summarize, type WatchEvent } from './api-helpers.ts';

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const KUBECTL_TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';
const META_LIST = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io';
const META = 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io';

const cmPath = (ns: string, name = ''): string => `/api/v1/namespaces/${ns}/configmaps${name ? `/${name}` : ''}`;
const rvOf = (o: any): number => Number(o?.metadata?.resourceVersion);

describe('API lists and watches', () => {
  const ctx = serverForSuite({ before, after });

  async function namespace(name: string): Promise<void> {
    const r = await ctx.api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    assert.equal(r.status, 201, r.text);
  }

  async function create(ns: string, obj: any): Promise<any> {
    const r = await ctx.api.post(cmPath(ns), obj);
    assert.equal(r.status, 201, r.text);
    return r.json();
  }

  /** Merge-patch a configmap; returns the new object. */
  async function patch(ns: string, name: string, body: unknown): Promise<any> {
    const r = await ctx.api.patch(cmPath(ns, name), body, 'application/merge-patch+json');
    assert.equal(r.status, 200, r.text);
    return r.json();
  }

  async function remove(ns: string, name: string): Promise<void> {
    const r = await ctx.api.del(cmPath(ns, name));
    assert.equal(r.status, 200, r.text);
  }


  describe('lists', () => {
    test('API Chunking, server should return chunks of results for list calls', async () => {
      const ns = 'chunking';
      await namespace(ns);
      const total = 40;
      const names: string[] = [];
      for (let i = 0; i < total; i++) {
        const name = `chunk-${String(i).padStart(3, '0')}`;
        names.push(name);
        await create(ns, configMap(name));
      }
      const seen: string[] = [];
      let cont = '';
      let listRv = '';
      let pages = 0;
      let lastRemaining = Infinity;
      while (true) {
        const r = await ctx.api.get(`${cmPath(ns)}?limit=7${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
        assert.equal(r.status, 200, r.text);
        const list = r.json();
        pages++;
        assert.equal(list.kind, 'ConfigMapList');
        assert.ok(list.items.length <= 7, `page ${pages} has at most 7 items`);
        if (pages === 1) {
          listRv = list.metadata.resourceVersion;
          assert.ok(listRv, 'the first page has a resourceVersion');
        } else {
          assert.equal(list.metadata.resourceVersion, listRv, `page ${pages} has the first page's resourceVersion`);
        }
        seen.push(...list.items.map((o: any) => o.metadata.name));
        if (!list.metadata.continue) {
          assert.equal(list.metadata.remainingItemCount, undefined, 'the last page has no remainingItemCount');
          break;
        }
        assert.equal(list.items.length, 7, 'a page with a continue token is full');
        const remaining = list.metadata.remainingItemCount;
        assert.equal(typeof remaining, 'number', `page ${pages} has remainingItemCount`);
        assert.equal(remaining, total - seen.length, `page ${pages}: remainingItemCount`);
        assert.ok(remaining < lastRemaining, 'remainingItemCount decreases');
        lastRemaining = remaining;
        cont = list.metadata.continue;
        assert.ok(pages < 20, 'paging terminates');
      }
      assert.equal(pages, Math.ceil(total / 7));
      assert.deepEqual(seen, names, 'every item exactly once, in name order');
      // Without a limit, everything in one response.
      const all = (await ctx.api.get(cmPath(ns))).json();
      assert.deepEqual(all.items.map((o: any) => o.metadata.name), names);
      assert.equal(all.metadata.continue, undefined);
      // A limit larger than the collection: one page, no continue.
      const big = (await ctx.api.get(`${cmPath(ns)}?limit=500`)).json();
      assert.equal(big.items.length, total);
      assert.ok(!big.metadata.continue);
    });

    test('paging reads one snapshot: writes after the first page do not show, and remainingItemCount still counts that snapshot', async () => {
      const ns = 'chunking-snapshot';
      await namespace(ns);
      for (let i = 0; i < 10; i++) await create(ns, configMap(`s-${i}`));
      const first = (await ctx.api.get(`${cmPath(ns)}?limit=4`)).json();
      assert.equal(first.metadata.remainingItemCount, 6);
      await create(ns, configMap('s-9-late'));
      await patch(ns, 's-8', { data: { changed: 'yes' } });
      await remove(ns, 's-7');
      const second = (await ctx.api.get(`${cmPath(ns)}?limit=4&continue=${encodeURIComponent(first.metadata.continue)}`)).json();
      assert.equal(second.metadata.resourceVersion, first.metadata.resourceVersion);
      assert.deepEqual(second.items.map((o: any) => o.metadata.name), ['s-4', 's-5', 's-6', 's-7'], 's-7 is still there in the snapshot');
      assert.equal(second.metadata.remainingItemCount, 2, JSON.stringify(second.metadata));
      const third = (await ctx.api.get(`${cmPath(ns)}?limit=4&continue=${encodeURIComponent(second.metadata.continue)}`)).json();
      assert.deepEqual(third.items.map((o: any) => o.metadata.name), ['s-8', 's-9'], 'the late object is not in the snapshot');
      assert.equal(third.items[0].data.changed, undefined, 's-8 as of the snapshot');
      assert.ok(!third.metadata.continue);
    });

    test('an invalid continue token is 400 BadRequest', async () => {
      const r = await ctx.api.get(`${cmPath('default')}?limit=2&continue=not-a-token`);
      assert.equal(r.status, 400, r.text);
      assert.equal(r.json().reason, 'BadRequest');
    });

    test('label selectors on lists', async () => {
      const ns = 'labels';
      await namespace(ns);
      await create(ns, configMap('prod-web', { labels: { env: 'prod', tier: 'web' } }));
      await create(ns, configMap('prod-db', { labels: { env: 'prod', tier: 'db' } }));
      await create(ns, configMap('dev-web', { labels: { env: 'dev', tier: 'web' } }));
      await create(ns, configMap('plain'));
      const names = async (selector: string): Promise<string[]> => {
        const r = await ctx.api.get(`${cmPath(ns)}?labelSelector=${encodeURIComponent(selector)}`);
        assert.equal(r.status, 200, `${selector}: ${r.text}`);
        return r.json().items.map((o: any) => o.metadata.name).sort();
      };
      assert.deepEqual(await names('env=prod'), ['prod-db', 'prod-web']);
      assert.deepEqual(await names('env==prod'), ['prod-db', 'prod-web']);
      assert.deepEqual(await names('env!=prod'), ['dev-web', 'plain']);
      assert.deepEqual(await names('env in (prod,dev)'), ['dev-web', 'prod-db', 'prod-web']);
      assert.deepEqual(await names('env notin (prod)'), ['dev-web', 'plain']);
      assert.deepEqual(await names('env=prod,tier=web'), ['prod-web']);
      assert.deepEqual(await names('tier'), ['dev-web', 'prod-db', 'prod-web']);
      assert.deepEqual(await names('!tier'), ['plain']);
      assert.deepEqual(await names(''), ['dev-web', 'plain', 'prod-db', 'prod-web']);
    });

    test('field selectors on lists', async () => {
      const ns = 'fields';
      await namespace(ns);
      await create(ns, configMap('a'));
      await create(ns, configMap('b'));
      const names = async (path: string): Promise<string[]> => {
        const r = await ctx.api.get(path);
        assert.equal(r.status, 200, r.text);
        return r.json().items.map((o: any) => o.metadata.name).sort();
      };
      assert.deepEqual(await names(`${cmPath(ns)}?fieldSelector=${encodeURIComponent('metadata.name=a')}`), ['a']);
      assert.deepEqual(await names(`${cmPath(ns)}?fieldSelector=${encodeURIComponent('metadata.name!=a')}`), ['b']);
      // Across namespaces, by namespace.
      assert.deepEqual(await names(`/api/v1/configmaps?fieldSelector=${encodeURIComponent(`metadata.namespace=${ns}`)}`), ['a', 'b']);
      assert.deepEqual(await names(`/api/v1/configmaps?fieldSelector=${encodeURIComponent(`metadata.namespace=${ns},metadata.name=b`)}`), ['b']);
    });

    test('LimitRange, list across namespaces with a label selector', async () => {
      await namespace('lr-a');
      await namespace('lr-b');
      const lr = (name: string): any => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name, labels: { 'e2e-test': 'lr' } }, spec: { limits: [{ type: 'Container', default: { cpu: '500m' } }] } });
      assert.equal((await ctx.api.post('/api/v1/namespaces/lr-a/limitranges', lr('one'))).status, 201);
      assert.equal((await ctx.api.post('/api/v1/namespaces/lr-b/limitranges', lr('two'))).status, 201);
      const list = (await ctx.api.get(`/api/v1/limitranges?labelSelector=${encodeURIComponent('e2e-test=lr')}`)).json();
      assert.deepEqual(list.items.map((o: any) => `${o.metadata.namespace}/${o.metadata.name}`).sort(), ['lr-a/one', 'lr-b/two']);
    });

    test('resourceVersion=0 list answers from the cache with a resourceVersion', async () => {
      await create('default', configMap('rv0'));
      const r = await ctx.api.get(`${cmPath('default')}?resourceVersion=0`);
      assert.equal(r.status, 200, r.text);
      const list = r.json();
      assert.ok(rvOf(list) > 0, 'a resourceVersion');
      assert.ok(list.items.some((o: any) => o.metadata.name === 'rv0'));
      const notOlder = await ctx.api.get(`${cmPath('default')}?resourceVersion=${list.metadata.resourceVersion}&resourceVersionMatch=NotOlderThan`);
      assert.equal(notOlder.status, 200, notOlder.text);
      assert.ok(rvOf(notOlder.json()) >= rvOf(list));
    });

    test('list resourceVersion is the latest write', async () => {
      const obj = await create('default', configMap('latest-rv'));
      const list = (await ctx.api.get(cmPath('default'))).json();
      assert.ok(rvOf(list) >= rvOf(obj), `list rv ${list.metadata.resourceVersion} >= created rv ${obj.metadata.resourceVersion}`);
    });

    test('list with resourceVersionMatch=Exact returns the collection as of that version', async () => {
      const ns = 'exact';
      await namespace(ns);
      await create(ns, configMap('first'));
      const rv = (await ctx.api.get(cmPath(ns))).json().metadata.resourceVersion;
      await create(ns, configMap('second'));
      const r = await ctx.api.get(`${cmPath(ns)}?resourceVersion=${rv}&resourceVersionMatch=Exact`);
      assert.equal(r.status, 200, r.text);
      const list = r.json();
      assert.equal(list.metadata.resourceVersion, rv);
      assert.deepEqual(list.items.map((o: any) => o.metadata.name), ['first']);
    });

    test('Table output for a list', async () => {
      const ns = 'tables';
      await namespace(ns);
      await create(ns, configMap('t1', { data: { a: '1', b: '2' } }));
      await create(ns, configMap('t2'));
      const r = await ctx.api.get(`${cmPath(ns)}?limit=500`, { Accept: KUBECTL_TABLE });
      assert.equal(r.status, 200, r.text);
      // Upstream writes the serializer's media type (application/json); the body's kind says Table.
      assert.match(String(r.headers['content-type']), /^application\/json/);
      const t = r.json();
      assert.equal(t.kind, 'Table');
      assert.equal(t.apiVersion, 'meta.k8s.io/v1');
      assert.ok(rvOf(t) > 0, 'the table carries the list resourceVersion');
      const cols = t.columnDefinitions.map((c: any) => c.name);
      assert.deepEqual(cols, ['Name', 'Data', 'Age']);
      for (const c of t.columnDefinitions) {
        assert.equal(typeof c.type, 'string');
        assert.equal(typeof c.priority, 'number');
        assert.ok('format' in c && 'description' in c, JSON.stringify(c));
      }
      assert.equal(t.rows.length, 2);
      const row = t.rows.find((x: any) => x.cells[0] === 't1');
      assert.ok(row, 'a row for t1');
      assert.equal(row.cells[1], 2, 'Data column counts the keys');
      assert.match(String(row.cells[2]), /^\d+s$|^\d+m/);
      assert.equal(row.object.kind, 'PartialObjectMetadata');
      assert.equal(row.object.apiVersion, 'meta.k8s.io/v1');
      assert.equal(row.object.metadata.name, 't1');
      assert.equal(row.object.metadata.namespace, ns);
      assert.equal(row.object.data, undefined, 'metadata only');
      // A single object as a Table.
      const one = (await ctx.api.get(cmPath(ns, 't2'), { Accept: TABLE })).json();
      assert.equal(one.kind, 'Table');
      assert.equal(one.rows.length, 1);
      assert.equal(one.rows[0].cells[0], 't2');
      // includeObject=None drops the row objects; includeObject=Object embeds the full object.
      const none = (await ctx.api.get(`${cmPath(ns)}?includeObject=None`, { Accept: TABLE })).json();
      assert.ok(none.rows.every((x: any) => x.object === undefined || x.object === null), JSON.stringify(none.rows[0]));
      const full = (await ctx.api.get(`${cmPath(ns)}?includeObject=Object`, { Accept: TABLE })).json();
      assert.equal(full.rows.find((x: any) => x.cells[0] === 't1').object.data.a, '1');
    });

    test('a Table asked for in meta.k8s.io/v1beta1 comes back in v1beta1', async () => {
      const r = await ctx.api.get(cmPath('default'), { Accept: 'application/json;as=Table;v=v1beta1;g=meta.k8s.io' });
      assert.equal(r.status, 200, r.text);
      const t = r.json();
      assert.equal(t.kind, 'Table');
      assert.equal(t.apiVersion, 'meta.k8s.io/v1beta1');
    });

    test('an Accept the server cannot produce is 406 NotAcceptable', async () => {
      const r = await ctx.api.get(cmPath('default'), { Accept: 'application/json;as=Table;v=v7;g=meta.k8s.io' });
      assert.equal(r.status, 406, r.text);
      assert.equal(r.json().reason, 'NotAcceptable');
      const xml = await ctx.api.get(cmPath('default'), { Accept: 'application/xml' });
      assert.equal(xml.status, 406, xml.text);
    });

    test('PartialObjectMetadataList and PartialObjectMetadata', async () => {
      const ns = 'metaonly';
      await namespace(ns);
      await create(ns, configMap('m1', { labels: { x: 'y' }, data: { secret: 'stuff' } }));
      const r = await ctx.api.get(cmPath(ns), { Accept: `${META_LIST},application/json` });
      assert.equal(r.status, 200, r.text);
      assert.match(String(r.headers['content-type']), /^application\/json/);
      const list = r.json();
      assert.equal(list.kind, 'PartialObjectMetadataList');
      assert.equal(list.apiVersion, 'meta.k8s.io/v1');
      assert.ok(rvOf(list) > 0);
      assert.equal(list.items.length, 1);
      const item = list.items[0];
      assert.equal(item.kind, 'PartialObjectMetadata');
      assert.equal(item.apiVersion, 'meta.k8s.io/v1');
      assert.equal(item.metadata.name, 'm1');
      assert.deepEqual(item.metadata.labels, { x: 'y' });
      assert.ok(item.metadata.uid);
      assert.equal(item.data, undefined, 'no data');
      const one = await ctx.api.get(cmPath(ns, 'm1'), { Accept: META });
      assert.equal(one.status, 200);
      const o = one.json();
      assert.equal(o.kind, 'PartialObjectMetadata');
      assert.equal(o.metadata.name, 'm1');
      assert.equal(o.data, undefined);
    });
  });

  describe('watches', () => {
    test('watch-configmaps-from-resource-version', async () => {
      const ns = 'watch-from-rv';
      await namespace(ns);
      const name = 'e2e-watch-test-resource-version';
      await create(ns, configMap(name, { data: {} }));
      const first = await patch(ns, name, { data: { mutation: '1' } });
      await patch(ns, name, { data: { mutation: '2' } });
      await remove(ns, name);
      const w = await ctx.api.watch(`${cmPath(ns)}?watch=true&resourceVersion=${first.metadata.resourceVersion}`);
      assert.equal(w.status, 200);
      assert.match(String(w.headers['content-type']), /^application\/json/);
      await w.waitFor((e) => e.type === 'DELETED');
      await sleep(200);
      w.close();
      assert.deepEqual(w.events.map((e) => e.type), ['MODIFIED', 'DELETED'], summarize(w.events));
      assert.equal(w.events[0]!.object.data.mutation, '2');
      assert.equal(w.events[0]!.object.kind, 'ConfigMap');
      assert.equal(w.events[0]!.object.apiVersion, 'v1');
      assert.equal(w.events[1]!.object.metadata.name, name);
      assert.ok(rvOf(w.events[1]!.object) > rvOf(w.events[0]!.object), 'the DELETED event carries the deletion resourceVersion');
    });

    test('watch-configmaps-with-multiple-watchers', async () => {
      const ns = 'watch-multi';
      await namespace(ns);
      const label = 'watch-this-configmap';
      const sel = (v: string): string => `${cmPath(ns)}?watch=true&labelSelector=${encodeURIComponent(v)}`;
      const wA = await ctx.api.watch(sel(`${label}=multiple-watchers-A`));
      const wB = await ctx.api.watch(sel(`${label}=multiple-watchers-B`));
      const wAB = await ctx.api.watch(sel(`${label} in (multiple-watchers-A,multiple-watchers-B)`));
      try {
        await create(ns, configMap('e2e-watch-test-configmap-a', { labels: { [label]: 'multiple-watchers-A' }, data: {} }));
        await patch(ns, 'e2e-watch-test-configmap-a', { data: { mutation: '1' } });
        await patch(ns, 'e2e-watch-test-configmap-a', { data: { mutation: '2' } });
        await remove(ns, 'e2e-watch-test-configmap-a');
        await create(ns, configMap('e2e-watch-test-configmap-b', { labels: { [label]: 'multiple-watchers-B' }, data: {} }));
        await remove(ns, 'e2e-watch-test-configmap-b');
        await wA.waitFor((e) => e.type === 'DELETED');
        await wB.waitFor((e) => e.type === 'DELETED');
        await wAB.waitFor((e) => e.type === 'DELETED' && e.object.metadata.name === 'e2e-watch-test-configmap-b');
        await sleep(200);
        const show = (evs: WatchEvent[]): string[] => evs.map((e) => `${e.type} ${e.object.metadata.name}${e.object.data?.mutation ? ` ${e.object.data.mutation}` : ''}`);
        assert.deepEqual(show(wA.events), ['ADDED e2e-watch-test-configmap-a', 'MODIFIED e2e-watch-test-configmap-a 1', 'MODIFIED e2e-watch-test-configmap-a 2', 'DELETED e2e-watch-test-configmap-a 2']);
        assert.deepEqual(show(wB.events), ['ADDED e2e-watch-test-configmap-b', 'DELETED e2e-watch-test-configmap-b']);
        assert.deepEqual(show(wAB.events), [...show(wA.events), ...show(wB.events)]);
      } finally {
        wA.close(); wB.close(); wAB.close();
      }
    });

    test('watch-configmaps-label-changed', async () => {
      const ns = 'watch-label';
      await namespace(ns);
      const label = 'watch-this-configmap';
      const value = 'label-changed-and-restored';
      const name = 'e2e-watch-test-label-changed';
      const w = await ctx.api.watch(`${cmPath(ns)}?watch=true&labelSelector=${encodeURIComponent(`${label}=${value}`)}`);
      try {
        await create(ns, configMap(name, { labels: { [label]: value }, data: {} }));
        await patch(ns, name, { data: { mutation: '1' } });
        await patch(ns, name, { metadata: { labels: { [label]: 'wrong-value' } } });
        await patch(ns, name, { data: { mutation: '2' } }); // not seen: it does not match
        await patch(ns, name, { metadata: { labels: { [label]: value } } });
        await patch(ns, name, { data: { mutation: '3' } });
        await remove(ns, name);
        await w.waitFor((e) => e.type === 'DELETED', 10_000, 3);
        await sleep(200);
        const show = w.events.map((e) => `${e.type} ${e.object.data?.mutation ?? '-'}`);
        assert.deepEqual(show, ['ADDED -', 'MODIFIED 1', 'DELETED 1', 'ADDED 2', 'MODIFIED 3', 'DELETED 3']);
        // When the label stops matching, upstream sends the previous object (mutation 1) stamped with
        // the new resourceVersion (cacheWatcher.convertToWatchEvent): versions still move forward.
        const rvs = w.events.map((e) => rvOf(e.object));
        for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i]! > rvs[i - 1]!, `resourceVersions increase: ${rvs.join(',')}`);
      } finally {
        w.close();
      }
    });

    test('watch-configmaps-closed-and-restarted', async () => {
      const ns = 'watch-restart';
      await namespace(ns);
      const label = 'watch-this-configmap';
      const value = 'watch-closed-and-restarted';
      const name = 'e2e-watch-test-watch-closed';
      const path = `${cmPath(ns)}?watch=true&labelSelector=${encodeURIComponent(`${label}=${value}`)}`;
      const w1 = await ctx.api.watch(path);
      await create(ns, configMap(name, { labels: { [label]: value }, data: {} }));
      await patch(ns, name, { data: { mutation: '1' } });
      const last = await w1.waitFor((e) => e.type === 'MODIFIED');
      w1.close();
      assert.deepEqual(w1.events.map((e) => e.type), ['ADDED', 'MODIFIED']);
      // Changes while no one watches.
      await patch(ns, name, { data: { mutation: '2' } });
      const w2 = await ctx.api.watch(`${path}&resourceVersion=${last.object.metadata.resourceVersion}`);
      try {
        await patch(ns, name, { data: { mutation: '3' } });
        await remove(ns, name);
        await w2.waitFor((e) => e.type === 'DELETED');
        await sleep(200);
        assert.deepEqual(w2.events.map((e) => `${e.type} ${e.object.data?.mutation}`), ['MODIFIED 2', 'MODIFIED 3', 'DELETED 3']);
      } finally {
        w2.close();
      }
    });

    test('watch without resourceVersion starts with ADDED for existing objects', async () => {
      const ns = 'watch-initial';
      await namespace(ns);
      await create(ns, configMap('pre-1'));
      await create(ns, configMap('pre-2'));
      for (const q of ['', '&resourceVersion=0', '&resourceVersion=']) {
        const w = await ctx.api.watch(`${cmPath(ns)}?watch=true${q}`);
        try {
          await w.waitFor((e) => e.object?.metadata?.name === 'pre-2');
          await w.waitFor((e) => e.object?.metadata?.name === 'pre-1');
          assert.ok(w.events.slice(0, 2).every((e) => e.type === 'ADDED'), `${q}: ${summarize(w.events)}`);
        } finally {
          w.close();
        }
      }
      // From the list's resourceVersion: nothing old, only what comes after.
      const rv = (await ctx.api.get(cmPath(ns))).json().metadata.resourceVersion;
      const w = await ctx.api.watch(`${cmPath(ns)}?watch=true&resourceVersion=${rv}`);
      try {
        await create(ns, configMap('post'));
        await w.waitFor((e) => e.type === 'ADDED' && e.object.metadata.name === 'post');
        assert.deepEqual(w.events.map((e) => e.object.metadata.name), ['post']);
      } finally {
        w.close();
      }
    });

    test('watch with a field selector on metadata.name', async () => {
      const ns = 'watch-field';
      await namespace(ns);
      const w = await ctx.api.watch(`${cmPath(ns)}?watch=true&fieldSelector=${encodeURIComponent('metadata.name=wanted')}`);
      try {
        await create(ns, configMap('unwanted'));
        await create(ns, configMap('wanted'));
        await w.waitFor((e) => e.type === 'ADDED');
        await sleep(200);
        assert.deepEqual(w.events.map((e) => e.object.metadata.name), ['wanted']);
      } finally {
        w.close();
      }
    });

    test('watch with allowWatchBookmarks=true gets a BOOKMARK', async () => {
      const ns = 'watch-bookmark';
      await namespace(ns);
      const cm = await create(ns, configMap('bm'));
      const w = await ctx.api.watch(`${cmPath(ns)}?watch=true&allowWatchBookmarks=true&timeoutSeconds=10&resourceVersion=${cm.metadata.resourceVersion}`);
      try {
        const bm = await w.waitFor((e) => e.type === 'BOOKMARK', 15_000);
        assert.equal(bm.object.kind, 'ConfigMap');
        assert.equal(bm.object.apiVersion, 'v1');
        assert.ok(rvOf(bm.object) >= rvOf(cm), `bookmark resourceVersion ${bm.object.metadata.resourceVersion} >= ${cm.metadata.resourceVersion}`);
        assert.equal(bm.object.data, undefined, 'a bookmark carries only the resourceVersion');
      } finally {
        w.close();
      }
    });

    test('sendInitialEvents=true ends the initial ADDED events with a bookmark annotated k8s.io/initial-events-end', async () => {
      const ns = 'watch-list';
      await namespace(ns);
      await create(ns, configMap('one'));
      await create(ns, configMap('two'));
      const w = await ctx.api.watch(`${cmPath(ns)}?watch=true&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true`);
      try {
        assert.equal(w.status, 200, JSON.stringify(w.events));
        const bm = await w.waitFor((e) => e.type === 'BOOKMARK', 10_000);
        assert.equal(bm.object.metadata.annotations?.['k8s.io/initial-events-end'], 'true');
        const before = w.events.slice(0, w.events.indexOf(bm));
        assert.deepEqual(before.map((e) => `${e.type} ${e.object.metadata.name}`).sort(), ['ADDED one', 'ADDED two']);
      } finally {
        w.close();
      }
    });

    test('timeoutSeconds=1 closes the watch stream', async () => {
      const started = Date.now();
      const w = await ctx.api.watch(`${cmPath('default')}?watch=true&timeoutSeconds=1&resourceVersion=${(await ctx.api.get(cmPath('default'))).json().metadata.resourceVersion}`);
      assert.equal(w.status, 200);
      await Promise.race([w.ended, sleep(5000)]);
      const took = Date.now() - started;
      assert.ok(w.isEnded(), 'the server ended the stream');
      assert.ok(took >= 900 && took < 4000, `ended after ${took} ms`);
      w.close();
    });

    test('watch from a far-future resourceVersion delivers nothing older and keeps the server healthy', async () => {
      const future = '999999999';
      const w = await ctx.api.watch(`${cmPath('default')}?watch=true&timeoutSeconds=2&resourceVersion=${future}`);
      try {
        await create('default', configMap('not-from-the-future'));
        await Promise.race([w.ended, sleep(8000)]);
        if (w.status === 200) {
          for (const e of w.events) {
            if (e.type === 'ERROR') {
              assert.equal(e.object.kind, 'Status');
              continue;
            }
            assert.ok(rvOf(e.object) > Number(future), `an event at or below the requested version was delivered: ${summarize([e])}`);
          }
        } else {
          assert.ok([410, 504].includes(w.status), `status ${w.status}`);
          assert.equal(w.events[0]?.object?.kind, 'Status');
        }
      } finally {
        w.close();
      }
      assert.equal((await ctx.api.get('/readyz')).status, 200);
    });

    test('watch from an expired resourceVersion is 410 Expired (or an ERROR event with code 410)', async () => {
      // Version 1 predates the bootstrap objects of a fresh server; upstream keeps a bounded
      // history, so this is only asserted when the server reports the version as too old.
      const w = await ctx.api.watch(`${cmPath('default')}?watch=true&timeoutSeconds=2&resourceVersion=1`);
      await Promise.race([w.ended, sleep(4000)]);
      w.close();
      const err = w.status === 410 ? w.events[0]?.object : w.events.find((e) => e.type === 'ERROR')?.object;
      if (err) {
        assert.equal(err.kind, 'Status');
        assert.equal(err.code, 410);
        assert.ok(['Expired', 'Gone'].includes(err.reason), err.reason);
      } else {
        assert.equal(w.status, 200, 'either history from version 1, or 410');
      }
    });

    test('events arrive in increasing resourceVersion order', async () => {
      const ns = 'watch-order';
      await namespace(ns);
      const w = await ctx.api.watch(`${cmPath(ns)}?watch=true&resourceVersion=${(await ctx.api.get(cmPath(ns))).json().metadata.resourceVersion}`);
      try {
        // Concurrent writes from several connections.
        await Promise.all(Array.from({ length: 30 }, (_, i) => create(ns, configMap(`o-${i}`))));
        await Promise.all(Array.from({ length: 30 }, (_, i) => patch(ns, `o-${i}`, { data: { n: String(i) } })));
        await w.waitFor(() => w.events.length >= 60, 10_000);
        const rvs = w.events.map((e) => rvOf(e.object));
        for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i]! > rvs[i - 1]!, `event ${i}: ${rvs[i - 1]} then ${rvs[i]}`);
        assert.equal(w.events.filter((e) => e.type === 'ADDED').length, 30);
        assert.equal(w.events.filter((e) => e.type === 'MODIFIED').length, 30);
      } finally {
        w.close();
      }
    });

    test('Table output for a watch: the first event has columnDefinitions', async () => {
      const ns = 'watch-table';
      await namespace(ns);
      await create(ns, configMap('existing'));
      const w = await ctx.api.watch(`${cmPath(ns)}?watch=true`, { Accept: KUBECTL_TABLE });
      try {
        assert.equal(w.status, 200);
        await w.waitFor((e) => e.type === 'ADDED');
        await create(ns, configMap('added-later'));
        await w.waitFor((e) => e.type === 'ADDED', 10_000, 1);
        const [first, second] = w.events;
        assert.equal(first!.object.kind, 'Table');
        assert.equal(first!.object.apiVersion, 'meta.k8s.io/v1');
        assert.deepEqual(first!.object.columnDefinitions.map((c: any) => c.name), ['Name', 'Data', 'Age']);
        assert.equal(first!.object.rows.length, 1);
        assert.equal(first!.object.rows[0].cells[0], 'existing');
        assert.equal(first!.object.rows[0].object.kind, 'PartialObjectMetadata');
        assert.ok(rvOf(first!.object) > 0, 'each table event carries the object resourceVersion');
        assert.equal(second!.object.kind, 'Table');
        assert.ok(!second!.object.columnDefinitions || second!.object.columnDefinitions.length === 0, 'later events omit the column definitions');
        assert.equal(second!.object.rows[0].cells[0], 'added-later');
      } finally {
        w.close();
      }
    });

    test('watch on a single object by name (fieldSelector as kubectl get NAME -w sends)', async () => {
      const ns = 'watch-single';
      await namespace(ns);
      await create(ns, configMap('solo'));
      await create(ns, configMap('other'));
      const w = await ctx.api.watch(`${cmPath(ns)}?watch=true&fieldSelector=${encodeURIComponent('metadata.name=solo')}`);
      try {
        await w.waitFor((e) => e.type === 'ADDED');
        await patch(ns, 'other', { data: { x: '1' } });
        await patch(ns, 'solo', { data: { x: '2' } });
        await w.waitFor((e) => e.type === 'MODIFIED');
        await sleep(200);
        assert.deepEqual(w.events.map((e) => `${e.type} ${e.object.metadata.name}`), ['ADDED solo', 'MODIFIED solo']);
      } finally {
        w.close();
      }
    });
  });
});
