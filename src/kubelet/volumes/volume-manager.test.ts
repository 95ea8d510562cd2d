import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Pod, Secret, Volume } from '../../api/types/core-v1.ts';
import { readMountPoints } from '../../runtime/mounts/mountinfo.ts';
import type { NodeFacts } from '../env/index.ts';
import { ContainerMountError, VolumeSetUpFailed } from './errors.ts';
import type { VolumeSources } from './types.ts';
import { VolumeManager } from './volume-manager.ts';

const root = mkdtempSync('/tmp/skiff-volumes-');
const podsDir = join(root, 'pods');
after(async () => {
  // Whatever a failed test left mounted goes before the directory does.
  for (const p of (await readMountPoints()).filter((m) => m.startsWith(`${root}/`)).sort((a, b) => b.length - a.length)) {
    const { execFileSync } = await import('node:child_process');
    execFileSync('umount', [p]);
  }
  rmSync(root, { recursive: true, force: true });
});

const node: NodeFacts = { nodeName: 'n1', hostIPs: ['192.168.0.2'], allocatable: { cpu: '2', memory: '4Gi' } };
const b64 = (s: string): string => Buffer.from(s).toString('base64');

class Objects implements VolumeSources {
  configMaps = new Map<string, ConfigMap>();
  secrets = new Map<string, Secret>();
  claims = new Map<string, PersistentVolumeClaim>();
  pvs = new Map<string, PersistentVolume>();
  tokenRequests: Array<{ sa: string; audience: string | undefined; exp: number; pod: string }> = [];
  requestServiceAccountToken?: NonNullable<VolumeSources['requestServiceAccountToken']>;
  async getConfigMap(ns: string, name: string) {
    return this.configMaps.get(`${ns}/${name}`);
  }
  async getSecret(ns: string, name: string) {
    return this.secrets.get(`${ns}/${name}`);
  }
  async getPersistentVolumeClaim(ns: string, name: string) {
    return this.claims.get(`${ns}/${name}`);
  }
  async getPersistentVolume(name: string) {
    return this.pvs.get(name);
  }
}

let seq = 0;
function makePod(volumes: Volume[], extra: Partial<Pod['metadata']> = {}): Pod {
  seq += 1;
  return {
    metadata: { name: `p${seq}`, namespace: 'ns', uid: `uid-${seq}`, labels: { app: 'web' }, ...extra },
    spec: { containers: [{ name: 'c', resources: { limits: { memory: '64Mi' } } }], volumes, serviceAccountName: 'builder' },
  };
}

const mode = (p: string): number => statSync(p).mode & 0o7777;
const isMounted = async (p: string): Promise<boolean> => (await readMountPoints()).includes(p);

test('EmptyDir, Shared volumes between containers: disk emptyDir is a 0777 directory; tearDown removes it', async () => {
  const vm = new VolumeManager({ podsDir, sources: new Objects() });
  const pod = makePod([{ name: 'shared', emptyDir: {} }]);
  const paths = await vm.setUp(pod, node);
  const info = paths.get('shared');
  assert.equal(info?.hostPath, join(podsDir, pod.metadata.uid ?? '', 'volumes/kubernetes.io~empty-dir/shared'));
  assert.equal(info.readOnly, false);
  assert.equal(mode(info.hostPath), 0o777);
  writeFileSync(join(info.hostPath, 'log'), 'line');
  assert.deepEqual(await vm.setUp(pod, node), paths, 'setUp is idempotent');
  assert.equal(readFileSync(join(info.hostPath, 'log'), 'utf8'), 'line', 'a second setUp keeps the contents');
  await vm.tearDown(pod.metadata.uid ?? '');
  assert.equal(existsSync(vm.podVolumesDir(pod.metadata.uid ?? '')), false);
  await vm.tearDown(pod.metadata.uid ?? '');
});

