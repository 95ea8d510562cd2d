// Query parameters as other clients spell them (the Python client sends `?watch=True`), answered as
// kube-apiserver converts them (apimachinery/pkg/runtime/conversion.go Convert_Slice_string_To_bool:
// only "0" and "false", in any case, are false).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { serverForSuite, configMap } from './api-helpers.ts';

const NS = 'query-params';
const CMS = `/api/v1/namespaces/${NS}/configmaps`;
const APPLY = 'application/apply-patch+yaml';

describe('API query parameters', () => {
  const ctx = serverForSuite({ before, after });

  before(async () => {
    const r = await ctx.api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    assert.equal(r.status, 201, r.text);
    assert.equal((await ctx.api.post(CMS, configMap('seen'))).status, 201);
  });

  for (const spelling of ['True', 'yes']) {
    test(`?watch=${spelling} is a watch: existing objects arrive as ADDED, then changes`, async () => {
      const w = await ctx.api.watch(`${CMS}?watch=${spelling}`);
      try {
        assert.equal(w.status, 200);
        await w.waitFor((e) => e.type === 'ADDED' && e.object.metadata.name === 'seen', 10_000);
        const name = `later-${spelling.toLowerCase()}`;
        assert.equal((await ctx.api.post(CMS, configMap(name))).status, 201);
        await w.waitFor((e) => e.type === 'ADDED' && e.object.metadata.name === name, 10_000);
      } finally {
        w.close();
      }
    });
  }

  test('?watch=False and ?watch=0 are lists', async () => {
    for (const v of ['False', 'FALSE', '0']) {
      const r = await ctx.api.get(`${CMS}?watch=${v}`);
      assert.equal(r.status, 200, r.text);
      assert.equal(r.json().kind, 'ConfigMapList', v);
    }
  });

  test('server-side apply with ?force=True takes over a conflicting field', async () => {
    const doc = (v: string): string => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owned' }, data: { k: v } });
    assert.equal((await ctx.api.patch(`${CMS}/owned?fieldManager=first`, doc('a'), APPLY)).status, 201);
    assert.equal((await ctx.api.patch(`${CMS}/owned?fieldManager=second`, doc('b'), APPLY)).status, 409);
    assert.equal((await ctx.api.patch(`${CMS}/owned?fieldManager=second&force=False`, doc('b'), APPLY)).status, 409);
    const r = await ctx.api.patch(`${CMS}/owned?fieldManager=second&force=True`, doc('b'), APPLY);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().data.k, 'b');
  });

  test('?orphanDependents=True orphans (it is not read as false); False deletes at once', async () => {
    assert.equal((await ctx.api.post(CMS, configMap('parent'))).status, 201);
    const r = await ctx.api.del(`${CMS}/parent?orphanDependents=True`);
    assert.equal(r.status, 200, r.text);
    assert.equal(r.json().kind, 'ConfigMap', 'held for the garbage collector, not gone');
    assert.deepEqual(r.json().metadata.finalizers, ['orphan']);
    assert.equal((await ctx.api.post(CMS, configMap('plain'))).status, 201);
    const gone = await ctx.api.del(`${CMS}/plain?orphanDependents=False`);
    assert.equal(gone.status, 200, gone.text);
    assert.equal(gone.json().kind, 'Status');
    const both = await ctx.api.del(`${CMS}/seen?orphanDependents=True&propagationPolicy=Background`);
    assert.equal(both.status, 400, both.text);
  });
});
