import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { ConfigMap, Pod } from '../../api/types/core-v1.ts';
import type { MountVolumeError } from './errors.ts';
import { PodVolumes } from './pod-volumes.ts';

const root = mkdtempSync('/tmp/skiff-podvolumes-');
after(() => rmSync(root, { recursive: true, force: true }));

test('PodVolumes: setUp, mounts with subPathExpr from the downward API, periodic re-sync, tearDown', async () => {
  const configMaps = new Map<string, ConfigMap>([['ns/site', { metadata: { name: 'site', namespace: 'ns' }, data: { 'index.html': 'v1' } }]]);
  const refreshErrors: string[] = [];
  const volumes = new PodVolumes({
    podsDir: join(root, 'pods'),
    node: () => ({ nodeName: 'n', hostIPs: ['192.168.0.9'], allocatable: {} }),
    sources: {
      getConfigMap: async (ns, name) => configMaps.get(`${ns}/${name}`),
      getSecret: async () => undefined,
      getPersistentVolumeClaim: async () => undefined,
      getPersistentVolume: async () => undefined,
    },
    onRefreshError: (_pod, err: MountVolumeError) => refreshErrors.push(err.message),
  });
  const pod: Pod = {
    metadata: { name: 'web-1', namespace: 'ns', uid: 'uid-pv' },
    spec: {
      containers: [
        {
          name: 'web',
          env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          volumeMounts: [
            { name: 'site', mountPath: '/usr/share/nginx/html' },
            { name: 'logs', mountPath: '/var/log/nginx', subPathExpr: '$(POD)' },
          ],
        },
      ],
      volumes: [{ name: 'site', configMap: { name: 'site', items: [{ key: 'index.html', path: 'index.html', mode: 0o444 }] } }, { name: 'logs', emptyDir: {} }],
    },
  };
  const container = pod.spec?.containers[0];
  assert.ok(container);
  await volumes.setUp(pod);
  const mounts = await volumes.mountsFor(pod, container);
  const dir = volumes.manager.podVolumesDir('uid-pv');
  assert.deepEqual(mounts, [
    { source: join(dir, 'kubernetes.io~configmap/site'), destination: '/usr/share/nginx/html', readonly: true },
    { source: join(dir, 'kubernetes.io~empty-dir/logs/web-1'), destination: '/var/log/nginx', readonly: false },
  ]);
  assert.ok(statSync(join(dir, 'kubernetes.io~empty-dir/logs/web-1')).isDirectory());

  configMaps.set('ns/site', { metadata: { name: 'site', namespace: 'ns' }, data: { 'index.html': 'v2' } });
  await volumes.setUp(pod);
  assert.equal(readFileSync(join(dir, 'kubernetes.io~configmap/site/index.html'), 'utf8'), 'v1', 'setUp of a ready pod does not re-read');
  const ac = new AbortController();
  const loop = volumes.run(ac.signal);
  await volumes.refreshAll();
  assert.equal(readFileSync(join(dir, 'kubernetes.io~configmap/site/index.html'), 'utf8'), 'v2');
  configMaps.set('ns/site', { metadata: { name: 'site', namespace: 'ns' }, data: {} });
  await volumes.refreshAll();
  assert.deepEqual(refreshErrors, ['MountVolume.SetUp failed for volume "site" : configmap references non-existent config key: index.html']);
  ac.abort();
  await loop;

  await volumes.tearDown('uid-pv');
  assert.equal(existsSync(dir), false);
});
