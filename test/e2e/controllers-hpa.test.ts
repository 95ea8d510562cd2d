// The HorizontalPodAutoscaler controller under `skiff up` (seed C7), with the real kubectl 1.33 and
// 1.27 and real busybox containers: a Deployment whose pods burn CPU while /tmp/burn exists
// (limited to 150m each, so the shared 2-core machine stays usable) is autoscaled at 50% of its
// 100m request; it scales up to the maximum, and once every pod's file is removed it scales back
// down after the (shortened) downscale stabilisation. Sync period 2 s, stabilisation 5 s.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import type { Deployment } from '../../src/controllers/deployment/deployment-types.ts';
import type { HorizontalPodAutoscaler } from '../../src/controllers/podautoscaler/hpa-types.ts';
import { kubectl } from './harness.ts';
import type { RunningServer } from './harness.ts';
import { startUpCluster } from './up-cluster.ts';
import type { UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const nodeName = `hpa-${hex}`;
const NS = 'hpa';
let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
const ac = new AbortController();
let pods: Informer<Pod>;
let deployments: Informer<Deployment>;
let hpas: Informer<HorizontalPodAutoscaler>;
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };

async function k(args: string[], version = '1.33'): Promise<string> {
  const r = await kubectl(version, server, args);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stdout}\n${r.stderr}\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

const hpa = (): HorizontalPodAutoscaler | undefined => hpas.get(`${NS}/web`);
const replicas = (): number | undefined => deployments.get(`${NS}/web`)?.spec?.replicas;
const livePods = (): Pod[] => [...pods.values()].filter((p) => p.metadata.labels?.app === 'web' && !p.metadata.deletionTimestamp);

async function until(cond: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nhpa: ${JSON.stringify(hpa()?.status)}\n${server.logs().slice(-2000)}`);
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 1000); });
  }
}

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: burn
        image: busybox
        command: [sh, -c, "touch /tmp/burn; while [ -e /tmp/burn ]; do :; done; exec sleep 3600"]
        resources: { requests: { cpu: 100m }, limits: { cpu: 150m } }
`;

before(async () => {
  cluster = await startUpCluster({
    label: 'hpa', nodeName, cgroupRoot: `/skiff-e2e-hpa-${hex}`, bridge: `skiffh${hex}`, subnetBase: 96,
    extraArgs: ['--horizontal-pod-autoscaler-sync-period=2s', '--horizontal-pod-autoscaler-downscale-stabilization', '5s'],
  });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-hpa');
  pods = cs.informer<Pod>({ group: '', version: 'v1', resource: 'pods', namespaced: true }, { namespace: NS });
  deployments = cs.informer<Deployment>({ group: 'apps', version: 'v1', resource: 'deployments', namespaced: true }, { namespace: NS });
  hpas = cs.informer<HorizontalPodAutoscaler>({ group: 'autoscaling', version: 'v2', resource: 'horizontalpodautoscalers', namespaced: true }, { namespace: NS });
  for (const inf of [pods, deployments, hpas] as Array<Informer<Pod | Deployment | HorizontalPodAutoscaler>>) inf.addHandlers({ add: wake, update: wake, delete: wake });
  cs.start(ac.signal);
  await k(['create', 'namespace', NS]);
  await cs.waitForSync(ac.signal);
});

after(async () => {
  ac.abort();
  // The busy pods go first, whatever happened: the machine is shared.
  await kubectl('1.33', server, ['delete', 'namespace', NS, '--wait=false']).catch(() => undefined);
  await cluster.stop();
});

describe('HorizontalPodAutoscaler controller', () => {
  test('C7: kubectl autoscale --cpu-percent=50 --min=1 --max=3 scales a CPU-burning Deployment up, then down once the load stops', { timeout: 150_000 }, async () => {
    try {
      const r = await kubectl('1.33', server, ['apply', '-f', '-'], { input: MANIFEST });
      assert.equal(r.code, 0, r.stderr);
      await k(['autoscale', 'deployment', 'web', '-n', NS, '--cpu-percent=50', '--min=1', '--max=3']);

      const t0 = Date.now();
      await until(() => replicas() === 3, 'a scale up to 3 replicas', 60_000);
      const upAfterMs = Date.now() - t0;
      // The status is written after the scale: wait for it too.
      await until(() => hpa()?.status?.desiredReplicas === 3, 'the status of the scale up', 20_000);
      const status = hpa()!.status!;
      const cond = (type: string): string | undefined => status.conditions?.find((c) => c.type === type)?.reason;
      assert.equal(status.desiredReplicas, 3);
      assert.equal(cond('AbleToScale'), 'SucceededRescale');
      assert.ok(status.lastScaleTime);
      await until(() => (hpa()?.status?.currentMetrics?.[0]?.resource?.current.averageUtilization ?? 0) > 50, 'current utilization above 50%', 20_000);
      assert.equal(hpa()!.status!.conditions?.find((c) => c.type === 'ScalingActive')?.reason, 'ValidMetricFound');
      // kubectl get hpa prints the targets from currentMetrics; 1.27 too.
      for (const version of ['1.33', '1.27']) {
        assert.match(await k(['get', 'hpa', 'web', '-n', NS], version), /^web\s+Deployment\/web\s+cpu: \d+%\/50%\s+1\s+3\s+\d\s/m);
      }
      assert.match(await k(['describe', 'hpa', 'web', '-n', NS]),
        /SuccessfulRescale\s+.*New size: 3; reason: cpu resource utilization \(percentage of request\) above target/);

      // Stop the load in every pod, then wait for the scale down (stabilisation 5 s).
      await until(() => livePods().filter((p) => p.status?.phase === 'Running').length === 3, 'three running pods', 60_000);
      const t1 = Date.now();
      let stabilized = false;
      const seeStabilized = (): void => { if (hpa()?.status?.conditions?.some((c) => c.reason === 'ScaleDownStabilized')) stabilized = true; };
      hpas.addHandlers({ update: seeStabilized });
      for (const p of livePods()) await k(['exec', '-n', NS, p.metadata.name!, '--', 'rm', '-f', '/tmp/burn']);
      await until(() => replicas() === 1, 'a scale down to 1 replica', 60_000);
      const downAfterMs = Date.now() - t1;
      // The recommendation of 1 waited for the 5 s window (--horizontal-pod-autoscaler-downscale-stabilization).
      assert.ok(stabilized, 'AbleToScale never reported ScaleDownStabilized');
      assert.ok(downAfterMs >= 2000, `scaled down after ${downAfterMs} ms, too early for a 5 s stabilisation window`);
      assert.match(await k(['describe', 'hpa', 'web', '-n', NS]), /SuccessfulRescale\s+.*New size: 1; reason: All metrics below target/);
      assert.match(await k(['get', 'hpa', 'web', '-n', NS]), /cpu: \d+%\/50%\s+1\s+3\s/);
      process.stderr.write(`hpa: scaled up after ${upAfterMs} ms, down ${downAfterMs} ms after the load stopped\n`);
    } finally {
      await kubectl('1.33', server, ['delete', 'deployment', 'web', '-n', NS, '--wait=false']).catch(() => undefined);
    }
  });
});
