import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openStore } from '../../../store/index.ts';
import { WatchCache } from '../../cache/watch-cache.ts';
import type { AuthorizationAttributes } from '../types.ts';
import { createNodeAuthorizer } from './node-authorizer.ts';

const podKey = (name: string): string => `/registry/core/pods/ns/${name}`;
const pod = (name: string, nodeName: string | undefined, secret: string): string => JSON.stringify({
  apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'ns', name },
  spec: { ...(nodeName ? { nodeName } : {}), containers: [], volumes: [{ name: 'v', secret: { secretName: secret } }] },
});

function readSecret(node: string, name: string): AuthorizationAttributes {
  return {
    user: { name: `system:node:${node}`, groups: ['system:nodes'] }, verb: 'get', isResourceRequest: true, path: '/',
    namespace: 'ns', apiGroup: '', apiVersion: 'v1', resource: 'secrets', subresource: '', name,
  };
}

test('the graph follows the watch cache: pods present at start, bindings, rebinding and deletion', async () => {
  const store = await openStore({ backend: 'sqlite', path: ':memory:' });
  const cache = new WatchCache(store);
  const ac = new AbortController();
  const done = cache.run(ac.signal);
  const early = await store.create(podKey('early'), pod('early', 'n1', 'early-secret'));
  const node = createNodeAuthorizer(cache);
  const { authorizer } = node;
  try {
    const decision = async (node: string, secret: string): Promise<string> => (await authorizer.authorize(readSecret(node, secret))).decision;
    // A pod bound before the authorizer started is in the graph once the cache is ready.
    assert.equal(await decision('n1', 'early-secret'), 'allow');
    // A pod created unbound grants nothing until the scheduler binds it; the refusal first
    // brings the cache up to date, so a binding just written is seen at once.
    const late = await store.create(podKey('late'), pod('late', undefined, 'late-secret'));
    assert.equal(await decision('n1', 'late-secret'), 'no-opinion');
    await store.update(podKey('late'), pod('late', 'n2', 'late-secret'), late.modRevision);
    assert.equal(await decision('n2', 'late-secret'), 'allow');
    assert.equal(await decision('n1', 'late-secret'), 'no-opinion');
    await store.delete(podKey('early'), early.modRevision);
    assert.equal(await decision('n1', 'early-secret'), 'no-opinion');
  } finally {
    node.close();
    ac.abort();
    await done;
    await store.close();
  }
});
