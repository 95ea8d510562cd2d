// NetworkPolicy under `skiff up`, with real containers and the real kubectl: a busybox httpd server
// pod and client pods in three namespaces; policies applied with kubectl; connections made with
// `kubectl exec … wget` from the clients. A policy is in force once the node's nft table shows it
// (its rule comments and set elements), which the test waits for by reading the table, never by
// sleeping; then each allowed connection must succeed and each denied one must time out (dropped,
// not refused). busybox-static's `wget -T` crashes (issue 16), so `timeout` bounds each attempt.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { nft, nftTables } from '../../src/runtime/netns/nft.ts';
import { kubectl } from './harness.ts';
import type { RunningServer } from './harness.ts';
import { startUpCluster } from './up-cluster.ts';
import type { UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const nodeName = `netpol-${hex}`;
const NS = 'np';
const FRIENDS = 'np-friends';
const STRANGERS = 'np-strangers';
let cluster: UpCluster;
let server: RunningServer;
let table = '';
const ip = new Map<string, string>();

async function k(args: string[], input?: string, timeoutMs?: number): Promise<string> {
  const r = await kubectl('1.33', server, args, { ...(input === undefined ? {} : { input }), ...(timeoutMs ? { timeoutMs } : {}) });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

function clientPod(name: string, ns: string, labels: Record<string, string>): string {
  return `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${ns}, labels: ${JSON.stringify(labels)} }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: c
    image: busybox
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]
`;
}

const SERVER_POD = `apiVersion: v1
kind: Pod
metadata: { name: server, namespace: ${NS}, labels: { app: server } }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: httpd
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo hello > /www/index.html && httpd -p 8080 -h /www && httpd -p 8081 -h /www; trap 'exit 0' TERM; while true; do sleep 1; done"]
    ports:
    - { name: http, containerPort: 8080 }
    - { name: alt, containerPort: 8081 }
`;

/** True when `pod` fetched the server's page on `port` within three seconds. */
async function reaches(pod: string, ns: string, port = 8080, target = 'server'): Promise<boolean> {
  const r = await kubectl('1.33', server, ['exec', '-n', ns, pod, '--', 'timeout', '3', 'wget', '-q', '-O', '-', `http://${ip.get(target)}:${port}/`], { timeoutMs: 30_000 });
  return r.code === 0 && r.stdout.includes('hello');
}

/** Waits until the node's NetworkPolicy table satisfies `cond` (re-read on a short poll of the kernel). */
async function untilTable(cond: (text: string) => boolean, what: string, timeoutMs = 30_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  let text = '';
  while (Date.now() < end) {
    text = (await nftTables('ip')).includes(table) ? await nft(['list', 'table', 'ip', table]) : '';
    if (cond(text)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`timed out waiting for ${what} in nft table ${table}:\n${text}\n${server.logs().slice(-2000)}`);
}

/** The elements of one set in `nft list table` output. */
function setElements(text: string, set: string): string[] {
  const m = new RegExp(`set ${set} \\{[^}]*?elements = \\{([^}]*)\\}`, 's').exec(text);
  return m ? m[1]!.split(',').map((s) => s.trim()).filter((s) => s !== '') : [];
}

async function applyPolicy(yaml: string, name: string): Promise<void> {
  await k(['apply', '-f', '-'], yaml);
  await untilTable((t) => t.includes(`comment "${name}"`), `policy ${name}`);
}

async function deletePolicy(ns: string, name: string): Promise<void> {
  await k(['delete', 'networkpolicy', '-n', ns, name]);
  await untilTable((t) => t !== '' && !t.includes(`comment "${ns}/${name}"`), `policy ${ns}/${name} gone`);
}

before(async () => {
  cluster = await startUpCluster({ label: 'netpol', nodeName, cgroupRoot: `/skiff-e2e-netpol-${hex}`, bridge: `skiffz${hex}`, subnetBase: 80 });
  server = cluster.server;
  table = `${cluster.nftPrefix}-netpol`;
  await k(['create', 'namespace', NS]);
  await k(['create', 'namespace', FRIENDS]);
  await k(['create', 'namespace', STRANGERS]);
  await k(['label', 'namespace', FRIENDS, 'team=friends']);
  await k(['apply', '-f', '-'], [
    SERVER_POD,
    clientPod('client-a', NS, { role: 'client' }),
    clientPod('client-b', NS, { role: 'other' }),
    clientPod('client-c', FRIENDS, { role: 'client' }),
    clientPod('client-d', STRANGERS, { role: 'client' }),
  ].join('---\n'));
  for (const [ns, pods] of [[NS, ['server', 'client-a', 'client-b']], [FRIENDS, ['client-c']], [STRANGERS, ['client-d']]] as const) {
    await k(['wait', '--for=condition=Ready', '-n', ns, ...pods.map((p) => `pod/${p}`), '--timeout=120s'], undefined, 130_000);
    for (const p of pods) {
      const pod = JSON.parse(await k(['get', 'pod', '-n', ns, p, '-o', 'json'])) as Pod;
      ip.set(p, pod.status!.podIP!);
    }
  }
});

after(async () => {
  // The policies stay in force when the node agent stops (its pods keep running); the cluster's
  // cleanup removes the table.
  await server.stop();
  const left = (await nftTables('ip')).filter((t) => t === table);
  await cluster.stop();
  assert.deepEqual(left, [table], 'the NetworkPolicy table outlives the node agent');
});

describe('NetworkPolicy', () => {
  test('without policies every client reaches the server; the table isolates nobody', { timeout: 60_000 }, async () => {
    await untilTable((t) => t.includes('chain forward-ingress'), 'the table');
    assert.equal(await reaches('client-a', NS), true);
    assert.equal(await reaches('client-d', STRANGERS), true);
  });

  test('default deny ingress: clients time out, the node still reaches the pod', { timeout: 60_000 }, async () => {
    await applyPolicy(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: default-deny, namespace: ${NS} }
spec:
  podSelector: {}
  policyTypes: [Ingress]
`, `${NS}/default-deny`);
    const t = await nft(['list', 'table', 'ip', table]);
    assert.deepEqual(setElements(t, 'ingress-isolated').sort(), [ip.get('server'), ip.get('client-a'), ip.get('client-b')].sort());
    assert.equal(await reaches('client-a', NS), false);
    assert.equal(await reaches('client-d', STRANGERS), false);
    // The node's own traffic (kubelet probes, this test process) is not subject to policies.
    const res = await fetch(`http://${ip.get('server')}:8080/`, { signal: AbortSignal.timeout(10_000) });
    assert.equal((await res.text()).trim(), 'hello');
  });

  test('allow from one label on a named port: the labelled client gets in on that port only', { timeout: 60_000 }, async () => {
    await applyPolicy(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-clients, namespace: ${NS} }
spec:
  podSelector: { matchLabels: { app: server } }
  ingress:
  - from: [ { podSelector: { matchLabels: { role: client } } } ]
    ports: [ { port: http } ]
`, `${NS}/allow-clients`);
    assert.equal(await reaches('client-a', NS), true);
    assert.equal(await reaches('client-a', NS, 8081), false);
    assert.equal(await reaches('client-b', NS), false);
    assert.equal(await reaches('client-d', STRANGERS), false, 'a podSelector alone means the policy\'s namespace');
    // Labelling a pod changes only set elements; the next connection is let in.
    await k(['label', 'pod', '-n', NS, 'client-b', 'role=client', '--overwrite']);
    await untilTable((t) => setElements(t, 'p\\d+-in0-peer0').includes(ip.get('client-b')!), 'client-b among the peers');
    assert.equal(await reaches('client-b', NS), true);
    await k(['label', 'pod', '-n', NS, 'client-b', 'role=other', '--overwrite']);
    await untilTable((t) => !setElements(t, 'p\\d+-in0-peer0').includes(ip.get('client-b')!), 'client-b out of the peers');
    assert.equal(await reaches('client-b', NS), false);
  });

  test('namespace selector: a client of the labelled namespace gets in, others do not', { timeout: 60_000 }, async () => {
    await applyPolicy(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-friends, namespace: ${NS} }
spec:
  podSelector: { matchLabels: { app: server } }
  ingress:
  - from: [ { namespaceSelector: { matchLabels: { team: friends } }, podSelector: { matchLabels: { role: client } } } ]
`, `${NS}/allow-friends`);
    assert.equal(await reaches('client-c', FRIENDS), true);
    assert.equal(await reaches('client-c', FRIENDS, 8081), true, 'no ports: every port');
    assert.equal(await reaches('client-d', STRANGERS), false);
  });

  test('ipBlock with except', { timeout: 60_000 }, async () => {
    await applyPolicy(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-block, namespace: ${NS} }
spec:
  podSelector: { matchLabels: { app: server } }
  ingress:
  - from: [ { ipBlock: { cidr: ${cluster.subnet}, except: [ ${ip.get('client-d')}/32 ] } } ]
    ports: [ { protocol: TCP, port: 8081, endPort: 8090 } ]
`, `${NS}/allow-block`);
    assert.equal(await reaches('client-b', NS, 8081), true);
    assert.equal(await reaches('client-b', NS, 8080), false, 'outside the port range');
    assert.equal(await reaches('client-d', STRANGERS, 8081), false, 'excepted');
  });

  test('egress deny: the client cannot reach the server its ingress allows; then egress allowed to it', { timeout: 60_000 }, async () => {
    await applyPolicy(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: deny-egress, namespace: ${FRIENDS} }
spec:
  podSelector: { matchLabels: { role: client } }
  policyTypes: [Egress]
`, `${FRIENDS}/deny-egress`);
    assert.equal(await reaches('client-c', FRIENDS), false);
    await applyPolicy(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: { name: allow-egress-http, namespace: ${FRIENDS} }
spec:
  podSelector: { matchLabels: { role: client } }
  policyTypes: [Egress]
  egress:
  - to: [ { namespaceSelector: { matchLabels: { kubernetes.io/metadata.name: ${NS} } } } ]
    ports: [ { port: http } ]
`, `${FRIENDS}/allow-egress-http`);
    assert.equal(await reaches('client-c', FRIENDS, 8080), true);
    assert.equal(await reaches('client-c', FRIENDS, 8081), false, 'the named port resolves to 8080 on the destination');
  });

  test('deleting the policies opens the traffic again', { timeout: 60_000 }, async () => {
    for (const [ns, name] of [[NS, 'default-deny'], [NS, 'allow-clients'], [NS, 'allow-friends'], [NS, 'allow-block'], [FRIENDS, 'deny-egress'], [FRIENDS, 'allow-egress-http']] as const) {
      await deletePolicy(ns, name);
    }
    await untilTable((t) => setElements(t, 'ingress-isolated').length === 0 && setElements(t, 'egress-isolated').length === 0, 'nobody isolated');
    assert.equal(await reaches('client-d', STRANGERS), true);
    assert.equal(await reaches('client-c', FRIENDS, 8081), true);
  });
});
