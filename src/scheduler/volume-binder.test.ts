import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../api/meta.ts';
import type { PersistentVolume, PersistentVolumeClaim } from '../api/types/core-v1.ts';
import type { StorageClass } from '../api/types/storage-v1.ts';
import type { Informer } from '../client/informer.ts';
import type { ResourceClient } from '../client/resource-client.ts';
import { VolumeBinder } from './volume-binder.ts';

/** Just what the binder reads of an informer: get and values over a map. */
function fakeInformer<T extends KubeObject>(items: Map<string, T>): Informer<T> {
  return { get: (k: string) => items.get(k), values: () => items.values() } as unknown as Informer<T>;
}

function setup() {
  const claims = new Map<string, PersistentVolumeClaim>();
  const volumes = new Map<string, PersistentVolume>();
  const calls: Array<{ op: string; body: unknown }> = [];
  const claimClient = {
    patch: async (_ns: string, name: string, _type: string, body: { metadata: { annotations: Record<string, string> } }) => {
      calls.push({ op: 'patch', body });
      const c = claims.get(`default/${name}`)!;
      const next = { ...c, metadata: { ...c.metadata, resourceVersion: '5', annotations: { ...c.metadata.annotations, ...body.metadata.annotations } } };
      return next;
    },
  } as unknown as ResourceClient<PersistentVolumeClaim>;
  const volumeClient = {
    update: async (_ns: undefined, v: PersistentVolume) => { calls.push({ op: 'update', body: v }); return v; },
  } as unknown as ResourceClient<PersistentVolume>;
  const binder = new VolumeBinder({
    claims: fakeInformer(claims), volumes: fakeInformer(volumes), classes: fakeInformer(new Map<string, StorageClass>()),
    claimClient, volumeClient, bindTimeoutMs: 5_000,
  });
  return { claims, volumes, calls, binder };
}

const claim = (rv: string, annotations: Record<string, string> = {}, volumeName?: string): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'default', uid: 'u1', resourceVersion: rv, annotations },
  spec: { storageClassName: 'local-path', ...(volumeName ? { volumeName } : {}) },
});
const boundPV = (name: string): PersistentVolume => ({ metadata: { name }, spec: { claimRef: { name: 'data', namespace: 'default', uid: 'u1' } } });

describe('VolumeBinder', () => {
  it('a claim to provision is annotated with the node, and the pod waits until the claim and its volume are bound', async () => {
    const { claims, volumes, calls, binder } = setup();
    const c = claim('3');
    claims.set('default/data', c);
    let done = false;
    const p = binder.bind({ bindings: [], provisions: [c] }, 'n1', new AbortController().signal).then(() => { done = true; });
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(calls.map((x) => x.op), ['patch']);
    assert.deepEqual((calls[0]!.body as { metadata: { annotations: unknown } }).metadata.annotations, { 'volume.kubernetes.io/selected-node': 'n1' });
    // The informer has not seen the annotation yet: that is no reset.
    binder.changed();
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false);
    claims.set('default/data', claim('9', { 'volume.kubernetes.io/selected-node': 'n1', 'pv.kubernetes.io/bind-completed': 'yes' }, 'pvc-u1'));
    binder.changed();
    await new Promise((r) => setImmediate(r));
    assert.equal(done, false, 'the volume is not bound yet');
    volumes.set('pvc-u1', boundPV('pvc-u1'));
    binder.changed();
    await p;
    assert.equal(done, true);
  });

  it('a provisioner removing the selected node fails the bind (the pod is scheduled again)', async () => {
    const { claims, binder } = setup();
    const c = claim('3');
    claims.set('default/data', c);
    const p = binder.bind({ bindings: [], provisions: [c] }, 'n1', new AbortController().signal);
    await new Promise((r) => setImmediate(r));
    claims.set('default/data', claim('7'));
    binder.changed();
    await assert.rejects(p, /selectedNode annotation reset for PVC "data"/);
  });

  it('a chosen static volume is pre-bound and held back from other pods until the bind ends', async () => {
    const { claims, volumes, calls, binder } = setup();
    const c = claim('3');
    claims.set('default/data', c);
    const pv: PersistentVolume = { metadata: { name: 'pv-a' }, spec: {} };
    volumes.set('pv-a', pv);
    const d = { bindings: [{ claim: c, volume: pv }], provisions: [] };
    binder.assume(d);
    assert.deepEqual([...binder.lister.assumedVolumes], ['pv-a']);
    const p = binder.bind(d, 'n1', new AbortController().signal);
    await new Promise((r) => setImmediate(r));
    const written = calls[0]!.body as PersistentVolume;
    assert.equal(calls[0]!.op, 'update');
    assert.deepEqual({ name: written.spec?.claimRef?.name, uid: written.spec?.claimRef?.uid }, { name: 'data', uid: 'u1' });
    assert.equal(written.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    claims.set('default/data', claim('9', { 'pv.kubernetes.io/bind-completed': 'yes' }, 'pv-a'));
    volumes.set('pv-a', boundPV('pv-a'));
    binder.changed();
    await p;
    assert.deepEqual([...binder.lister.assumedVolumes], []);
  });

  it('a deleted claim ends the wait', async () => {
    const { claims, binder } = setup();
    const c = claim('3');
    claims.set('default/data', c);
    const p = binder.bind({ bindings: [], provisions: [c] }, 'n1', new AbortController().signal);
    await new Promise((r) => setImmediate(r));
    claims.delete('default/data');
    binder.changed();
    await assert.rejects(p, /persistentvolumeclaim "data" was deleted/);
  });
});
