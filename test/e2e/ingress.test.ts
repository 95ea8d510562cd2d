// The built-in Ingress controller under `skiff up`, with real containers and the real kubectl:
// two hosts and two paths routed to two Services of busybox httpd pods, one host over TLS with
// the certificate of a Secret (by SNI), the IngressClass `skiff` made the default and set on the
// Ingress at creation, and the node's address in status.loadBalancer and `kubectl get ingress`.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { request, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { after, before, describe, test } from 'node:test';
import type { Ingress, IngressClass } from '../../src/api/types/networking-v1-ingress.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import { selfSignedServingCert } from '../../src/pki/serving-cert.ts';
import { freePort, kubectl, waitUntil } from './harness.ts';
import type { RunningServer } from './harness.ts';
import { startUpCluster } from './up-cluster.ts';
import type { UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const nodeName = `ing-${hex}`;
const NS = 'ing';
let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
let httpPort = 0;
let httpsPort = 0;
const ac = new AbortController();
let ingresses: Informer<Ingress>;
let classes: Informer<IngressClass>;
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };

async function k(args: string[], input?: string, timeoutMs?: number): Promise<string> {
  const r = await kubectl('1.33', server, args, { ...(input === undefined ? {} : { input }), ...(timeoutMs ? { timeoutMs } : {}) });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

/** Resolves once `cond` holds, re-checked on every watch event (and twice a second for safety). */
async function until(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${server.logs().slice(-2000)}`);
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 500); });
  }
}

interface Reply { status: number; body: string; headers: IncomingHttpHeaders; cn?: string }

function get(host: string, path: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: httpPort, path, headers: { host }, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

function getTls(host: string, path: string, ca: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port: httpsPort, path, servername: host, ca, headers: { host }, agent: false }, (res) => {
      const cn = String((res.socket as TLSSocket).getPeerCertificate().subject.CN);
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers, cn }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Requests until one answers as expected: routes follow the API's objects a moment later. */
async function eventually(fn: () => Promise<Reply>, ok: (r: Reply) => boolean, what: string): Promise<Reply> {
  let last: Reply | Error | undefined;
  try {
    await waitUntil(async () => {
      last = await fn().catch((err: Error) => err);
      return !(last instanceof Error) && ok(last);
    }, 60_000, what);
  } catch {
    throw new Error(`${what}: last answer ${last instanceof Error ? last.message : JSON.stringify(last)}\n${server.logs().slice(-2000)}`);
  }
  return last as Reply;
}

/** A Deployment of busybox httpd pods serving `<app> <pod name>` at / and at /<app>/. */
function app(name: string, replicas: number): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata: { name: ${name}, namespace: ${NS} }
spec:
  replicas: ${replicas}
  selector: { matchLabels: { app: ${name} } }
  # As the Kubernetes documentation recommends for updates without failed requests: no pod goes
  # before its successor is ready, and a going pod keeps serving until it has left the endpoints.
  strategy: { type: RollingUpdate, rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 5
      containers:
      - name: httpd
        image: busybox
        command: ["sh", "-c", "mkdir -p /www/${name} && echo ${name} $(hostname) > /www/index.html && cp /www/index.html /www/${name}/index.html && exec httpd -f -p 8080 -h /www"]
        ports: [{ name: web, containerPort: 8080 }]
        readinessProbe:
          tcpSocket: { port: 8080 }
          periodSeconds: 1
        lifecycle:
          preStop: { exec: { command: ["sleep", "2"] } }
`;
}

const SERVICES = `apiVersion: v1
kind: Service
metadata: { name: alpha, namespace: ${NS} }
spec:
  selector: { app: alpha }
  ports: [{ name: http, port: 80, targetPort: web }]
---
apiVersion: v1
kind: Service
metadata: { name: beta, namespace: ${NS} }
spec:
  selector: { app: beta }
  ports: [{ name: web, port: 8080, targetPort: 8080 }]
`;

// No ingressClassName: the DefaultIngressClass admission sets skiff's, the default class.
const INGRESS = `apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: { name: web, namespace: ${NS} }
spec:
  tls:
  - hosts: [alpha.example]
    secretName: alpha-tls
  rules:
  - host: alpha.example
    http:
      paths:
      - { path: /, pathType: Prefix, backend: { service: { name: alpha, port: { number: 80 } } } }
      - { path: /beta, pathType: Prefix, backend: { service: { name: beta, port: { name: web } } } }
  - host: beta.example
    http:
      paths:
      - { path: /beta/index.html, pathType: Exact, backend: { service: { name: beta, port: { number: 8080 } } } }
`;

before(async () => {
  [httpPort, httpsPort] = [await freePort(), await freePort()];
  cluster = await startUpCluster({
    label: 'ing', nodeName, cgroupRoot: `/skiff-e2e-ing-${hex}`, bridge: `skiffi${hex}`, subnetBase: 128,
    extraArgs: ['--ingress-http-port', String(httpPort), '--ingress-https-port', String(httpsPort)],
  });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-ingress');
  ingresses = cs.informer<Ingress>({ group: 'networking.k8s.io', version: 'v1', resource: 'ingresses', namespaced: true }, { namespace: NS });
  classes = cs.informer<IngressClass>({ group: 'networking.k8s.io', version: 'v1', resource: 'ingressclasses', namespaced: false });
  for (const inf of [ingresses, classes] as Array<Informer<never>>) inf.addHandlers({ add: wake, update: wake, delete: wake });
  cs.start(ac.signal);
  await k(['create', 'namespace', NS]);
  await cs.waitForSync(ac.signal);
});

after(async () => {
  ac.abort();
  await kubectl('1.33', server, ['delete', 'namespace', NS, '--wait=false']).catch(() => undefined);
  await cluster.stop();
});

describe('Ingress controller', () => {
  test('two hosts and two paths to two Services, one host over TLS from a Secret, status and kubectl', { timeout: 240_000 }, async () => {
    // The controller makes its class, the cluster's default, before anything asks for it.
    await until(() => classes.get('skiff') !== undefined, 'IngressClass skiff');
    const cls = classes.get('skiff')!;
    assert.equal(cls.spec?.controller, 'skiff.io/ingress');
    assert.equal(cls.metadata.annotations?.['ingressclass.kubernetes.io/is-default-class'], 'true');

    const cert = await selfSignedServingCert('alpha.example');
    const tlsSecret = `apiVersion: v1
kind: Secret
metadata: { name: alpha-tls, namespace: ${NS} }
type: kubernetes.io/tls
data:
  tls.crt: ${Buffer.from(cert.certPem).toString('base64')}
  tls.key: ${Buffer.from(cert.keyPem).toString('base64')}
`;
    await k(['apply', '-f', '-'], [app('alpha', 2), app('beta', 1), SERVICES, tlsSecret, INGRESS].join('---\n'));
    await until(() => ingresses.get(`${NS}/web`) !== undefined, 'the Ingress');
    assert.equal(ingresses.get(`${NS}/web`)!.spec?.ingressClassName, 'skiff', 'the default class set at creation');
    await k(['rollout', 'status', '-n', NS, 'deployment/alpha', 'deployment/beta', '--timeout=150s'], undefined, 160_000);

    // Host alpha.example: / to alpha (by port number), /beta to beta (by port name).
    const alphaPods = new Set<string>();
    const first = await eventually(() => get('alpha.example', '/'), (r) => r.status === 200 && r.body.startsWith('alpha '), 'alpha.example/ from alpha');
    alphaPods.add(first.body.trim());
    // Both pods are Ready; the second may reach the controller's EndpointSlices a moment later.
    await eventually(async () => {
      const r = await get('alpha.example', '/');
      assert.equal(r.status, 200);
      alphaPods.add(r.body.trim());
      return r;
    }, () => alphaPods.size === 2, 'both alpha pods answer in turn');
    await eventually(() => get('alpha.example', '/beta/'), (r) => r.status === 200 && r.body.startsWith('beta '), 'alpha.example/beta/ from beta');
    // Host beta.example: one Exact path; anything else is the default 404.
    await eventually(() => get('beta.example', '/beta/index.html'), (r) => r.status === 200 && r.body.startsWith('beta '), 'beta.example Exact path');
    assert.equal((await get('beta.example', '/beta/')).status, 404);
    assert.equal((await get('gamma.example', '/')).status, 404);

    // TLS by SNI with the Secret's certificate, trusted as the client's only CA.
    const tls = await eventually(() => getTls('alpha.example', '/', cert.certPem), (r) => r.status === 200, 'https://alpha.example/');
    assert.match(tls.body, /^alpha /);
    assert.match(tls.cn ?? '', /^alpha\.example@/);

    // The node's address in the status, as kubectl shows it.
    await until(() => ingresses.get(`${NS}/web`)?.status?.loadBalancer?.ingress?.[0]?.ip === '127.0.0.1', 'status.loadBalancer');
    assert.deepEqual(ingresses.get(`${NS}/web`)!.status?.loadBalancer?.ingress, [{ ip: '127.0.0.1' }]);
    const shown = await k(['get', 'ingress', '-n', NS]);
    assert.match(shown, /^web\s+skiff\s+alpha\.example,beta\.example\s+127\.0\.0\.1\s+80, 443\s/m, shown);
    const old = await kubectl('1.27', server, ['get', 'ingress', '-n', NS]);
    assert.match(old.stdout, /^web\s+skiff\s+alpha\.example,beta\.example\s+127\.0\.0\.1\s+80, 443\s/m, old.stderr);
    assert.match(await k(['get', 'ingressclass']), /^skiff\s+skiff\.io\/ingress\s/m);

    // A Service scaled to nothing has no endpoints: 503, until it is back.
    await k(['scale', '-n', NS, 'deployment/beta', '--replicas=0']);
    await eventually(() => get('alpha.example', '/beta/'), (r) => r.status === 503, 'beta without endpoints');
    await k(['scale', '-n', NS, 'deployment/beta', '--replicas=1']);
    await eventually(() => get('alpha.example', '/beta/'), (r) => r.status === 200 && r.body.startsWith('beta '), 'beta back');
  });

  test('a rolling update behind the Ingress fails no request', { timeout: 240_000 }, async () => {
    const before = new Set<string>();
    for (let i = 0; i < 4; i++) before.add((await get('alpha.example', '/')).body.trim());
    let done = false;
    let ok = 0;
    const failures: string[] = [];
    const pods = new Set<string>();
    const clients = [0, 1, 2].map(async () => {
      while (!done) {
        const r = await get('alpha.example', '/').catch((err: Error) => ({ status: 0, body: err.message }));
        if (r.status === 200 && r.body.startsWith('alpha ')) {
          ok += 1;
          pods.add(r.body.trim());
        } else {
          failures.push(`${r.status} ${r.body.trim()}`);
        }
      }
    });
    try {
      await k(['rollout', 'restart', '-n', NS, 'deployment/alpha']);
      await k(['rollout', 'status', '-n', NS, 'deployment/alpha', '--timeout=150s'], undefined, 160_000);
      // Until the replaced pods have gone: their endpoints leave while requests keep coming.
      const left = (): boolean => [...before].every((p) => !kubectlPods.includes(p.split(' ')[1] ?? ''));
      let kubectlPods = '';
      await waitUntil(async () => { kubectlPods = await k(['get', 'pods', '-n', NS, '-l', 'app=alpha', '-o', 'name']); return left(); }, 60_000, 'the old alpha pods gone');
    } finally {
      done = true;
      await Promise.all(clients);
    }
    const ingressLog = server.logs().split('\n').filter((l) => l.includes('"component":"ingress"')).slice(-20).join('\n');
    assert.deepEqual(failures, [], `failed requests during the rollout (of ${ok + failures.length})\n${ingressLog}`);
    const fresh = [...pods].filter((p) => !before.has(p));
    assert.ok(fresh.length >= 1, `new pods answered during the rollout: ${[...pods].join(', ')}`);
    assert.ok(ok >= 100, `only ${ok} requests during the rollout`);
  });
});
