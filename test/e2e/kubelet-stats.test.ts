// The node agent's stats provider on a real engine: a pod sandbox with a container burning CPU and
// an idle one, found through the labels the node agent sets, reported in the Summary API shape
// from their cgroups; a container with a memory limit reports what is left of it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import { CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL } from '../../src/kubelet/pods/labels.ts';
import { StatsProvider } from '../../src/kubelet/stats/stats-provider.ts';
import type { Node } from '../../src/api/types/core-v1.ts';
import type { Summary } from '../../src/api/types/stats-v1alpha1.ts';
import { createCa, issueCert } from '../../src/apiserver/auth/certs.ts';
import { kubeletGetJson } from '../../src/apiserver/kubelet-client.ts';
import type { PodStreamBackend } from '../../src/kubelet/server/backend.ts';
import { KubeletServer } from '../../src/kubelet/server/server.ts';
import { selfSignedServingCert } from '../../src/pki/serving-cert.ts';
import { makeEngineEnv, type EngineTestEnv } from './engine-helpers.ts';

let t: EngineTestEnv;
const uid = '5f0c7a52-1b7e-4c4e-9d55-000000000001';

before(async () => {
  t = await makeEngineEnv('kstats');
});

after(async () => {
  await t.cleanup();
});

describe('kubelet stats provider', () => {
  test('summary: node, the pod and its running containers with CPU rates and working sets', async () => {
    const podLabels = { [POD_UID_LABEL]: uid, [POD_NAME_LABEL]: 'web', [POD_NAMESPACE_LABEL]: 'shop' };
    const sb = await t.engine.sandboxes.createSandbox({ id: uid, name: 'shop_web', hostname: 'web', network: 'none', labels: podLabels });
    t.sandboxIds.add(sb.id);
    await t.engine.run({ image: 'busybox', name: 'burn', sandboxId: uid, args: ['sh', '-c', 'while :; do :; done'], labels: { ...podLabels, [CONTAINER_NAME_LABEL]: 'burn' } });
    await t.engine.run({
      image: 'busybox', name: 'idle', sandboxId: uid, args: ['sleep', '300'],
      labels: { ...podLabels, [CONTAINER_NAME_LABEL]: 'idle' },
      resources: { memoryLimitBytes: 64 * 1024 * 1024 },
    });
    // A container without the node agent's labels is not a pod's.
    await t.engine.run({ image: 'busybox', name: 'stray', args: ['sleep', '300'] });

    const stats = new StatsProvider({ engine: t.engine, nodeName: 'n1', log: pino({ level: 'silent' }) });
    const summary = await stats.summary();
    assert.equal(summary.node.nodeName, 'n1');
    assert.ok((summary.node.cpu?.usageNanoCores ?? 0) > 0, JSON.stringify(summary.node));
    assert.ok((summary.node.memory?.workingSetBytes ?? 0) > 0);
    assert.ok((summary.node.memory?.availableBytes ?? 0) > 0);

    assert.equal(summary.pods.length, 1, JSON.stringify(summary.pods));
    const pod = summary.pods[0]!;
    assert.deepEqual(pod.podRef, { name: 'web', namespace: 'shop', uid });
    const byName = new Map(pod.containers.map((c) => [c.name, c]));
    assert.deepEqual([...byName.keys()].sort(), ['burn', 'idle']);
    const burn = byName.get('burn')!;
    const idle = byName.get('idle')!;
    assert.ok(burn.cpu?.usageNanoCores !== undefined && idle.cpu?.usageNanoCores !== undefined, JSON.stringify(pod));
    assert.ok(burn.cpu.usageNanoCores > idle.cpu.usageNanoCores, JSON.stringify(pod));
    assert.ok((burn.cpu.usageCoreNanoSeconds ?? 0) > 0);
    assert.ok((idle.memory?.workingSetBytes ?? 0) > 0);
    assert.equal(idle.memory?.availableBytes, 64 * 1024 * 1024 - idle.memory!.workingSetBytes!, 'available under a limit');
    assert.equal(burn.memory?.availableBytes, undefined, 'no limit, no available');
    // The pod cgroup holds every container: its CPU is at least the busy one's share.
    assert.ok((pod.cpu?.usageCoreNanoSeconds ?? 0) >= (burn.cpu.usageCoreNanoSeconds ?? 0));

    // A second summary soon after reuses the samples: rates are still there.
    const again = await stats.summary();
    assert.ok((again.pods[0]?.containers.find((c) => c.name === 'burn')?.cpu?.usageNanoCores ?? 0) > 0);
  });

  test('GET /stats/summary on the kubelet server, only with a client certificate the cluster CA signed', async () => {
    const ca = await createCa('skiff-test-ca', 1);
    const client = await issueCert(ca, { cn: 'kube-apiserver-kubelet-client', orgs: [], usage: 'client', days: 1 });
    const stats = new StatsProvider({ engine: t.engine, nodeName: 'n1', log: pino({ level: 'silent' }) });
    const server = new KubeletServer({
      host: '127.0.0.1', port: 0, tls: await selfSignedServingCert('127.0.0.1'), clientCaPem: ca.certPem,
      backend: {} as PodStreamBackend, engine: t.engine, log: pino({ level: 'silent' }), stats,
    });
    const { port } = await server.listen();
    const ac = new AbortController();
    const serving = server.run(ac.signal);
    try {
      const node = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status: { addresses: [{ type: 'InternalIP', address: '127.0.0.1' }], daemonEndpoints: { kubeletEndpoint: { Port: port } } } } as Node;
      const summary = await kubeletGetJson<Summary>(node, '/stats/summary', { cert: { certPem: client.certPem, keyPem: client.keyPem }, timeoutMs: 10_000 });
      assert.equal(summary.node.nodeName, 'n1');
      assert.deepEqual(summary.pods.map((p) => p.podRef.uid), [uid]);
      await assert.rejects(kubeletGetJson<Summary>(node, '/stats/summary', { cert: undefined, timeoutMs: 10_000 }), (err: Error & { status?: number }) => err.status === 401);
    } finally {
      ac.abort();
      await serving;
    }
  });
});
