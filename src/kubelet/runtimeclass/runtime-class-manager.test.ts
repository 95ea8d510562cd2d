import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isNotFound, notFound } from '../../api/errors.ts';
import type { Pod } from '../../api/types/core-v1.ts';
import type { RuntimeClass } from '../../api/types/node-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { runtimeHandlersStatus } from '../node/node-status-manager.ts';
import { RuntimeClassManager, isUnknownRuntimeHandler } from './runtime-class-manager.ts';

const classes: RuntimeClass[] = [
  { metadata: { name: 'gvisor' }, handler: 'gvisor' },
  { metadata: { name: 'kata' }, handler: 'kata' },
];
const asked: string[] = [];
const clientset = {
  resource: (apiVersion: string, resource: string) => ({
    get: async (_ns: string | undefined, name: string) => {
      asked.push(`${apiVersion}/${resource}/${name}`);
      const rc = classes.find((c) => c.metadata.name === name);
      if (!rc) throw notFound({ group: 'node.k8s.io', resource: 'runtimeclasses' }, name);
      return rc;
    },
  }),
} as unknown as Clientset;
const manager = new RuntimeClassManager({ clientset, handlers: ['runc', 'crun', 'gvisor'] });
const pod = (runtimeClassName?: string): Pod => ({ metadata: { name: 'p' }, spec: { containers: [], ...(runtimeClassName ? { runtimeClassName } : {}) } });

test('no runtimeClassName: the default runtime, nothing read', async () => {
  assert.equal(await manager.handlerFor(pod()), undefined);
  assert.deepEqual(asked, []);
});

test('a class whose handler the node offers: that handler', async () => {
  assert.equal(await manager.handlerFor(pod('gvisor')), 'gvisor');
  assert.deepEqual(asked, ['node.k8s.io/v1/runtimeclasses/gvisor']);
});

test('a handler the node lacks fails with the CRI runtime\'s words; a missing class with NotFound', async () => {
  await assert.rejects(manager.handlerFor(pod('kata')), (err: unknown) => {
    assert.ok(isUnknownRuntimeHandler(err));
    assert.equal(err.message, 'rpc error: code = Unknown desc = failed to get sandbox runtime: no runtime for "kata" is configured');
    return true;
  });
  await assert.rejects(manager.handlerFor(pod('gone')), (err: unknown) => isNotFound(err) && /runtimeclasses.node.k8s.io "gone" not found/.test((err as Error).message));
});

test('Node status.runtimeHandlers lists the offered handlers, claiming no features skiff lacks', () => {
  assert.deepEqual(runtimeHandlersStatus(['runc', 'gvisor']), [
    { name: 'runc', features: { recursiveReadOnlyMounts: false, userNamespaces: false } },
    { name: 'gvisor', features: { recursiveReadOnlyMounts: false, userNamespaces: false } },
  ]);
});