test('EmptyDir, medium memory: a tmpfs of sizeLimit, unmounted by tearDown', async () => {
  const vm = new VolumeManager({ podsDir, sources: new Objects() });
  const pod = makePod([{ name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '8Mi' } }]);
  const dir = (await vm.setUp(pod, node)).get('mem')?.hostPath ?? '';
  assert.ok(await isMounted(dir));
  const line = (await readFile('/proc/self/mountinfo', 'utf8')).split('\n').find((l) => l.split(' ')[4] === dir) ?? '';
  assert.match(line, / - tmpfs tmpfs .*size=8192k/);
  writeFileSync(join(dir, 'state'), 'kept');
  const restarted = new VolumeManager({ podsDir, sources: new Objects() });
  await restarted.setUp(pod, node);
  assert.equal((await readMountPoints()).filter((p) => p === dir).length, 1, 'after an agent restart setUp does not stack a second tmpfs');
  assert.equal(readFileSync(join(dir, 'state'), 'utf8'), 'kept');
  await restarted.tearDown(pod.metadata.uid ?? '');
  assert.equal(await isMounted(dir), false);
  assert.equal(existsSync(dir), false);
});

test('ConfigMap Volume, text data, binary data; with mapping, volume mode set; update seen through refresh', async () => {
  const objs = new Objects();
  objs.configMaps.set('ns/cfg', { metadata: { name: 'cfg', namespace: 'ns' }, data: { 'app.conf': 'v1', other: 'o' }, binaryData: { blob: b64('\x00\x01bin') } });
  const vm = new VolumeManager({ podsDir, sources: objs });
  const pod = makePod([
    { name: 'all', configMap: { name: 'cfg' } },
    { name: 'mapped', configMap: { name: 'cfg', defaultMode: 0o400, items: [{ key: 'app.conf', path: 'conf/app.conf' }, { key: 'other', path: 'o', mode: 0o600 }] } },
  ]);
  const paths = await vm.setUp(pod, node);
  const all = paths.get('all')?.hostPath ?? '';
  assert.equal(paths.get('all')?.readOnly, true);
  assert.equal(readFileSync(join(all, 'app.conf'), 'utf8'), 'v1');
  assert.deepEqual(readFileSync(join(all, 'blob')), Buffer.from('\x00\x01bin'));
  assert.equal(mode(join(all, 'app.conf')), 0o644);
  assert.equal(readlinkSync(join(all, 'app.conf')), '..data/app.conf');
  assert.equal(await isMounted(all), false, 'configMap volumes live on disk');
  const mapped = paths.get('mapped')?.hostPath ?? '';
  assert.equal(readFileSync(join(mapped, 'conf/app.conf'), 'utf8'), 'v1');
  assert.equal(mode(join(mapped, 'conf/app.conf')), 0o400);
  assert.equal(mode(join(mapped, 'o')), 0o600);
  assert.equal(existsSync(join(mapped, 'blob')), false);

  objs.configMaps.set('ns/cfg', { metadata: { name: 'cfg', namespace: 'ns' }, data: { 'app.conf': 'v2', other: 'o' } });
  assert.deepEqual(await vm.refresh(pod), []);
  assert.equal(readFileSync(join(all, 'app.conf'), 'utf8'), 'v2');
  assert.equal(existsSync(join(all, 'blob')), false);
  assert.equal(readFileSync(join(mapped, 'conf/app.conf'), 'utf8'), 'v2');

  objs.configMaps.set('ns/cfg', { metadata: { name: 'cfg', namespace: 'ns' }, data: { other: 'o' } });
  const errs = await vm.refresh(pod);
  assert.deepEqual(errs.map((e) => e.message), ['MountVolume.SetUp failed for volume "mapped" : configmap references non-existent config key: app.conf']);
  await vm.tearDown(pod.metadata.uid ?? '');
});

