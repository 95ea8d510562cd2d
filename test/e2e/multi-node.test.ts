// Two nodes, one pod network (E2): node A is a `skiff up` cluster in the host's network namespace,
// node B a `skiff agent` in a network namespace of its own ("another machine"), linked by a veth
// pair and joined with exactly the line `skiff up` printed (bootstrap token and CA pin). Each
// node routes the other's pod CIDR to it (host-gateway routes), so pods reach each other by pod
// IP and see each other's real address (no NAT). A revoked token and a wrong CA pin cannot join.
import assert from 'node:assert/strict';
import { randomBytes, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { listPodRoutes } from '../../src/cni/routes.ts';
import { apiClient } from './api-helpers.ts';
import { spawnCollect } from './engine-helpers.ts';
import { kubectl, ROOT, waitUntil } from './harness.ts';
import { startTwoNodeCluster, type TwoNodeCluster } from './two-node-cluster.ts';

const hex = randomBytes(3).toString('hex');
// The Service test needs the node's service proxy (src/cli/node-network.ts RUNNERS.proxy).
const HAS_PROXY = !/\bproxy: undefined/.test(readFileSync(join(ROOT, 'src', 'cli', 'node-network.ts'), 'utf8'));

let two: TwoNodeCluster | undefined;
let cluster: TwoNodeCluster['cluster'];
let NODE_A = '';
let NODE_B = '';
let NODE_IP = '';
let HOST_IP = '';
let subnetB = '';
let root = '';

before(async () => {
  two = await startTwoNodeCluster({ label: 'mn', subnetBase: 48, bridgePrefix: 'skiffm', linkBase: 64 });
  ({ cluster, nodeA: NODE_A, nodeB: NODE_B, nodeIP: NODE_IP, hostIP: HOST_IP, subnetB } = two);
  root = join(two.agentDataDir, '..');
});

after(async () => {
  if (!two) return;
  await kubectl('1.33', cluster.server, ['delete', 'pods,services', '--all', '--grace-period=0', '--force']).catch(() => undefined);
  assert.deepEqual(await two.stop(), [], 'host state left behind');
});

const printedJoinLine = (): string[] => two!.joinLine();
const runSkiff = (args: string[], inNodeB = false): Promise<{ code: number; out: string }> => two!.skiff(args, inNodeB);
const inNetns = (argv: string[]): [string, string[]] => two!.inNetns(argv);

async function sh(cmd: string, args: string[]): Promise<string> {
  const r = await spawnCollect(cmd, args, process.env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

// (busybox wget -T crashes with SIGSEGV in this image: kubectl exec's timeout bounds the request instead.)
/** A busybox httpd whose /cgi-bin/ip answers the address the request came from. */
function echoPod(name: string, node: string): string {
  const script = String.raw`mkdir -p /www/cgi-bin && printf '#!/bin/sh\necho Content-Type: text/plain\necho\necho $REMOTE_ADDR\n' > /www/cgi-bin/ip && chmod +x /www/cgi-bin/ip && exec httpd -f -p 8080 -h /www`;
  return `apiVersion: v1
kind: Pod
metadata: { name: ${name}, labels: { app: ${name} } }
spec:
  nodeSelector: { kubernetes.io/hostname: ${node} }
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", ${JSON.stringify(script)}]
    ports: [{ containerPort: 8080 }]
---
`;
}

function ipv4Of(remoteAddr: string): string {
  return /(\d+\.\d+\.\d+\.\d+)/.exec(remoteAddr)?.[1] ?? remoteAddr.trim();
}

async function podIP(name: string): Promise<string> {
  return (await kubectl('1.33', cluster.server, ['get', 'pod', name, '-o', 'jsonpath={.status.podIP}'])).stdout;
}

async function fetchFrom(pod: string, url: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return kubectl('1.33', cluster.server, ['exec', pod, '--', 'wget', '-qO-', url], { timeoutMs: 20_000 });
}

describe('several nodes, one pod network', () => {
  test('skiff up keeps its join token in DATA_DIR/node-token (0600) and lists it', async () => {
    const file = join(cluster.dataDir, 'node-token');
    assert.equal((await stat(file)).mode & 0o777, 0o600);
    const token = readFileSync(file, 'utf8').trim();
    assert.equal(printedJoinLine()[4], token);
    const list = await runSkiff(['token', 'list', '--kubeconfig', cluster.server.kubeconfig]);
    assert.equal(list.code, 0, list.out);
    assert.match(list.out, /^TOKEN\s+TTL\s+EXPIRES\s+USAGES\s+DESCRIPTION\s+EXTRA GROUPS\n/);
    assert.match(list.out, new RegExp(`\\n${token.replace('.', '\\.')}\\s+<forever>\\s+<never>\\s+authentication,signing\\s+The node token`));
  });

  test('anonymous requests read cluster-info only; the join token reaches no more than joining needs', async () => {
    const api = apiClient(cluster.server.kubeconfig);
    const info = await api.request('GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info', { anonymous: true });
    assert.equal(info.status, 200, info.text);
    const ca = readFileSync(join(cluster.dataDir, 'pki', 'ca.crt'), 'utf8');
    const data = (info.json() as { data: Record<string, string> }).data;
    assert.ok(data.kubeconfig!.includes(Buffer.from(ca).toString('base64')));
    // Signed for the node token by the bootstrap-signer controller (what node B checked when it joined).
    const id = readFileSync(join(cluster.dataDir, 'node-token'), 'utf8').slice(0, 6);
    assert.match(data[`jws-kubeconfig-${id}`] ?? '', /^eyJ[\w-]+\.\.[\w-]+$/);
    assert.equal((await api.request('GET', '/api/v1/namespaces/kube-public/configmaps', { anonymous: true })).status, 401);
    assert.equal((await api.request('GET', '/api/v1/namespaces/kube-system/secrets', { anonymous: true })).status, 401);
    const wrong = { anonymous: true, headers: { Authorization: 'Bearer abcdef.0123456789abcdef' } };
    assert.equal((await api.request('GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info', wrong)).status, 401, 'a wrong token is not anonymous');
    const bearer = { anonymous: true, headers: { Authorization: `Bearer ${readFileSync(join(cluster.dataDir, 'node-token'), 'utf8').trim()}` } };
    assert.equal((await api.request('GET', '/api/v1/namespaces/kube-public/configmaps/cluster-info', bearer)).status, 200);
    const secrets = await api.request('GET', '/api/v1/namespaces/kube-system/secrets', bearer);
    assert.equal(secrets.status, 403, secrets.text);
    assert.equal((secrets.json() as { message: string }).message,
      `secrets is forbidden: User "system:bootstrap:${readFileSync(join(cluster.dataDir, 'node-token'), 'utf8').slice(0, 6)}" cannot list resource "secrets" in API group "" in the namespace "kube-system"`);
    assert.equal((await api.request('DELETE', `/api/v1/nodes/${NODE_A}`, bearer)).status, 403);
  });

  test('node B joined as system:node:NAME with a client certificate of its own, and routes go both ways', async () => {
    const kc = readFileSync(join(two!.agentDataDir, 'kubelet.kubeconfig'), 'utf8');
    const cert = Buffer.from(/client-certificate-data: (\S+)/.exec(kc)![1]!, 'base64').toString();
    const x = new X509Certificate(cert);
    assert.match(x.subject, new RegExp(`CN=system:node:${NODE_B}`));
    assert.match(x.subject, /O=system:nodes/);
    // Its network (proxy, DNS, routes…) joined as system:kube-proxy, with a key of its own.
    const proxyKc = readFileSync(join(two!.agentDataDir, 'kube-proxy.kubeconfig'), 'utf8');
    const proxyCert = new X509Certificate(Buffer.from(/client-certificate-data: (\S+)/.exec(proxyKc)![1]!, 'base64').toString());
    assert.equal(proxyCert.subject, 'CN=system:kube-proxy');
    const cidrA = cluster.subnet;
    await waitUntil(async () => (await listPodRoutes('10.42.0.0/16')).some((r) => r.dst === subnetB && r.via === NODE_IP), 30_000, `route to ${subnetB} via ${NODE_IP} on node A`);
    await waitUntil(async () => (await sh(...inNetns(['ip', 'route', 'show', cidrA]))).includes(`via ${HOST_IP}`), 30_000, `route to ${cidrA} via ${HOST_IP} on node B\n${two?.agentLogs().slice(-2000)}`);
  });

  test('routes follow Node objects: a new node gets one, a deleted one loses it, an off-link one gets none', async () => {
    const a = Number(cluster.subnet.split('.')[2]);
    const b = Number(subnetB.split('.')[2]);
    const [ghost, sim] = [48, 49, 50, 51, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63].filter((x) => x !== a && x !== b).map((x) => `10.42.${x}.0/24`) as [string, string];
    const node = (name: string, cidr: string, ip: string): string => JSON.stringify({
      apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: { podCIDR: cidr, podCIDRs: [cidr] },
      status: { addresses: [{ type: 'InternalIP', address: ip }] },
    });
    const names = [`mn-ghost-${hex}`, `mn-sim-${hex}`];
    for (const [name, cidr, ip] of [[names[0]!, ghost, NODE_IP], [names[1]!, sim, '198.18.0.1']] as const) {
      const r = await kubectl('1.33', cluster.server, ['create', '-f', '-'], { input: node(name, cidr, ip) });
      assert.equal(r.code, 0, r.stderr);
    }
    try {
      await waitUntil(async () => (await listPodRoutes('10.42.0.0/16')).some((r) => r.dst === ghost && r.via === NODE_IP), 30_000, `route to ${ghost}`);
      await waitUntil(() => cluster.server.logs().includes(`"node":"${names[1]!}","reason":"its InternalIP 198.18.0.1 cannot be a next hop`), 30_000, 'the simulated node\'s log line');
      assert.equal((await listPodRoutes('10.42.0.0/16')).some((r) => r.dst === sim), false, 'no route to the simulated node');
    } finally {
      await kubectl('1.33', cluster.server, ['delete', 'node', ...names]);
    }
    await waitUntil(async () => !(await listPodRoutes('10.42.0.0/16')).some((r) => r.dst === ghost), 30_000, `route to ${ghost} removed`);
    assert.ok((await listPodRoutes('10.42.0.0/16')).some((r) => r.dst === subnetB), 'node B keeps its route');
  });

  test('a pod on each node: each reaches the other by pod IP and sees its real address (no NAT)', async () => {
    const applied = await kubectl('1.33', cluster.server, ['apply', '-f', '-'], { input: echoPod('near', NODE_A) + echoPod('far', NODE_B) });
    assert.equal(applied.code, 0, applied.stderr);
    const waited = await kubectl('1.33', cluster.server, ['wait', '--for=condition=Ready', 'pod/near', 'pod/far', '--timeout=90s'], { timeoutMs: 100_000 });
    assert.equal(waited.code, 0, `${waited.stderr}\n${two?.agentLogs().slice(-2000)}`);
    const [near, far] = [await podIP('near'), await podIP('far')];
    assert.ok(near.startsWith(cluster.subnet.replace(/0\/24$/, '')), `near ${near} in ${cluster.subnet}`);
    assert.ok(far.startsWith(subnetB.replace(/0\/24$/, '')), `far ${far} in ${subnetB}`);
    const there = await fetchFrom('near', `http://${far}:8080/cgi-bin/ip`);
    assert.equal(there.code, 0, there.stderr);
    // busybox httpd listens on IPv6 and writes IPv4 peers as [::ffff:a.b.c.d].
    assert.equal(ipv4Of(there.stdout), near, 'far saw near\'s own address');
    const back = await fetchFrom('far', `http://${near}:8080/cgi-bin/ip`);
    assert.equal(back.code, 0, back.stderr);
    assert.equal(ipv4Of(back.stdout), far, 'near saw far\'s own address');
  });

  test('a pod on node A reaches a Service whose only endpoint is on node B', { skip: HAS_PROXY ? false : 'needs the service proxy (RUNNERS.proxy)' }, async () => {
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: { name: far }\nspec:\n  selector: { app: far }\n  ports: [{ port: 80, targetPort: 8080 }]\n';
    const applied = await kubectl('1.33', cluster.server, ['apply', '-f', '-'], { input: svc });
    assert.equal(applied.code, 0, applied.stderr);
    const ip = (await kubectl('1.33', cluster.server, ['get', 'service', 'far', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    let last = '';
    await waitUntil(async () => {
      const r = await fetchFrom('near', `http://${ip}/cgi-bin/ip`);
      last = `${r.code} ${r.stdout}${r.stderr}`;
      return r.code === 0 && /\d+\.\d+\.\d+\.\d+/.test(r.stdout);
    }, 30_000, `near → Service far (${ip}) → pod on node B: ${last}`);
    // Pod to Service traffic keeps the pod's address, as kube-proxy's does for sources inside the cluster CIDR.
    assert.equal(ipv4Of(last.slice(2)), await podIP('near'));
  });

  test('a pod on node B finds a Service by name (node B\'s cluster DNS) and reaches its pod on node A', { skip: HAS_PROXY ? false : 'needs the service proxy (RUNNERS.proxy)' }, async () => {
    const svc = 'apiVersion: v1\nkind: Service\nmetadata: { name: near }\nspec:\n  selector: { app: near }\n  ports: [{ port: 80, targetPort: 8080 }]\n';
    const applied = await kubectl('1.33', cluster.server, ['apply', '-f', '-'], { input: svc });
    assert.equal(applied.code, 0, applied.stderr);
    const ip = (await kubectl('1.33', cluster.server, ['get', 'service', 'near', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    let last = '';
    await waitUntil(async () => {
      const r = await kubectl('1.33', cluster.server, ['exec', 'far', '--', 'nslookup', 'near.default.svc.cluster.local'], { timeoutMs: 20_000 });
      last = r.stdout + r.stderr;
      return r.code === 0 && last.split('Name:')[1]?.includes(ip) === true;
    }, 30_000, `far resolves near.default.svc.cluster.local to ${ip}: ${last}`);
    let answer: Awaited<ReturnType<typeof fetchFrom>> | undefined;
    for (const end = Date.now() + 30_000; Date.now() < end && answer?.code !== 0;) answer = await fetchFrom('far', `http://${ip}/cgi-bin/ip`);
    assert.equal(answer?.code, 0, `far → Service near (${ip}) → pod on node A: ${answer?.stdout}${answer?.stderr}`);
    assert.equal(ipv4Of(answer.stdout), await podIP('far'));
  });

  test('a revoked token cannot join', async () => {
    const kubeconfig = cluster.server.kubeconfig;
    const created = await runSkiff(['token', 'create', '--kubeconfig', kubeconfig, '--ttl', '10m', '--description', 'e2e', '--print-join-command']);
    assert.equal(created.code, 0, created.out);
    const line = /skiff (agent --server \S+ --token (\S+) --ca-cert-hash \S+)/.exec(created.out);
    assert.ok(line, created.out);
    const listed = await runSkiff(['token', 'list', '--kubeconfig', kubeconfig]);
    assert.match(listed.out, new RegExp(`${line[2]!.replace('.', '\\.')}\\s+9m\\s+\\S+Z\\s+authentication,signing\\s+e2e\\s+system:bootstrappers:skiff:default-node-token`));
    const deleted = await runSkiff(['token', 'delete', '--kubeconfig', kubeconfig, line[2]!]);
    assert.equal(deleted.code, 0, deleted.out);
    assert.equal(deleted.out, `bootstrap token "${line[2]!.split('.')[0]!}" deleted\n`);
    assert.doesNotMatch((await runSkiff(['token', 'list', '--kubeconfig', kubeconfig])).out, new RegExp(line[2]!.replace('.', '\\.')));
    const joined = await runSkiff([...line[1]!.split(' '), '--node-name', `mn-revoked-${hex}`, '--data-dir', join(root, 'revoked')], true);
    assert.notEqual(joined.code, 0);
    assert.match(joined.out, /does not accept the token \(unknown, revoked or expired\)/);
    const nodes = await kubectl('1.33', cluster.server, ['get', 'node', `mn-revoked-${hex}`]);
    assert.notEqual(nodes.code, 0, 'no Node for the refused agent');
  });

  test('a wrong --ca-cert-hash is refused before anything is sent', async () => {
    const line = printedJoinLine();
    const i = line.indexOf('--ca-cert-hash');
    line[i + 1] = `sha256:${'0'.repeat(64)}`;
    const joined = await runSkiff([...line, '--node-name', `mn-pin-${hex}`, '--data-dir', join(root, 'pin')], true);
    assert.notEqual(joined.code, 0);
    assert.match(joined.out, /the server's CA does not match --ca-cert-hash \(it is sha256:[0-9a-f]{64}, the pinned one is sha256:0{64}\); refusing to trust this server/);
    assert.equal(existsSync(join(root, 'pin', 'kubelet.kubeconfig')), false);
  });
});
