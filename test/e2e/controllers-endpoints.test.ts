// The EndpointSlice and Endpoints controllers under `skiff up`, with real containers and the real
// kubectl: pods of busybox httpd with an exec readiness probe behind a Service with a named
// targetPort. Watches (src/client informers) decide when something happened; the same watches
// measure how long a pod turning Ready takes to reach its slice.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import type { Endpoint, EndpointSlice, Endpoints } from '../../src/controllers/endpointslice/types.ts';
import { ENDPOINT_SLICES, PODS } from '../../src/controllers/endpointslice/endpointslice-controller.ts';
import { RESOURCES } from '../../src/api/scheme.ts';
import { kubectl } from './harness.ts';
import type { RunningServer } from './harness.ts';
import { startUpCluster } from './up-cluster.ts';
import type { UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const nodeName = `eps-${hex}`;
const NS = 'eps';
const ZONE = 'zone-a';
let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
const ac = new AbortController();
let pods: Informer<Pod>;
let slices: Informer<EndpointSlice>;
let endpoints: Informer<Endpoints>;
/** Wakes every waiter on any informer event. */
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };

/** ms (performance.now) at which the watch saw each pod's Ready condition turn True. */
const podReadyAt = new Map<string, number>();
/** ms at which the watch saw each pod's endpoint in a slice turn ready. */
const sliceReadyAt = new Map<string, number>();

async function k(args: string[], input?: string, timeoutMs?: number): Promise<string> {
  const r = await kubectl('1.33', server, args, { ...(input === undefined ? {} : { input }), ...(timeoutMs ? { timeoutMs } : {}) });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

/** Resolves once `cond` holds, re-checked on every watch event (and twice a second for safety). */
async function until(cond: () => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\nslices: ${JSON.stringify(serviceSlices('web'), null, 1)}\n${server.logs().slice(-2000)}`);
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 500); });
  }
}

function serviceSlices(svc: string): EndpointSlice[] {
  return [...slices.values()].filter((s) => s.metadata.namespace === NS && s.metadata.labels?.['kubernetes.io/service-name'] === svc);
}

function endpointOf(svc: string, podName: string): Endpoint | undefined {
  for (const s of serviceSlices(svc)) for (const e of s.endpoints ?? []) if (e.targetRef?.name === podName) return e;
  return undefined;
}

function sliceOf(svc: string, podName: string): EndpointSlice | undefined {
  return serviceSlices(svc).find((s) => (s.endpoints ?? []).some((e) => e.targetRef?.name === podName));
}

const podIP = (name: string): string => pods.get(`${NS}/${name}`)?.status?.podIP ?? '';
const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

function webPod(name: string, o: { portName: string; hostname?: boolean }): string {
  return `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${NS}, labels: { app: web } }
spec:
  ${o.hostname ? `hostname: ${name}\n  subdomain: web\n  ` : ''}terminationGracePeriodSeconds: 8
  containers:
  - name: httpd
    image: busybox
    # sh is PID 1 and has no TERM handler, so a deleted pod stays terminating for its grace period.
    command: ["sh", "-c", "touch /tmp/ready; httpd -p 8080 -h /etc; httpd -p 8081 -h /etc; while true; do sleep 1; done"]
    ports:
    - { name: ${o.portName}, containerPort: 8080 }
    readinessProbe:
      exec: { command: ["cat", "/tmp/ready"] }
      periodSeconds: 1
      failureThreshold: 1
`;
}

const SERVICE = `apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${NS}, labels: { tier: front } }
spec:
  selector: { app: web }
  ports:
  - { name: http, port: 80, targetPort: http }
  - { name: raw, port: 81, targetPort: 8081 }