test('missing sources fail the volume with FailedMount messages; optional ones give an empty volume', async () => {
  const vm = new VolumeManager({ podsDir, sources: new Objects() });
  const pod = makePod([
    { name: 'cfg', configMap: { name: 'x' } },
    { name: 'sec', secret: { secretName: 'y' } },
    { name: 'opt', configMap: { name: 'x', optional: true } },
    { name: 'claim', persistentVolumeClaim: { claimName: 'data' } },
    { name: 'weird' },
  ]);
  await assert.rejects(vm.setUp(pod, node), (err) => {
    assert.ok(err instanceof VolumeSetUpFailed);
    assert.deepEqual(err.failures.map((f) => [f.volumeName, f.message]), [
      ['cfg', 'MountVolume.SetUp failed for volume "cfg" : configmap "x" not found'],
      ['sec', 'MountVolume.SetUp failed for volume "sec" : secret "y" not found'],
      ['claim', 'MountVolume.SetUp failed for volume "claim" : error processing PVC ns/data: failed to fetch PVC from API server: persistentvolumeclaims "data" not found'],
      ['weird', 'MountVolume.SetUp failed for volume "weird" : no volume plugin matched'],
    ]);
    return true;
  });
  const opt = join(vm.podVolumesDir(pod.metadata.uid ?? ''), 'kubernetes.io~configmap/opt');
  assert.ok(existsSync(join(opt, '..data')), 'the optional volume was set up, empty');
  await vm.tearDown(pod.metadata.uid ?? '');
  assert.equal(existsSync(vm.podVolumesDir(pod.metadata.uid ?? '')), false);
});

test('Secrets volume: values decoded, on tmpfs, items and modes', async () => {
  const objs = new Objects();
  objs.secrets.set('ns/s', { metadata: { name: 's', namespace: 'ns' }, data: { user: b64('admin'), pass: b64('pw') } });
  const vm = new VolumeManager({ podsDir, sources: objs });
  const pod = makePod([{ name: 's', secret: { secretName: 's', defaultMode: 0o440, items: [{ key: 'pass', path: 'p' }] } }, { name: 'all', secret: { secretName: 's' } }]);
  const paths = await vm.setUp(pod, node);
  const s = paths.get('s')?.hostPath ?? '';
  assert.ok(await isMounted(s));
  assert.equal(readFileSync(join(s, 'p'), 'utf8'), 'pw');
  assert.equal(mode(join(s, 'p')), 0o440);
  assert.equal(readFileSync(join(paths.get('all')?.hostPath ?? '', 'user'), 'utf8'), 'admin');
  objs.secrets.set('ns/s', { metadata: { name: 's', namespace: 'ns' }, data: { pass: b64('pw2') } });
  assert.deepEqual(await vm.refresh(pod), []);
  assert.equal(readFileSync(join(s, 'p'), 'utf8'), 'pw2');
  await vm.tearDown(pod.metadata.uid ?? '');
  assert.equal(await isMounted(s), false);
});

test('DownwardAPI volume, pod name, memory limit, update label', async () => {
  const vm = new VolumeManager({ podsDir, sources: new Objects() });
  const pod = makePod([
    {
      name: 'info',
      downwardAPI: {
        items: [
          { path: 'name', fieldRef: { fieldPath: 'metadata.name' } },
          { path: 'labels', fieldRef: { fieldPath: 'metadata.labels' }, mode: 0o400 },
          { path: 'mem', resourceFieldRef: { containerName: 'c', resource: 'limits.memory', divisor: '1Mi' } },
          { path: 'cpu', resourceFieldRef: { containerName: 'c', resource: 'limits.cpu' } },
        ],
      },
    },
  ]);
  const dir = (await vm.setUp(pod, node)).get('info')?.hostPath ?? '';
  assert.equal(readFileSync(join(dir, 'name'), 'utf8'), pod.metadata.name);
  assert.equal(readFileSync(join(dir, 'labels'), 'utf8'), 'app="web"');
  assert.equal(mode(join(dir, 'labels')), 0o400);
  assert.equal(readFileSync(join(dir, 'mem'), 'utf8'), '64');
  assert.equal(readFileSync(join(dir, 'cpu'), 'utf8'), '2', 'the limit defaults to node allocatable');
  const relabelled = { ...pod, metadata: { ...pod.metadata, labels: { app: 'web', tier: 'front' } } };
  assert.deepEqual(await vm.refresh(relabelled), []);
  assert.equal(readFileSync(join(dir, 'labels'), 'utf8'), 'app="web"\ntier="front"');
  await vm.tearDown(pod.metadata.uid ?? '');
});

