// The node agent's volume manager and probes against real containers (src/kubelet/volumes,
// src/kubelet/probes): a pod sandbox whose containers get their mounts from containerMounts —
// a shared emptyDir (B3: the collector reads what the web container writes), a configMap volume
// whose update the running container sees without a restart, a read-only secret on tmpfs, a
// subPath — and exec, httpGet and tcpSocket probes run against those containers.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, test } from 'node:test';
import type { ConfigMap, Container, Pod, Secret } from '../../src/api/types/core-v1.ts';
import { execWithTimeout, runProbe } from '../../src/kubelet/probes/index.ts';
import { VolumeManager } from '../../src/kubelet/volumes/index.ts';
import type { VolumeInfo } from '../../src/kubelet/volumes/index.ts';
import { makeEngineEnv } from './engine-helpers.ts';
import type { EngineTestEnv } from './engine-helpers.ts';

let t: EngineTestEnv;
let volumes: VolumeManager;
const configMaps = new Map<string, ConfigMap>();
const secrets = new Map<string, Secret>();
const node = { nodeName: 'n1', hostIPs: ['127.0.0.1'], allocatable: { cpu: '2', memory: '4Gi' } };

const web: Container = {
  name: 'web',
  volumeMounts: [
    { name: 'shared', mountPath: '/var/log/web' },
    { name: 'config', mountPath: '/etc/web' },
    { name: 'creds', mountPath: '/etc/creds' },
    { name: 'shared', mountPath: '/www', subPath: 'site' },
  ],
};
const collector: Container = { name: 'collector', volumeMounts: [{ name: 'shared', mountPath: '/logs', readOnly: true }] };
const pod: Pod = {
  metadata: { name: 'vol-pod', namespace: 'ns', uid: 'kvp-uid-1' },
  spec: {
    containers: [web, collector],
    volumes: [
      { name: 'shared', emptyDir: {} },
      { name: 'config', configMap: { name: 'web-config' } },
      { name: 'creds', secret: { secretName: 'web-creds', defaultMode: 0o400 } },
    ],
  },
};

before(async () => {
  t = await makeEngineEnv('kvol');
  configMaps.set('ns/web-config', { metadata: { name: 'web-config', namespace: 'ns' }, data: { greeting: 'hello v1' } });
  secrets.set('ns/web-creds', { metadata: { name: 'web-creds', namespace: 'ns' }, data: { token: Buffer.from('s3cr3t').toString('base64') } });
  volumes = new VolumeManager({
    podsDir: join(t.root, 'pods'),
    sources: {
      getConfigMap: async (ns, name) => configMaps.get(`${ns}/${name}`),
      getSecret: async (ns, name) => secrets.get(`${ns}/${name}`),
      getPersistentVolumeClaim: async () => undefined,
      getPersistentVolume: async () => undefined,
    },
  });
});

after(async () => {
  await t.engine.reset();
  await volumes.tearDown('kvp-uid-1');
  await t.cleanup();
});

async function sh(id: string, script: string): Promise<{ code: number; out: string }> {
  const r = await t.engine.containers.exec(id, ['sh', '-c', script]);
  return { code: r.exitCode, out: r.stdout.toString() + r.stderr.toString() };
}

test('EmptyDir, Shared volumes between containers; ConfigMap Volume, update; secrets read-only; subPath; probes', async () => {
  const paths: Map<string, VolumeInfo> = await volumes.setUp(pod, node);
  const sb = await t.engine.sandboxes.createSandbox({ id: 'kvp-uid-1', name: 'ns_vol-pod', hostname: 'vol-pod', network: 'pod' });
  t.sandboxIds.add(sb.id);
  assert.ok(sb.ip);
  const webMounts = await volumes.containerMounts(pod, web, paths);
  const collectorMounts = await volumes.containerMounts(pod, collector, paths);
  const webId = (
    await t.engine.run({
      image: 'busybox',
      name: 'kvp-web',
      sandboxId: sb.id,
      mounts: webMounts,
      args: ['sh', '-c', 'echo "GET /" >> /var/log/web/access.log; echo page > /www/index.html; exec httpd -f -p 8080 -h /www'],
    })
  ).id;
  const collectorId = (await t.engine.run({ image: 'busybox', name: 'kvp-collector', sandboxId: sb.id, mounts: collectorMounts, args: ['sleep', '300'] })).id;

  // B3: what one container writes, the other reads.
  let seen = '';
  for (let i = 0; i < 100 && !seen.includes('GET /'); i++) {
    seen = (await sh(collectorId, 'cat /logs/access.log 2>/dev/null')).out;
    if (!seen.includes('GET /')) await sleep(20);
  }
  assert.equal(seen, 'GET /\n');
  assert.notEqual((await sh(collectorId, 'echo x > /logs/x')).code, 0, 'a readOnly mount is read-only');

  assert.equal((await sh(webId, 'cat /etc/web/greeting')).out, 'hello v1');
  configMaps.set('ns/web-config', { metadata: { name: 'web-config', namespace: 'ns' }, data: { greeting: 'hello v2', extra: 'new key' } });
  assert.deepEqual(await volumes.refresh(pod), []);
  assert.equal((await sh(webId, 'cat /etc/web/greeting; echo; cat /etc/web/extra')).out, 'hello v2\nnew key', 'the running container sees the update');

  assert.equal((await sh(webId, 'cat /etc/creds/token')).out, 's3cr3t');
  assert.equal((await sh(webId, 'stat -L -c %a /etc/creds/token')).out.trim(), '400');
  assert.notEqual((await sh(webId, 'echo x > /etc/creds/other')).code, 0, 'secret volumes are mounted read-only');
  assert.match((await sh(webId, 'grep " /etc/creds " /proc/mounts')).out, /tmpfs/);

  // Probes against the running containers.
  const ctx = { podIP: sb.ip, container: { ...web, ports: [{ name: 'http', containerPort: 8080 }] }, exec: (argv: string[], timeoutMs: number) => execWithTimeout(t.engine.containers)(webId, argv, timeoutMs) };
  let http = await runProbe({ httpGet: { path: '/index.html', port: 'http' } }, ctx);
  for (let i = 0; i < 100 && http.result !== 'success'; i++) {
    await sleep(20);
    http = await runProbe({ httpGet: { path: '/index.html', port: 'http' } }, ctx);
  }
  assert.deepEqual(http, { result: 'success', message: 'page\n' });
  assert.deepEqual(await runProbe({ httpGet: { path: '/missing', port: 8080 } }, ctx), { result: 'failure', message: 'HTTP probe failed with statuscode: 404' });
  assert.deepEqual(await runProbe({ tcpSocket: { port: 8080 } }, ctx), { result: 'success', message: '' });
  assert.deepEqual(await runProbe({ exec: { command: ['cat', '/etc/web/greeting'] } }, ctx), { result: 'success', message: 'hello v2' });
  assert.equal((await runProbe({ exec: { command: ['cat', '/nope'] } }, ctx)).result, 'failure');
  assert.deepEqual(await runProbe({ exec: { command: ['sleep', '5'] }, timeoutSeconds: 1 }, ctx), { result: 'failure', message: 'command "sleep 5" timed out' });
});