`;

before(async () => {
  cluster = await startUpCluster({ label: 'eps', nodeName, cgroupRoot: `/skiff-e2e-eps-${hex}`, bridge: `skiffe${hex}`, subnetBase: 160 });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-endpoints');
  pods = cs.informer<Pod>(PODS, { namespace: NS });
  slices = cs.informer<EndpointSlice>(ENDPOINT_SLICES, { namespace: NS });
  endpoints = cs.informer<Endpoints>(RESOURCES.find((r) => r.group === '' && r.resource === 'endpoints')!, { namespace: NS });
  pods.addHandlers({
    add: (p) => { if (isReady(p)) podReadyAt.set(p.metadata.name!, performance.now()); wake(); },
    update: (old, p) => { if (isReady(p) && !isReady(old)) podReadyAt.set(p.metadata.name!, performance.now()); wake(); },
    delete: wake,
  });
  const seeSlice = (old: EndpointSlice | undefined, s: EndpointSlice): void => {
    for (const e of s.endpoints ?? []) {
      const name = e.targetRef?.name;
      const before = old?.endpoints?.find((x) => x.targetRef?.name === name);
      if (name && e.conditions?.ready && !before?.conditions?.ready) sliceReadyAt.set(name, performance.now());
    }
    wake();
  };
  slices.addHandlers({ add: (s) => seeSlice(undefined, s), update: seeSlice, delete: wake });
  endpoints.addHandlers({ add: wake, update: wake, delete: wake });
  cs.start(ac.signal);
  await k(['create', 'namespace', NS]);
  await k(['label', 'node', nodeName, `topology.kubernetes.io/zone=${ZONE}`]);
  await cs.waitForSync(ac.signal);
});

after(async () => {
  ac.abort();
  await kubectl('1.33', server, ['delete', 'namespace', NS, '--wait=false']).catch(() => undefined);
  await cluster.stop();
});

describe('EndpointSlice and Endpoints controllers', () => {
  test('EndpointSlice API: should create Endpoints and EndpointSlices for Pods matching a Service (named targetPort, zone, hostname)', { timeout: 180_000 }, async () => {
    await k(['apply', '-f', '-'], SERVICE);
    // No pods yet: one empty placeholder slice, and Endpoints without subsets.
    await until(() => serviceSlices('web').length === 1 && endpoints.get(`${NS}/web`) !== undefined, 'placeholder slice and empty Endpoints');
    const [placeholder] = serviceSlices('web');
    assert.deepEqual([placeholder!.endpoints ?? [], placeholder!.ports ?? []], [[], []]);
    assert.equal(endpoints.get(`${NS}/web`)!.subsets, undefined);
    // The first sync's trigger is the service's creation (later ones, a pod's Ready transition,
    // which has one-second resolution: a change within the same second carries none, as upstream).
    const created = JSON.parse(await k(['get', 'svc', 'web', '-n', NS, '-o', 'json'])).metadata.creationTimestamp as string;
    assert.equal(placeholder!.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], created);
    assert.equal(endpoints.get(`${NS}/web`)!.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'], created);
    assert.match(await k(['get', 'endpoints', 'web', '-n', NS]), /^web\s+<none>\s/m);

    await k(['apply', '-f', '-'], [webPod('web-1', { portName: 'http', hostname: true }), webPod('web-2', { portName: 'http' }), webPod('web-3', { portName: 'other' })].join('---\n'));
    await k(['wait', '--for=condition=Ready', '-n', NS, 'pod/web-1', 'pod/web-2', 'pod/web-3', '--timeout=120s'], undefined, 130_000);
    await until(() => ['web-1', 'web-2', 'web-3'].every((p) => endpointOf('web', p)?.conditions?.ready === true), 'all three endpoints ready');

    // web-1 and web-2 resolve both ports; web-3 lacks the port named "http", so it sits in a
    // slice of its own that carries only "raw".
    const both = sliceOf('web', 'web-1')!;
    assert.equal(sliceOf('web', 'web-2'), both);
    assert.deepEqual([...both.ports!].sort((a, b) => (a.name! < b.name! ? -1 : 1)), [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'raw', port: 8081, protocol: 'TCP' }]);
    const rawOnly = sliceOf('web', 'web-3')!;
    assert.notEqual(rawOnly, both);
    assert.deepEqual(rawOnly.ports, [{ name: 'raw', port: 8081, protocol: 'TCP' }]);
    assert.equal(serviceSlices('web').length, 2, 'the placeholder was reused, not kept beside them');

    assert.equal(both.addressType, 'IPv4');
    assert.match(both.metadata.name!, /^web-[a-z0-9]{5}$/);
    assert.equal(both.metadata.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(both.metadata.labels?.tier, 'front');
    const svcUid = JSON.parse(await k(['get', 'svc', 'web', '-n', NS, '-o', 'json'])).metadata.uid as string;
    assert.deepEqual(both.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: svcUid, controller: true, blockOwnerDeletion: true }]);

    const e1 = endpointOf('web', 'web-1')!;
    assert.deepEqual(e1.addresses, [podIP('web-1')]);
    assert.deepEqual(e1.conditions, { ready: true, serving: true, terminating: false });
    assert.equal(e1.nodeName, nodeName);
    assert.equal(e1.zone, ZONE);
    assert.equal(e1.hostname, 'web-1', 'hostname + subdomain naming the service');
    assert.equal(endpointOf('web', 'web-2')!.hostname, undefined);
    assert.deepEqual(e1.targetRef, { kind: 'Pod', namespace: NS, name: 'web-1', uid: pods.get(`${NS}/web-1`)!.metadata.uid });

    // The legacy Endpoints: one subset per port set, ready addresses, labels and annotation.
    await until(() => (endpoints.get(`${NS}/web`)?.subsets ?? []).flatMap((s) => s.addresses ?? []).length === 3, 'Endpoints with three addresses');
    const ep = endpoints.get(`${NS}/web`)!;
    assert.equal(ep.metadata.labels?.['endpointslice.kubernetes.io/skip-mirror'], 'true');
    const subsets = (ep.subsets ?? []).map((s) => [(s.addresses ?? []).map((a) => a.ip).sort(), (s.ports ?? []).map((p) => `${p.name}:${p.port}`).sort()]);
    assert.deepEqual(subsets.sort((a, b) => a[1]!.length - b[1]!.length), [
      [[podIP('web-3')], ['raw:8081']],
      [[podIP('web-1'), podIP('web-2')].sort(), ['http:8080', 'raw:8081']],
    ]);

    // What kubectl shows.
    const got = await k(['get', 'endpointslices', '-n', NS]);
    assert.match(got, new RegExp(`${both.metadata.name}\\s+IPv4\\s+(8080,8081|8081,8080)\\s+\\S*${podIP('web-1').replaceAll('.', '\\.')}`));
    assert.match(got, new RegExp(`${rawOnly.metadata.name}\\s+IPv4\\s+8081\\s+${podIP('web-3').replaceAll('.', '\\.')}\\s`));
    const legacy = await k(['get', 'endpoints', 'web', '-n', NS]);
    // Five address:port pairs (two pods × two ports, one pod × one), of which kubectl shows three.
    assert.match(legacy, /^web\s+(\d+\.\d+\.\d+\.\d+:808[01],){2}\d+\.\d+\.\d+\.\d+:808[01] \+ 2 more\.\.\.\s/m);
    const described = await k(['describe', 'svc', 'web', '-n', NS]);
    assert.match(described, /Endpoints:\s+\S*10\.42\./);
    for (const p of ['web-1', 'web-2', 'web-3']) assert.ok(described.includes(podIP(p)), `${p} in kubectl describe svc:\n${described}`);
    // kubectl 1.27 describes a service from its Endpoints, not its slices.
    const old = await kubectl('1.27', server, ['describe', 'svc', 'web', '-n', NS]);
    assert.equal(old.code, 0, old.stderr);
    assert.match(old.stdout, new RegExp(`Endpoints:\\s+\\S*${podIP('web-3').replaceAll('.', '\\.')}:8081`));
    const oldSlices = await kubectl('1.27', server, ['get', 'endpointslices', '-n', NS, '-o', 'name']);
    assert.deepEqual(oldSlices.stdout.trim().split('\n').sort(), [both, rawOnly].map((x) => `endpointslice.discovery.k8s.io/${x.metadata.name}`).sort());
  });

  test('a pod failing its readiness probe moves to not ready; ready again → slice updated (latency measured)', { timeout: 120_000 }, async () => {
    await k(['exec', '-n', NS, 'web-2', '--', 'rm', '/tmp/ready']);
    await until(() => endpointOf('web', 'web-2')?.conditions?.ready === false, 'web-2 not ready in its slice');
    assert.deepEqual(endpointOf('web', 'web-2')!.conditions, { ready: false, serving: false, terminating: false });
    await until(() => (endpoints.get(`${NS}/web`)?.subsets ?? []).some((s) => (s.notReadyAddresses ?? []).some((a) => a.ip === podIP('web-2'))), 'web-2 in notReadyAddresses');
    assert.ok(!(endpoints.get(`${NS}/web`)!.subsets ?? []).some((s) => (s.addresses ?? []).some((a) => a.ip === podIP('web-2'))), 'and not in addresses');

    // pod Ready (seen by a watch) → its endpoint ready in a slice (seen by the same client's watch).
    const latencies: number[] = [];
    for (let i = 0; i < 5; i += 1) {
      podReadyAt.delete('web-2');
      sliceReadyAt.delete('web-2');
      await k(['exec', '-n', NS, 'web-2', '--', 'touch', '/tmp/ready']);
      await until(() => sliceReadyAt.has('web-2') && podReadyAt.has('web-2'), 'web-2 ready again in its slice');
      latencies.push(sliceReadyAt.get('web-2')! - podReadyAt.get('web-2')!);
      await k(['exec', '-n', NS, 'web-2', '--', 'rm', '/tmp/ready']);
      await until(() => endpointOf('web', 'web-2')?.conditions?.ready === false, 'web-2 not ready again');
    }
    await k(['exec', '-n', NS, 'web-2', '--', 'touch', '/tmp/ready']);
    await until(() => endpointOf('web', 'web-2')?.conditions?.ready === true, 'web-2 ready at the end');
    const sorted = [...latencies].sort((a, b) => a - b);
    // A node's zone label changes: every endpoint on it follows.
    await k(['label', 'node', nodeName, 'topology.kubernetes.io/zone=zone-b', '--overwrite']);
    await until(() => ['web-1', 'web-2', 'web-3'].every((p) => endpointOf('web', p)?.zone === 'zone-b'), 'endpoints in zone-b');
    console.log(`endpointslice: pod ready → slice updated over ${sorted.length} flips: p50 ${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} ms, max ${sorted.at(-1)!.toFixed(1)} ms (${sorted.map((x) => x.toFixed(1)).join(', ')})`);
    assert.ok(sorted.at(-1)! < 2000, `slice updated within 2 s of the pod turning Ready: ${sorted.join(', ')}`);
  });

  test('EndpointSlice API: should create and delete Endpoints and EndpointSlices for a Service with a selector specified (terminating first, then gone)', { timeout: 120_000 }, async () => {
    const ip1 = podIP('web-1');
    await k(['delete', 'pod', 'web-1', '-n', NS, '--wait=false']);
    await until(() => endpointOf('web', 'web-1')?.conditions?.terminating === true, 'web-1 terminating in its slice');
    assert.equal(endpointOf('web', 'web-1')!.conditions!.ready, false, 'a terminating endpoint is never ready');
    // The legacy Endpoints drop a terminating pod at once.
    await until(() => !(endpoints.get(`${NS}/web`)?.subsets ?? []).some((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])].some((a) => a.ip === ip1)), 'web-1 out of Endpoints');
    await until(() => endpointOf('web', 'web-1') === undefined, 'web-1 gone from the slices', 60_000);

    // The last pod of a port set goes: its slice goes too.
    await k(['delete', 'pod', 'web-3', '-n', NS, '--grace-period=1']);
    await until(() => endpointOf('web', 'web-3') === undefined && serviceSlices('web').length === 1, 'web-3 and its slice gone', 60_000);
    assert.deepEqual(serviceSlices('web')[0]!.endpoints.map((e) => e.targetRef?.name), ['web-2']);
    await until(() => (endpoints.get(`${NS}/web`)?.subsets ?? []).length === 1, 'Endpoints down to one subset');

    // A service without a selector is left alone: its slices and Endpoints are the user's. Its
    // queue turn comes before that of the service created after it, whose slice shows it passed.
    await k(['apply', '-f', '-'], `apiVersion: v1
kind: Service
metadata: { name: manual, namespace: ${NS} }
spec:
  ports: [{ port: 80 }]
---
apiVersion: v1
kind: Service
metadata: { name: later, namespace: ${NS} }
spec:
  selector: { app: later }
  ports: [{ port: 80 }]
`);
    await until(() => serviceSlices('later').length === 1 && endpoints.get(`${NS}/later`) !== undefined, 'the later service processed');
    assert.deepEqual(serviceSlices('manual'), []);
    assert.equal(endpoints.get(`${NS}/manual`), undefined);

    // Deleting the service takes its slices (owner references) and Endpoints with it.
    await k(['delete', 'svc', 'web', '-n', NS]);
    await until(() => serviceSlices('web').length === 0 && endpoints.get(`${NS}/web`) === undefined, 'slices and Endpoints of a deleted service gone', 60_000);
  });
});
