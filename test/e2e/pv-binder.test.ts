// The PersistentVolume binder in a real `skiff server` (which runs the controllers), driven by the
// unmodified kubectl: static hostPath volumes bind to claims, the smallest that fits first; a
// deleted claim releases its volume per reclaim policy.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { kubectl, removeDir, startServer, waitUntil, type RunningServer } from './harness.ts';

let srv: RunningServer;

async function ok(args: string[], input?: string): Promise<string> {
  const r = await kubectl('1.33', srv, args, input === undefined ? {} : { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r.stdout;
}
const json = async (args: string[]): Promise<any> => JSON.parse(await ok([...args, '-o', 'json']));

function pvYaml(name: string, size: string, opts: { cls?: string; policy?: string; modes?: string[]; labels?: Record<string, string> } = {}): string {
  return `apiVersion: v1
kind: PersistentVolume
metadata:
  name: ${name}
  labels: ${JSON.stringify(opts.labels ?? {})}
spec:
  capacity: { storage: ${size} }
  accessModes: ${JSON.stringify(opts.modes ?? ['ReadWriteOnce'])}
  hostPath: { path: /tmp/skiff-e2e-pv-${name} }
${opts.cls !== undefined ? `  storageClassName: "${opts.cls}"\n` : ''}${opts.policy ? `  persistentVolumeReclaimPolicy: ${opts.policy}\n` : ''}---
`;
}

/** Claims without a class say so (""): otherwise the default class, local-path, would be theirs. */
function pvcYaml(name: string, size: string, opts: { cls?: string; volumeName?: string; modes?: string[] } = {}): string {
  return `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
  namespace: pvs
spec:
  accessModes: ${JSON.stringify(opts.modes ?? ['ReadWriteOnce'])}
  resources: { requests: { storage: ${size} } }
  storageClassName: "${opts.cls ?? ''}"
${opts.volumeName ? `  volumeName: ${opts.volumeName}\n` : ''}---
`;
}

async function phase(kind: 'pv' | 'pvc', name: string): Promise<string> {
  const o = await json(kind === 'pv' ? ['get', 'pv', name] : ['get', 'pvc', name, '-n', 'pvs']);
  return o.status?.phase ?? '';
}

async function waitPhase(kind: 'pv' | 'pvc', name: string, want: string): Promise<void> {
  await waitUntil(async () => (await phase(kind, name)) === want, 20_000, `${kind} ${name} ${want}`);
}

async function claimEvents(name: string): Promise<any[]> {
  const list = await json(['get', 'events', '-n', 'pvs']);
  return list.items.filter((e: any) => e.involvedObject?.kind === 'PersistentVolumeClaim' && e.involvedObject?.name === name);
}

describe('PersistentVolume binder (skiff server + kubectl 1.33)', () => {
  before(async () => {
    srv = await startServer();
    await ok(['create', 'namespace', 'pvs']);
  });
  after(async () => {
    await srv.stop();
    await removeDir(srv.dataDir);
  });

  test('volumes without a claim become Available', async () => {
    await ok(['apply', '-f', '-'], pvYaml('pv-1g', '1Gi') + pvYaml('pv-5g', '5Gi') + pvYaml('pv-10g', '10Gi')
      + pvYaml('pv-fast-2g', '2Gi', { cls: 'fast' }) + pvYaml('pv-rwx-3g', '3Gi', { modes: ['ReadWriteMany', 'ReadWriteOnce'] }));
    for (const n of ['pv-1g', 'pv-5g', 'pv-10g', 'pv-fast-2g', 'pv-rwx-3g']) await waitPhase('pv', n, 'Available');
  });

  test('a claim binds to the smallest Available volume of its class that fits; both sides Bound', async () => {
    await ok(['apply', '-f', '-'], pvcYaml('data', '1500Mi'));
    await waitPhase('pvc', 'data', 'Bound');
    const pvc = await json(['get', 'pvc', 'data', '-n', 'pvs']);
    // pv-1g is too small, pv-fast-2g is of another class, pv-rwx-3g offers more access modes than asked.
    assert.equal(pvc.spec.volumeName, 'pv-5g');
    assert.equal(pvc.metadata.annotations['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(pvc.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
    assert.deepEqual(pvc.status.capacity, { storage: '5Gi' });
    assert.deepEqual(pvc.status.accessModes, ['ReadWriteOnce']);
    await waitPhase('pv', 'pv-5g', 'Bound');
    const pv = await json(['get', 'pv', 'pv-5g']);
    assert.deepEqual({ ...pv.spec.claimRef, resourceVersion: undefined },
      { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: 'pvs', name: 'data', uid: pvc.metadata.uid, resourceVersion: undefined });
    assert.ok(pv.spec.claimRef.resourceVersion);
    assert.equal(pv.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');

    const table = await ok(['get', 'pvc', 'data', '-n', 'pvs']);
    assert.match(table, /^NAME\s+STATUS\s+VOLUME\s+CAPACITY\s+ACCESS MODES\s+STORAGECLASS/m);
    assert.match(table, /^data\s+Bound\s+pv-5g\s+5Gi\s+RWO\s/m);
    assert.match(await ok(['get', 'pv', 'pv-5g']), /^pv-5g\s+5Gi\s+RWO\s+Retain\s+Bound\s+pvs\/data\s/m);
    for (const n of ['pv-1g', 'pv-10g', 'pv-fast-2g', 'pv-rwx-3g']) assert.equal(await phase('pv', n), 'Available');
  });

  test('class, access modes and a pre-set volumeName are honoured', async () => {
    await ok(['apply', '-f', '-'], pvcYaml('fast', '1Gi', { cls: 'fast' }) + pvcYaml('shared', '1Gi', { modes: ['ReadWriteMany'] }) + pvcYaml('named', '2Gi', { volumeName: 'pv-10g' }));
    for (const n of ['fast', 'shared', 'named']) await waitPhase('pvc', n, 'Bound');
    const get = (n: string): Promise<any> => json(['get', 'pvc', n, '-n', 'pvs']);
    assert.equal((await get('fast')).spec.volumeName, 'pv-fast-2g');
    assert.equal((await get('shared')).spec.volumeName, 'pv-rwx-3g');
    const named = await get('named');
    assert.equal(named.metadata.annotations['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(named.metadata.annotations['pv.kubernetes.io/bound-by-controller'], undefined, 'the user chose this volume');
    await waitPhase('pv', 'pv-10g', 'Bound');
    assert.equal((await json(['get', 'pv', 'pv-10g'])).spec.claimRef.name, 'named');
  });

  test('a claim nothing fits stays Pending with one FailedBinding event, and binds once a volume fits', async () => {
    await ok(['apply', '-f', '-'], pvcYaml('huge', '100Gi'));
    await waitUntil(async () => (await claimEvents('huge')).length > 0, 20_000, 'FailedBinding event');
    // Another volume that does not fit: the claim is synced again and must not say it again.
    await ok(['apply', '-f', '-'], pvYaml('pv-20g', '20Gi'));
    await waitPhase('pv', 'pv-20g', 'Available');
    await waitUntil(async () => (await json(['get', 'pvc', 'huge', '-n', 'pvs'])).status?.phase === 'Pending', 20_000, 'huge Pending');
    const events = await claimEvents('huge');
    assert.equal(events.length, 1);
    assert.equal(events[0].type, 'Normal');
    assert.equal(events[0].reason, 'FailedBinding');
    assert.equal(events[0].message, 'no persistent volumes available for this claim and no storage class is set');
    assert.equal(events[0].count, 1);
    assert.equal(events[0].source.component, 'persistentvolume-controller');
    assert.match(await ok(['describe', 'pvc', 'huge', '-n', 'pvs']), /FailedBinding\s+.*no persistent volumes available for this claim and no storage class is set/);

    await ok(['apply', '-f', '-'], pvYaml('pv-200g', '200Gi'));
    await waitPhase('pvc', 'huge', 'Bound');
    assert.equal((await json(['get', 'pvc', 'huge', '-n', 'pvs'])).spec.volumeName, 'pv-200g');
    assert.equal(await phase('pv', 'pv-20g'), 'Available');
  });

  test('a volume reserved by claimRef goes only to that claim; a claim naming a volume too small gets VolumeMismatch', async () => {
    await ok(['apply', '-f', '-'], `apiVersion: v1
kind: PersistentVolume
metadata: { name: pv-reserved }
spec:
  capacity: { storage: 1Gi }
  accessModes: [ReadWriteOnce]
  hostPath: { path: /tmp/skiff-e2e-pv-reserved }
  storageClassName: res
  claimRef: { namespace: pvs, name: owner }
`);
    await waitPhase('pv', 'pv-reserved', 'Available');
    await ok(['apply', '-f', '-'], pvcYaml('intruder', '1Gi', { cls: 'res' }));
    await waitUntil(async () => (await claimEvents('intruder')).length > 0, 20_000, 'intruder event');
    const [ev] = await claimEvents('intruder');
    assert.equal(ev.type, 'Warning');
    assert.equal(ev.reason, 'ProvisioningFailed');
    assert.equal(ev.message, 'storageclass.storage.k8s.io "res" not found');
    assert.equal(await phase('pvc', 'intruder'), 'Pending');

    await ok(['apply', '-f', '-'], pvcYaml('owner', '1Gi', { cls: 'res' }));
    await waitPhase('pvc', 'owner', 'Bound');
    const owner = await json(['get', 'pvc', 'owner', '-n', 'pvs']);
    assert.equal(owner.spec.volumeName, 'pv-reserved');
    await waitPhase('pv', 'pv-reserved', 'Bound');
    const pv = await json(['get', 'pv', 'pv-reserved']);
    assert.equal(pv.spec.claimRef.uid, owner.metadata.uid);
    assert.equal(pv.metadata.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined, 'the user reserved it');
    assert.equal(await phase('pvc', 'intruder'), 'Pending');

    await ok(['apply', '-f', '-'], pvcYaml('mismatch', '2Gi', { volumeName: 'pv-1g' }));
    await waitUntil(async () => (await claimEvents('mismatch')).length > 0, 20_000, 'VolumeMismatch event');
    const [mm] = await claimEvents('mismatch');
    assert.equal(mm.type, 'Warning');
    assert.equal(mm.reason, 'VolumeMismatch');
    assert.equal(mm.message, 'Cannot bind to requested volume "pv-1g": requested PV is too small');
    assert.equal(await phase('pvc', 'mismatch'), 'Pending');
    assert.equal(await phase('pv', 'pv-1g'), 'Available');
  });

  test('deleting a bound claim releases its volume (Retain), which no other claim then gets', async () => {
    await ok(['delete', 'pvc', 'data', '-n', 'pvs']);
    await waitPhase('pv', 'pv-5g', 'Released');
    assert.match(await ok(['get', 'pv', 'pv-5g']), /^pv-5g\s+5Gi\s+RWO\s+Retain\s+Released\s+pvs\/data\s/m);
    await ok(['apply', '-f', '-'], pvcYaml('again', '4Gi'));
    await waitPhase('pvc', 'again', 'Bound');
    assert.equal((await json(['get', 'pvc', 'again', '-n', 'pvs'])).spec.volumeName, 'pv-20g');
    assert.equal(await phase('pv', 'pv-5g'), 'Released');
  });

  test('a bound claim whose volume is deleted is Lost, with a ClaimLost warning', async () => {
    await ok(['delete', 'pv', 'pv-10g']);
    await waitPhase('pvc', 'named', 'Lost');
    const named = await json(['get', 'pvc', 'named', '-n', 'pvs']);
    assert.equal(named.status.capacity, undefined);
    assert.equal(named.status.accessModes, undefined);
    const lostEvents = async (): Promise<any[]> => (await claimEvents('named')).filter((e) => e.reason === 'ClaimLost');
    await waitUntil(async () => (await lostEvents()).length > 0, 20_000, 'ClaimLost event');
    const lost = await lostEvents();
    assert.equal(lost.length, 1);
    assert.equal(lost[0].type, 'Warning');
    assert.equal(lost[0].message, 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
  });

  test('reclaim policy Delete deletes the released volume; Recycle fails it as upstream does without a recycler', async () => {
    await ok(['apply', '-f', '-'], pvYaml('pv-del', '1Mi', { cls: 'gone', policy: 'Delete' }) + pvYaml('pv-rec', '1Mi', { cls: 'recycled', policy: 'Recycle' }));
    await ok(['apply', '-f', '-'], pvcYaml('del', '1Mi', { cls: 'gone' }) + pvcYaml('rec', '1Mi', { cls: 'recycled' }));
    await waitPhase('pvc', 'del', 'Bound');
    await waitPhase('pvc', 'rec', 'Bound');
    await ok(['delete', 'pvc', 'del', 'rec', '-n', 'pvs']);
    await waitUntil(async () => (await kubectl('1.33', srv, ['get', 'pv', 'pv-del'])).code !== 0, 20_000, 'pv-del deleted');
    assert.match((await kubectl('1.33', srv, ['get', 'pv', 'pv-del'])).stderr, /persistentvolumes "pv-del" not found/);
    await waitPhase('pv', 'pv-rec', 'Failed');
    assert.equal((await json(['get', 'pv', 'pv-rec'])).status.message, 'No recycler plugin found for the volume!');
  });
});
