// The rendered table in a real kernel, on real packets, never in the host's network namespace:
// the test makes a "node" namespace with a bridge (br_netfilter on, as on skiff's nodes), three
// "pods" on it, and a "remote" host routed through the node; each runs a small agent that serves
// TCP/UDP ports and makes connections on request. Policies are turned into scripts exactly as the
// component does and applied inside the node namespace with `nft -f -`.
import assert from 'node:assert/strict';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createInterface } from 'node:readline';
import { after, before, test } from 'node:test';
import type { KubeObject } from '../api/meta.ts';
import type { Pod } from '../api/types/core-v1.ts';
import type { NetworkPolicy, NetworkPolicySpec } from '../api/types/networking-v1-network-policy.ts';
import { runCommand } from '../runtime/netns/run-command.ts';
import { runProcess } from '../runtime/spawner/run-process.ts';
import { buildNodePolicyModel } from './policy-model.ts';
import { fullScript, incrementalScript, netpolTableName, renderTable, type RenderedTable } from './render.ts';

const HEX = randomBytes(3).toString('hex');
const NS = { node: `skifftest${HEX}-node`, a: `skifftest${HEX}-a`, b: `skifftest${HEX}-b`, c: `skifftest${HEX}-c`, remote: `skifftest${HEX}-r` };
const TABLE = netpolTableName(`skifftest${HEX}`);
const GW = '10.42.80.1';
const IP = { a: '10.42.80.2', b: '10.42.80.3', c: '10.42.80.4', remote: '10.42.81.2' };
const SERVER_TCP = [8080, 9090];
const SERVER_UDP = [5353];

// One agent per namespace: serves the ports it is given and answers "connect" requests on stdin.
const AGENT = `
const net = require('net'), dgram = require('dgram'), readline = require('readline');
const [tcp, udp] = [JSON.parse(process.argv[1]), JSON.parse(process.argv[2])];
let pending = tcp.length + udp.length;
const up = () => { if (--pending <= 0) console.log(JSON.stringify({ ready: true })); };
if (pending === 0) { pending = 1; up(); }
for (const p of tcp) net.createServer((s) => s.end('ok')).listen(p, '0.0.0.0', up);
for (const p of udp) { const s = dgram.createSocket('udp4'); s.on('message', (m, r) => s.send('ok', r.port, r.address)); s.bind(p, '0.0.0.0', up); }
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  const q = JSON.parse(line);
  const reply = (ok) => { if (q.done) return; q.done = true; console.log(JSON.stringify({ id: q.id, ok })); };
  setTimeout(() => reply(false), q.timeout);
  if (q.proto === 'tcp') {
    const s = net.connect(q.port, q.host);
    s.on('data', () => { reply(true); s.destroy(); });
    s.on('error', () => reply(false));
    setTimeout(() => s.destroy(), q.timeout);
  } else {
    const s = dgram.createSocket('udp4');
    s.on('message', () => { reply(true); s.close(); });
    s.send('hi', q.port, q.host);
    setTimeout(() => { try { s.close(); } catch {} }, q.timeout);
  }
});
`;

class Agent {
  readonly #proc: ChildProcessWithoutNullStreams;
  readonly #waiters = new Map<number, (ok: boolean) => void>();
  #next = 1;
  readonly ready: Promise<void>;

  constructor(netns: string, tcp: number[], udp: number[]) {
    this.#proc = spawn('ip', ['netns', 'exec', netns, process.execPath, '-e', AGENT, JSON.stringify(tcp), JSON.stringify(udp)]);
    let markReady: () => void = () => undefined;
    this.ready = new Promise((resolve) => { markReady = resolve; });
    createInterface({ input: this.#proc.stdout }).on('line', (line) => {
      const msg = JSON.parse(line) as { ready?: boolean; id?: number; ok?: boolean };
      if (msg.ready) markReady();
      else if (msg.id !== undefined) this.#waiters.get(msg.id)?.(msg.ok === true);
    });
    this.#proc.stderr.on('data', (d: Buffer) => process.stderr.write(d));
  }

