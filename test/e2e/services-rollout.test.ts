// Seed scenario five (D3 of SCENARIOS.md): updates and scaling never interrupt a Service. A client
// pod opens a new connection per request through the Service's ClusterIP while the Deployment
// behind it rolls out a new version (readiness probe, maxUnavailable 0, a preStop sleep as the
// Kubernetes documentation recommends so the proxy drops a pod before it stops serving), and while
// it scales 3 → 6 → 2: not one request may fail.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { kubectl, waitUntil } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
let cluster: UpCluster;
let clusterIP: string;

const k = async (args: string[], input?: string, timeoutMs = 60_000): Promise<string> => {
  const r = await kubectl('1.33', cluster.server, args, { ...(input ? { input } : {}), timeoutMs });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${cluster.server.logs().slice(-3000)}`);
  return r.stdout;
};

const APP = `apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  strategy: { type: RollingUpdate, rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 30
      containers:
      - name: httpd
        image: busybox
        env: [{ name: VERSION, value: "1" }]
        command: ["sh", "-c", "mkdir -p /www && echo \\"$HOSTNAME v$VERSION\\" > /www/index.html && exec httpd -f -p 8080 -h /www"]
        ports: [{ name: http, containerPort: 8080 }]
        readinessProbe:
          httpGet: { path: /, port: http }
          periodSeconds: 1
          failureThreshold: 3
        lifecycle:
          preStop:
            exec: { command: ["sleep", "5"] }
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: client
    image: busybox
    command: ["sleep", "3600"]
`;

/**
 * Requests through the Service, one connection each, until /tmp/stop-RUN exists and at least
 * `min` were made; prints "ok failed" at the end and keeps progress in /tmp/count-RUN.
 */
function loop(run: string, min: number): string[] {
  const script = `rm -f /tmp/stop-${run}; n=0; f=0; `
    + `while [ ! -f /tmp/stop-${run} ] || [ $((n+f)) -lt ${min} ]; do `
    + `if wget -q -O /dev/null http://${clusterIP}/; then n=$((n+1)); else f=$((f+1)); fi; `
    + `[ $(((n+f) % 50)) -eq 0 ] && echo "$n $f" > /tmp/count-${run}; done; echo "$n $f"`;
  return ['exec', 'client', '--', 'sh', '-c', script];
}

async function progress(run: string): Promise<number> {
  const r = await kubectl('1.33', cluster.server, ['exec', 'client', '--', 'cat', `/tmp/count-${run}`]);
  const [n, f] = r.stdout.trim().split(' ').map(Number);
  return (n ?? 0) + (f ?? 0);
}

/** Runs `change` while the client loops; returns [ok, failed]. */
async function underLoad(run: string, change: () => Promise<void>): Promise<[number, number]> {
  const looping = kubectl('1.33', cluster.server, loop(run, 2000), { timeoutMs: 600_000 });
  await waitUntil(async () => (await progress(run)) >= 100, 60_000, 'the client\'s first requests');
  await change();
  await k(['exec', 'client', '--', 'touch', `/tmp/stop-${run}`]);
  const r = await looping;
  assert.equal(r.code, 0, r.stderr);
  const [ok, failed] = r.stdout.trim().split(' ').map(Number) as [number, number];
  return [ok, failed];
}

before(async () => {
  cluster = await startUpCluster({ label: 'rollout', nodeName: `rollout-${hex}`, cgroupRoot: `/skiff-e2e-rollout-${hex}`, bridge: `skiffv${hex}`, subnetBase: 144 });
  await k(['apply', '-f', '-'], APP);
  await k(['rollout', 'status', 'deployment/web', '--timeout=120s'], undefined, 130_000);
  await k(['wait', '--for=condition=Ready', 'pod/client', '--timeout=60s'], undefined, 70_000);
  clusterIP = (await k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  await waitUntil(async () => (await kubectl('1.33', cluster.server, ['exec', 'client', '--', 'wget', '-q', '-O-', `http://${clusterIP}/`])).code === 0, 30_000, 'the Service answers');
});

after(async () => {
  await cluster?.stop();
});

describe('seed scenario five: a Service is never interrupted', () => {
  test('a rolling update of the Deployment behind it fails 0 of at least 2,000 requests', async () => {
    const [ok, failed] = await underLoad('update', async () => {
      await k(['set', 'env', 'deployment/web', 'VERSION=2']);
      await k(['rollout', 'status', 'deployment/web', '--timeout=180s'], undefined, 190_000);
    });
    assert.equal(failed, 0, `${failed} of ${ok + failed} requests failed during the rollout`);
    assert.ok(ok >= 2000, `${ok} requests`);
    const answers = await k(['exec', 'client', '--', 'wget', '-q', '-O-', `http://${clusterIP}/`]);
    assert.match(answers, / v2\n$/, 'the new version answers');
  });

  test('scaling 3 → 6 → 2 fails 0 of at least 2,000 requests', async () => {
    const [ok, failed] = await underLoad('scale', async () => {
      await k(['scale', 'deployment/web', '--replicas=6']);
      await k(['rollout', 'status', 'deployment/web', '--timeout=180s'], undefined, 190_000);
      await k(['scale', 'deployment/web', '--replicas=2']);
      await waitUntil(async () => (await k(['get', 'pods', '-l', 'app=web', '-o', 'name'])).trim().split('\n').length === 2, 120_000, 'two pods left');
    });
    assert.equal(failed, 0, `${failed} of ${ok + failed} requests failed while scaling`);
    assert.ok(ok >= 2000, `${ok} requests`);
  });
});