test('Projected Volume, multiple projections, with a service account token', async () => {
  const objs = new Objects();
  objs.configMaps.set('ns/c', { metadata: { name: 'c', namespace: 'ns' }, data: { k: 'cm' } });
  objs.secrets.set('ns/s', { metadata: { name: 's', namespace: 'ns' }, data: { k: b64('sec') } });
  let issued = 0;
  objs.requestServiceAccountToken = async (ns, sa, audience, exp, bound) => {
    objs.tokenRequests.push({ sa: `${ns}/${sa}`, audience, exp, pod: bound.uid });
    issued += 1;
    return { token: `token-${issued}`, expirationTimestamp: new Date(Date.now() + exp * 1000).toISOString() };
  };
  const vm = new VolumeManager({ podsDir, sources: objs });
  const pod = makePod([
    {
      name: 'all-in-one',
      projected: {
        defaultMode: 0o444,
        sources: [
          { configMap: { name: 'c', items: [{ key: 'k', path: 'cm-k' }] } },
          { secret: { name: 's', items: [{ key: 'k', path: 'sec/k' }] } },
          { downwardAPI: { items: [{ path: 'ns', fieldRef: { fieldPath: 'metadata.namespace' } }] } },
          { serviceAccountToken: { path: 'token', audience: 'api', expirationSeconds: 3600 } },
        ],
      },
    },
  ]);
  const dir = (await vm.setUp(pod, node)).get('all-in-one')?.hostPath ?? '';
  assert.ok(await isMounted(dir));
  assert.equal(readFileSync(join(dir, 'cm-k'), 'utf8'), 'cm');
  assert.equal(readFileSync(join(dir, 'sec/k'), 'utf8'), 'sec');
  assert.equal(readFileSync(join(dir, 'ns'), 'utf8'), 'ns');
  assert.equal(readFileSync(join(dir, 'token'), 'utf8'), 'token-1');
  assert.equal(mode(join(dir, 'token')), 0o444);
  assert.deepEqual(objs.tokenRequests, [{ sa: 'ns/builder', audience: 'api', exp: 3600, pod: pod.metadata.uid }]);
  await vm.refresh(pod);
  assert.equal(objs.tokenRequests.length, 1, 'a fresh token is reused');
  await vm.tearDown(pod.metadata.uid ?? '');
});

test('a serviceAccountToken projection without TokenRequest support fails the volume, no token written', async () => {
  const objs = new Objects();
  objs.configMaps.set('ns/c', { metadata: { name: 'c', namespace: 'ns' }, data: { k: 'cm' } });
  const vm = new VolumeManager({ podsDir, sources: objs });
  const pod = makePod([{ name: 'kube-api-access', projected: { sources: [{ serviceAccountToken: { path: 'token' } }, { configMap: { name: 'c' } }, { configMap: { name: 'absent' } }] } }]);
  await assert.rejects(vm.setUp(pod, node), (err) => {
    assert.ok(err instanceof VolumeSetUpFailed);
    assert.equal(
      err.failures[0]?.message,
      'MountVolume.SetUp failed for volume "kube-api-access" : [failed to fetch token: the API server does not serve TokenRequest (serviceaccounts/builder/token), configmap "absent" not found]',
    );
    return true;
  });
  const dir = join(vm.podVolumesDir(pod.metadata.uid ?? ''), 'kubernetes.io~projected/kube-api-access');
  assert.equal(existsSync(join(dir, 'token')), false);
  await vm.tearDown(pod.metadata.uid ?? '');
  assert.equal(await isMounted(dir), false);
});