  /** True when a connection (TCP) or an answer (UDP) got through within the timeout. */
  connect(host: string, port: number, proto: 'tcp' | 'udp' = 'tcp'): Promise<boolean> {
    const id = this.#next++;
    return new Promise((resolve) => {
      this.#waiters.set(id, resolve);
      this.#proc.stdin.write(`${JSON.stringify({ id, host, port, proto, timeout: 700 })}\n`);
    });
  }

  async stop(): Promise<void> {
    if (this.#proc.exitCode !== null) return;
    const exited = new Promise((r) => this.#proc.once('exit', r));
    this.#proc.kill('SIGTERM');
    await exited;
  }
}

async function sh(...args: string[]): Promise<void> {
  const r = await runCommand(args[0]!, args.slice(1));
  if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr.trim()}`);
}

async function nftInNode(script: string): Promise<void> {
  const r = await runProcess('ip', ['netns', 'exec', NS.node, 'nft', '-f', '-'], { input: script });
  if (r.code !== 0) throw new Error(`nft -f - in ${NS.node}: ${r.stderr.toString()}\n${script}`);
}

function pod(name: string, ip: string, labels: Record<string, string>, ports: Array<{ name: string; containerPort: number; protocol?: 'TCP' | 'UDP' }> = []): Pod {
  return { metadata: { name, namespace: 'app', labels }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'x', ports }] }, status: { phase: 'Running', podIP: ip } };
}

const NAMESPACES: KubeObject[] = [{ metadata: { name: 'app', labels: { 'kubernetes.io/metadata.name': 'app' } } }];
let pods: Pod[] = [];
let applied: RenderedTable | undefined;

/** Renders the policies as the component does and applies them; returns whether it went incrementally. */
async function enforce(specs: NetworkPolicySpec[]): Promise<boolean> {
  const policies: NetworkPolicy[] = specs.map((spec, i) => ({ metadata: { name: `p${i}`, namespace: 'app' }, spec }));
  const next = renderTable(TABLE, buildNodePolicyModel({ nodeName: 'n1', policies, pods, namespaces: NAMESPACES }));
  const inc = applied ? incrementalScript(TABLE, applied, next) : undefined;
  if (inc === undefined) await nftInNode(fullScript(TABLE, next));
  else if (inc !== '') await nftInNode(inc);
  applied = next;
  return inc !== undefined;
}

const agents: Record<'node' | 'a' | 'b' | 'c' | 'remote', Agent | undefined> = { node: undefined, a: undefined, b: undefined, c: undefined, remote: undefined };
const agent = (k: keyof typeof agents): Agent => agents[k]!;

before(async () => {
  for (const ns of Object.values(NS)) await sh('ip', 'netns', 'add', ns);
  const inNode = (...args: string[]): Promise<void> => sh('ip', 'netns', 'exec', NS.node, ...args);
  await inNode('ip', 'link', 'set', 'lo', 'up');
  await inNode('ip', 'link', 'add', 'br0', 'type', 'bridge');
  await inNode('ip', 'addr', 'add', `${GW}/24`, 'dev', 'br0');
  await inNode('ip', 'link', 'set', 'br0', 'up');
  await inNode('sysctl', '-qw', 'net.ipv4.ip_forward=1');
  // Per namespace, and what skiff's nodes run with: bridged traffic passes the ip hooks.
  await inNode('sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=1');
  for (const k of ['a', 'b', 'c'] as const) {
    const host = `v${k}${HEX}`;
    await sh('ip', 'link', 'add', host, 'netns', NS.node, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS[k]);
    await inNode('ip', 'link', 'set', host, 'master', 'br0', 'up');
    const inPod = (...args: string[]): Promise<void> => sh('ip', 'netns', 'exec', NS[k], ...args);
    await inPod('ip', 'link', 'set', 'lo', 'up');
    await inPod('ip', 'addr', 'add', `${IP[k]}/24`, 'dev', 'eth0');
    await inPod('ip', 'link', 'set', 'eth0', 'up');
    await inPod('ip', 'route', 'add', 'default', 'via', GW);
  }
  // A host beyond the node, routed (not bridged): the ipBlock peer.
  await sh('ip', 'link', 'add', `vr${HEX}`, 'netns', NS.node, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', NS.remote);
  await inNode('ip', 'addr', 'add', '10.42.81.1/30', 'dev', `vr${HEX}`);
  await inNode('ip', 'link', 'set', `vr${HEX}`, 'up');
  const inRemote = (...args: string[]): Promise<void> => sh('ip', 'netns', 'exec', NS.remote, ...args);
  await inRemote('ip', 'link', 'set', 'lo', 'up');
  await inRemote('ip', 'addr', 'add', `${IP.remote}/30`, 'dev', 'eth0');
  await inRemote('ip', 'link', 'set', 'eth0', 'up');
  await inRemote('ip', 'route', 'add', '10.42.80.0/24', 'via', '10.42.81.1');

  agents.node = new Agent(NS.node, [7000], []);
  agents.a = new Agent(NS.a, [8080], []);
  agents.b = new Agent(NS.b, SERVER_TCP, SERVER_UDP);
  agents.c = new Agent(NS.c, [], []);
  agents.remote = new Agent(NS.remote, [], []);
  await Promise.all(Object.values(agents).map((x) => x!.ready));
  pods = [
    pod('a', IP.a, { role: 'client' }),
    pod('b', IP.b, { role: 'server' }, [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 5353, protocol: 'UDP' }]),
    pod('c', IP.c, { role: 'other' }),
  ];
});

after(async () => {
  for (const a of Object.values(agents)) await a?.stop();
  // Deleting the namespaces takes their links, bridge and nft table with them.
  for (const ns of Object.values(NS)) await runCommand('ip', ['netns', 'del', ns]);
  const left = (await runCommand('ip', ['netns', 'list'])).stdout.split('\n').filter((l) => l.includes(`skifftest${HEX}`));
  assert.deepEqual(left, [], 'no network namespace left');
});

test('no policy: everything connects', async () => {
  await enforce([]);
  assert.equal(await agent('a').connect(IP.b, 8080), true);
  assert.equal(await agent('c').connect(IP.b, 9090), true);
  assert.equal(await agent('remote').connect(IP.b, 8080), true);
  assert.equal(await agent('a').connect(IP.b, 5353, 'udp'), true);
});

test('default deny ingress: dropped, but the node itself and replies to the pod\'s own connections pass', async () => {
  await enforce([{ podSelector: { matchLabels: { role: 'server' } }, policyTypes: ['Ingress'] }]);
  assert.equal(await agent('a').connect(IP.b, 8080), false);
  assert.equal(await agent('c').connect(IP.b, 8080), false);
  assert.equal(await agent('remote').connect(IP.b, 8080), false);
  assert.equal(await agent('a').connect(IP.b, 5353, 'udp'), false, 'no UDP either');
  assert.equal(await agent('node').connect(IP.b, 8080), true, 'the node reaches its pods (kubelet probes)');
  assert.equal(await agent('b').connect(IP.a, 8080), true, 'the isolated pod\'s own connection and its replies');
});

test('allow from one label on a named port: that client on that port only', async () => {
  await enforce([
    { podSelector: { matchLabels: { role: 'server' } }, policyTypes: ['Ingress'] },
    { podSelector: { matchLabels: { role: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ protocol: 'TCP', port: 'http' }] }] },
  ]);
  assert.equal(await agent('a').connect(IP.b, 8080), true);
  assert.equal(await agent('a').connect(IP.b, 9090), false);
  assert.equal(await agent('c').connect(IP.b, 8080), false);
});

test('a pod gaining the label is let in by an incremental update of the sets', async () => {
  pods = pods.map((p) => (p.metadata.name === 'c' ? { ...p, metadata: { ...p.metadata, labels: { role: 'client' } } } : p));
  const incremental = await enforce([
    { podSelector: { matchLabels: { role: 'server' } }, policyTypes: ['Ingress'] },
    { podSelector: { matchLabels: { role: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ protocol: 'TCP', port: 'http' }] }] },
  ]);
  assert.equal(incremental, true);
  assert.equal(await agent('c').connect(IP.b, 8080), true);
  pods = pods.map((p) => (p.metadata.name === 'c' ? { ...p, metadata: { ...p.metadata, labels: { role: 'other' } } } : p));
});

test('port ranges and protocols: endPort, UDP by number', async () => {
  await enforce([{ podSelector: { matchLabels: { role: 'server' } }, ingress: [{ ports: [{ protocol: 'TCP', port: 8000, endPort: 8100 }, { protocol: 'UDP', port: 'dns' }] }] }]);
  assert.equal(await agent('c').connect(IP.b, 8080), true);
  assert.equal(await agent('c').connect(IP.b, 9090), false);
  assert.equal(await agent('c').connect(IP.b, 5353, 'udp'), true);
  await enforce([{ podSelector: { matchLabels: { role: 'server' } }, ingress: [{ ports: [{ protocol: 'TCP', port: 5353 }] }] }]);
  assert.equal(await agent('c').connect(IP.b, 5353, 'udp'), false, 'a TCP port does not open UDP');
});

test('ipBlock with except on routed traffic', async () => {
  await enforce([{ podSelector: { matchLabels: { role: 'server' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.42.81.0/24' } }] }] }]);
  assert.equal(await agent('remote').connect(IP.b, 8080), true);
  assert.equal(await agent('a').connect(IP.b, 8080), false);
  await enforce([{ podSelector: { matchLabels: { role: 'server' } }, ingress: [{ from: [{ ipBlock: { cidr: '10.42.81.0/24', except: [`${IP.remote}/32`] } }] }] }]);
  assert.equal(await agent('remote').connect(IP.b, 8080), false);
});

test('egress deny: the client reaches neither pods nor the node; others still reach it', async () => {
  await enforce([{ podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'] }]);
  assert.equal(await agent('a').connect(IP.b, 8080), false);
  assert.equal(await agent('a').connect(IP.remote, 1), false);
  assert.equal(await agent('a').connect(GW, 7000), false, 'pod to its node goes through input');
  assert.equal(await agent('c').connect(IP.a, 8080), true, 'ingress to the client is not isolated');
});

test('egress allowed to one pod and port, both ends isolated', async () => {
  await enforce([
    { podSelector: { matchLabels: { role: 'client' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { role: 'server' } } }], ports: [{ port: 'http' }] }] },
    { podSelector: { matchLabels: { role: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }] }] },
  ]);
  assert.equal(await agent('a').connect(IP.b, 8080), true);
  assert.equal(await agent('a').connect(IP.b, 9090), false, 'the egress port does not match');
  assert.equal(await agent('c').connect(IP.b, 8080), false, 'the server\'s ingress does not allow c');
  assert.equal(await agent('a').connect(IP.c, 8080), false);
});

test('a Service address DNATed at prerouting is judged by the pod it leads to', async () => {
  // What the service proxy does (its own table, dstnat at prerouting); policies run after it.
  const proxy = `skifftest${HEX}-proxy`;
  await nftInNode(`table ip ${proxy} {\n  chain prerouting {\n    type nat hook prerouting priority dstnat; policy accept;\n    ip daddr 10.43.80.10 tcp dport 80 dnat to ${IP.b}:8080\n  }\n}\n`);
  await enforce([{ podSelector: { matchLabels: { role: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }], ports: [{ port: 'http' }] }] }]);
  assert.equal(await agent('a').connect('10.43.80.10', 80), true, 'allowed client through the Service');
  assert.equal(await agent('c').connect('10.43.80.10', 80), false, 'other client through the Service');
  // Egress rules name the pod behind the Service, not the Service address.
  await enforce([{ podSelector: { matchLabels: { role: 'other' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { role: 'server' } } }], ports: [{ port: 8080 }] }] }]);
  assert.equal(await agent('c').connect('10.43.80.10', 80), true, 'egress to the server pod\'s port, via the Service');
  assert.equal(await agent('c').connect(IP.a, 8080), false);
  await nftInNode(`delete table ip ${proxy}\n`);
});
