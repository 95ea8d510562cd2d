// The service proxy end to end: one `skiff up` cluster, a 3-replica busybox httpd Deployment behind
// Services, and real connections through the kernel rules the node's proxy programs: ClusterIP
// from a client pod and from a backend pod to itself (hairpin), NodePort on the host's 127.0.0.1,
// ClientIP affinity, and a Service whose pods never become ready refusing connections.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { get } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { nftTables } from '../../src/runtime/netns/nft.ts';
import { kubectl, waitUntil } from './harness.ts';
import type { RunningServer } from './harness.ts';
import { startUpCluster } from './up-cluster.ts';
import type { UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const cgroupRoot = `/skiff-e2e-svcproxy-${hex}`;
const bridge = `skiffx${hex}`;
const nodeName = `svcproxy-${hex}`;
let cluster: UpCluster;
let server: RunningServer;

const MANIFESTS = `apiVersion: apps/v1
kind: Deployment
metadata: { name: web }
spec:
  replicas: 3
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: busybox
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
        ports: [{ name: http, containerPort: 8080 }]
        readinessProbe: { httpGet: { path: /, port: http }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: web }
spec:
  type: NodePort
  selector: { app: web }
  ports: [{ name: http, port: 80, targetPort: http }]
---
apiVersion: v1
kind: Service
metadata: { name: sticky }
spec:
  selector: { app: web }
  sessionAffinity: ClientIP
  ports: [{ name: http, port: 8000, targetPort: 8080 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: never-ready }
spec:
  replicas: 1
  selector: { matchLabels: { app: never-ready } }
  template:
    metadata: { labels: { app: never-ready } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: httpd
        image: busybox
        command: ["sh", "-c", "mkdir -p /www && hostname > /www/index.html && exec httpd -f -p 8080 -h /www"]
        readinessProbe: { exec: { command: ["false"] }, periodSeconds: 1 }
---
apiVersion: v1
kind: Service
metadata: { name: never-ready }
spec:
  selector: { app: never-ready }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: Pod
metadata: { name: client }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "exec sleep 3600"]
`;

async function k(args: string[], input?: string): Promise<string> {
  const r = await kubectl('1.33', server, args, { timeoutMs: 90_000, ...(input === undefined ? {} : { input }) });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** `n` requests from a pod, each a new connection; the answers, one per line ('ERR' for a failure). */
async function wgetFrom(pod: string, url: string, n: number): Promise<string[]> {
  const out = await k(['exec', pod, '--', 'sh', '-c', `for i in $(seq 1 ${n}); do timeout 5 wget -q -O- ${url} 2>&1 || echo ERR; done`]);
  return out.trim().split('\n');
}

function hostGet(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get({ host: '127.0.0.1', port, path: '/', timeout: 5000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => resolve(body.trim()));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

let webPods: string[] = [];
let clusterIP = '';

before(async () => {
  cluster = await startUpCluster({ label: 'svc-proxy', nodeName, cgroupRoot, bridge, subnetBase: 16 });
  server = cluster.server;
  await k(['apply', '-f', '-'], MANIFESTS);
  await k(['rollout', 'status', 'deployment/web', '--timeout=120s']);
  await k(['wait', '--for=condition=Ready', 'pod/client', '--timeout=60s']);
  webPods = (await k(['get', 'pods', '-l', 'app=web', '-o', 'jsonpath={.items[*].metadata.name}'])).trim().split(/\s+/);
  clusterIP = (await k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
  // The proxy syncs on the EndpointSlice change; wait until all three are behind the Service.
  await waitUntil(async () => {
    const ready = await k(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={.items[*].endpoints[*].conditions.ready}']);
    return ready.trim().split(/\s+/).filter((r) => r === 'true').length === 3;
  }, 60_000, 'three ready endpoints of web');
});

after(async () => {
  await cluster?.stop();
});

describe('service proxy', () => {
  test('the node programs its own nft table', async () => {
    assert.ok((await nftTables('ip')).includes(`${cluster.nftPrefix}-proxy`));
    assert.ok(clusterIP.startsWith(cluster.serviceCIDR.replace(/0\/24$/, '')), clusterIP);
  });

  test('[sig-network] Services should serve a basic endpoint from pods [Conformance]: a client pod reaches the ClusterIP, answered by more than one pod', async () => {
    const answers = await wgetFrom('client', `http://${clusterIP}:80/`, 24);
    assert.ok(answers.every((a) => webPods.includes(a)), `answers: ${answers.join(',')}`);
    assert.ok(new Set(answers).size > 1, `answers: ${answers.join(',')}`);
  });

  test('hairpin: a backend pod reaches itself through its Service', async () => {
    const pod = webPods[0]!;
    const answers = await wgetFrom(pod, `http://${clusterIP}:80/`, 24);
    assert.ok(answers.every((a) => webPods.includes(a)), `answers: ${answers.join(',')}`);
    assert.ok(answers.includes(pod), `${pod} never answered itself: ${answers.join(',')}`);
  });

  test('[sig-network] Services should be able to create a functioning NodePort service [Conformance]: the NodePort answers on the host\'s 127.0.0.1', async () => {
    const nodePort = Number(await k(['get', 'svc', 'web', '-o', 'jsonpath={.spec.ports[0].nodePort}']));
    assert.ok(nodePort >= 30000 && nodePort <= 32767, String(nodePort));
    const answers: string[] = [];
    for (let i = 0; i < 6; i++) answers.push(await hostGet(nodePort));
    assert.ok(answers.every((a) => webPods.includes(a)), `answers: ${answers.join(',')}`);
  });

  test('[sig-network] Services should have session affinity work for service with type clusterIP [LinuxOnly] [Conformance]', async () => {
    const ip = (await k(['get', 'svc', 'sticky', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const answers = await wgetFrom('client', `http://${ip}:8000/`, 12);
    assert.ok(webPods.includes(answers[0]!), `answers: ${answers.join(',')}`);
    assert.equal(new Set(answers).size, 1, `answers: ${answers.join(',')}`);
  });

  test('a Service whose pods are not ready has no endpoints and refuses connections', async () => {
    await waitUntil(async () => (await k(['get', 'pods', '-l', 'app=never-ready', '-o', 'jsonpath={.items[*].status.podIP}'])).trim() !== '', 60_000, 'the never-ready pod to get an IP');
    const endpoints = await k(['get', 'endpoints', 'never-ready', '-o', 'jsonpath={.subsets[*].addresses[*].ip}']);
    assert.equal(endpoints.trim(), '');
    const ip = (await k(['get', 'svc', 'never-ready', '-o', 'jsonpath={.spec.clusterIP}'])).trim();
    const answers = await wgetFrom('client', `http://${ip}:80/`, 1);
    assert.match(answers.join('\n'), /refused/i);
  });

  test('scaling down: the Service keeps answering, only from the pods left', async () => {
    await k(['scale', 'deployment/web', '--replicas=1']);
    let left: string[] = [];
    await waitUntil(async () => {
      left = (await k(['get', 'endpointslices', '-l', 'kubernetes.io/service-name=web', '-o', 'jsonpath={range .items[*].endpoints[?(@.conditions.ready==true)]}{.targetRef.name} {end}'])).trim().split(/\s+/).filter((s) => s !== '');
      return left.length === 1;
    }, 60_000, 'one ready endpoint of web');
    // The rules follow within the proxy's sync period; the answers then come from that pod only.
    await waitUntil(async () => (await wgetFrom('client', `http://${clusterIP}:80/`, 6)).every((a) => a === left[0]), 30_000, 'answers only from the pod left');
  });
});