test('persistentVolumeClaim: bound to a local PV → its path; unbound → error', async () => {
  const objs = new Objects();
  const local = mkdtempSync(join(root, 'local-pv-'));
  objs.claims.set('ns/data', { metadata: { name: 'data', namespace: 'ns', uid: 'pvc-uid' }, spec: { volumeName: 'pv1' }, status: { phase: 'Bound' } });
  objs.pvs.set('pv1', { metadata: { name: 'pv1' }, spec: { local: { path: local }, claimRef: { name: 'data', namespace: 'ns', uid: 'pvc-uid' } } });
  objs.claims.set('ns/pending', { metadata: { name: 'pending', namespace: 'ns', uid: 'u2' }, status: { phase: 'Pending' } });
  objs.claims.set('ns/stolen', { metadata: { name: 'stolen', namespace: 'ns', uid: 'u3' }, spec: { volumeName: 'pv1' }, status: { phase: 'Bound' } });
  const vm = new VolumeManager({ podsDir, sources: objs });
  const pod = makePod([{ name: 'd', persistentVolumeClaim: { claimName: 'data', readOnly: true } }]);
  assert.deepEqual((await vm.setUp(pod, node)).get('d'), { hostPath: local, readOnly: true });
  await vm.tearDown(pod.metadata.uid ?? '');
  assert.ok(existsSync(local), 'tearDown never removes a PV');
  const bad = makePod([{ name: 'p', persistentVolumeClaim: { claimName: 'pending' } }, { name: 's', persistentVolumeClaim: { claimName: 'stolen' } }]);
  await assert.rejects(vm.setUp(bad, node), (err) => {
    assert.ok(err instanceof VolumeSetUpFailed);
    assert.deepEqual(err.failures.map((f) => f.message), [
      'MountVolume.SetUp failed for volume "p" : error processing PVC ns/pending: PVC is not bound',
      'MountVolume.SetUp failed for volume "s" : error processing PVC ns/stolen: found PV object pv1 but its pv.Spec.ClaimRef.UID (pvc-uid) does not point to claim.UID (u3)',
    ]);
    return true;
  });
  await vm.tearDown(bad.metadata.uid ?? '');
});

test('VolumeSubpathEnvExpansion: containerMounts with subPath, subPathExpr, readOnly; escapes refused', async () => {
  const host = mkdtempSync(join(root, 'host-'));
  mkdirSync(join(host, 'inside'));
  const outside = mkdtempSync(join(root, 'outside-'));
  symlinkSync(outside, join(host, 'out'));
  symlinkSync('inside', join(host, 'in'));
  const vm = new VolumeManager({ podsDir, sources: new Objects() });
  const pod = makePod([{ name: 'work', emptyDir: {} }, { name: 'host', hostPath: { path: host, type: 'Directory' } }]);
  const paths = await vm.setUp(pod, node);
  const work = paths.get('work')?.hostPath ?? '';
  const mountsOf = (volumeMounts: NonNullable<NonNullable<Pod['spec']>['containers'][number]['volumeMounts']>, env: string[] = []) =>
    vm.containerMounts(pod, { name: 'c', volumeMounts }, paths, env);

  const mounts = await mountsOf(
    [
      { name: 'work', mountPath: '/work' },
      { name: 'work', mountPath: '/logs', subPath: 'logs/app' },
      { name: 'work', mountPath: '/mine', subPathExpr: '$(POD_NAME)', readOnly: true },
      { name: 'host', mountPath: '/in', subPath: 'in', mountPropagation: 'HostToContainer' },
    ],
    ['POD_NAME=p-1'],
  );
  assert.deepEqual(mounts, [
    { source: work, destination: '/work', readonly: false },
    { source: join(work, 'logs/app'), destination: '/logs', readonly: false },
    { source: join(work, 'p-1'), destination: '/mine', readonly: true },
    { source: join(host, 'inside'), destination: '/in', readonly: false, propagation: 'rslave' },
  ]);
  assert.equal(mode(join(work, 'logs/app')), 0o777, 'created with the volume root mode');

  await assert.rejects(mountsOf([{ name: 'work', mountPath: '/x', subPath: '../../etc' }]), { message: "unable to provision SubPath `../../etc`: must not contain '..'" });
  await assert.rejects(mountsOf([{ name: 'work', mountPath: '/x', subPath: '/etc' }]), { message: 'error SubPath `/etc` must not be an absolute path' });
  await assert.rejects(mountsOf([{ name: 'work', mountPath: '/x', subPathExpr: '$(ABS)' }], ['ABS=/abs']), { message: 'error SubPath `/abs` must not be an absolute path' });
  await assert.rejects(mountsOf([{ name: 'work', mountPath: '/x', subPathExpr: '$(A)/$(B)' }], ['A=']), { message: 'missing value for A, B' });
  await assert.rejects(mountsOf([{ name: 'host', mountPath: '/x', subPath: 'out/new' }]), (err) => {
    assert.ok(err instanceof ContainerMountError);
    assert.equal(err.message, 'failed to prepare subPath for volumeMount "host" of container "c"');
    return true;
  });
  assert.equal(existsSync(join(outside, 'new')), false, 'nothing is created through a symlink that leaves the volume');
  await assert.rejects(mountsOf([{ name: 'nope', mountPath: '/x' }]), { message: 'cannot find volume "nope" to mount into container "c"' });
  await vm.tearDown(pod.metadata.uid ?? '');
  assert.ok(existsSync(join(host, 'inside')), 'tearDown leaves hostPath contents alone');
});

test('fsGroup: emptyDir, configMap and local PV files belong to it (setgid directories); a hostPath PV is left alone', async () => {
  const sources = new Objects();
  sources.configMaps.set('ns/cfg', { metadata: { name: 'cfg', namespace: 'ns' }, data: { key: 'v' } });
  const localDir = join(root, 'local-pv');
  const hostDir = join(root, 'host-pv');
  mkdirSync(localDir, { mode: 0o755 });
  mkdirSync(hostDir, { mode: 0o755 });
  for (const [pv, spec] of [['pv-local', { local: { path: localDir } }], ['pv-host', { hostPath: { path: hostDir } }]] as const) {
    sources.claims.set(`ns/${pv}`, { metadata: { name: pv, namespace: 'ns', uid: `c-${pv}` }, spec: { volumeName: pv }, status: { phase: 'Bound' } });
    sources.pvs.set(pv, { metadata: { name: pv }, spec: { ...spec, claimRef: { uid: `c-${pv}` } } });
  }
  const vm = new VolumeManager({ podsDir, sources });
  const pod = makePod([
    { name: 'data', emptyDir: {} }, { name: 'cfg', configMap: { name: 'cfg' } },
    { name: 'local', persistentVolumeClaim: { claimName: 'pv-local' } }, { name: 'host', persistentVolumeClaim: { claimName: 'pv-host' } },
  ]);
  pod.spec!.securityContext = { fsGroup: 2000, fsGroupChangePolicy: 'OnRootMismatch' };
  const paths = await vm.setUp(pod, node);
  const data = paths.get('data')!.hostPath;
  assert.deepEqual([mode(data), statSync(data).gid], [0o2777, 2000]);
  const cfg = paths.get('cfg')!.hostPath;
  assert.equal(statSync(join(cfg, 'key')).gid, 2000);
  assert.equal(mode(join(cfg, 'key')), 0o644);
  assert.deepEqual([mode(localDir), statSync(localDir).gid], [0o2775, 2000]);
  assert.deepEqual([mode(hostDir), statSync(hostDir).gid], [0o755, 0]);
  // An updated configMap's new files are the fsGroup's too.
  sources.configMaps.set('ns/cfg', { metadata: { name: 'cfg', namespace: 'ns' }, data: { key: 'v2', other: 'x' } });
  assert.deepEqual(await vm.refresh(pod), []);
  assert.equal(statSync(join(cfg, 'other')).gid, 2000);
  await vm.tearDown(pod.metadata.uid ?? '');
});
