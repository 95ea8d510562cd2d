// A second machine, played by a network namespace: `skiff agent` runs inside it (its own loopback,
// bridge, pod subnet and iptables), reaches the API server over a veth pair, and the API server
// reaches the agent's kubelet server back over the same link. A pod bound to that node runs there,
// gets an IP from that node's pod CIDR, and kubectl logs and exec go through the API server.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { cgroupDirs, removeCgroup } from '../../src/runtime/cgroups.ts';
import { mountPoints } from '../../src/runtime/mounts/mountinfo.ts';
import { spawnCollect } from './engine-helpers.ts';
import { kubectl, removeDir, ROOT, startServer, tempDir, waitUntil } from './harness.ts';
import type { RunningServer } from './harness.ts';

const ENTRY = join(ROOT, 'src', 'cmd', 'skiff.ts');
const hex = randomBytes(3).toString('hex');
const NETNS = `skiffn${hex}`;
const HOST_VETH = `skvh${hex}`;
const NS_VETH = `skvn${hex}`;
// A /30 link between the host and the namespace "machine", inside skiff's own 10.42.0.0/16 range.
const LINK = 248 + (randomBytes(1)[0]! % 8);
const HOST_IP = `10.42.${LINK}.1`;
const NODE_IP = `10.42.${LINK}.2`;
const TOKEN = randomBytes(16).toString('hex');
const NODE = `netns-node-${hex}`;
const cgroupRoot = `/skiff-e2e-netns-${hex}`;

let root: string;
let server: RunningServer;
let agent: { proc: ChildProcess; out: () => string; exited: Promise<void> } | undefined;

async function sh(cmd: string, args: string[]): Promise<string> {
  const r = await spawnCollect(cmd, args, process.env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

/** Runs a command in the namespace's network only (ip netns exec would also replace /sys, hiding the cgroups). */
const inNetns = (argv: string[]): [string, string[]] => ['nsenter', [`--net=/run/netns/${NETNS}`, ...argv]];

before(async () => {
  root = await tempDir('e2e-netns');
  await sh('ip', ['netns', 'add', NETNS]);
  await sh('ip', ['link', 'add', HOST_VETH, 'type', 'veth', 'peer', 'name', NS_VETH]);
  await sh('ip', ['link', 'set', NS_VETH, 'netns', NETNS]);
  await sh('ip', ['addr', 'add', `${HOST_IP}/30`, 'dev', HOST_VETH]);
  await sh('ip', ['link', 'set', HOST_VETH, 'up']);
  await sh(...inNetns(['ip', 'addr', 'add', `${NODE_IP}/30`, 'dev', NS_VETH]));
  await sh(...inNetns(['ip', 'link', 'set', NS_VETH, 'up']));
  await sh(...inNetns(['ip', 'link', 'set', 'lo', 'up']));

  const tokens = join(root, 'tokens.csv');
  await writeFile(tokens, `${TOKEN},system:node:${NODE},${NODE}-uid,"system:nodes"\n`, { mode: 0o600 });
  // The API server listens on the host's end of the link, where the namespace can reach it.
  server = await startServer({ dataDir: join(root, 'server'), listen: `${HOST_IP}:0`, extraArgs: ['--token-file', tokens] });
  const tokenFile = join(root, 'token');
  await writeFile(tokenFile, TOKEN, { mode: 0o600 });
  const [cmd, args] = inNetns([process.execPath, '--import', 'tsx', ENTRY, 'agent', '--server', server.url, '--token-file', tokenFile,
    '--ca-file', join(server.dataDir, 'pki', 'ca.crt'), '--node-name', NODE, '--node-ip', NODE_IP, '--port', '10250',
    '--data-dir', join(root, 'agent'), '--bridge', `skiffm${hex}`, '--cgroup-root', cgroupRoot, '--log-level', 'warn']);
  const proc = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  agent = { proc, out: () => out, exited: new Promise<void>((r) => proc.once('exit', () => r())) };
  await waitUntil(async () => {
    const r = await kubectl('1.33', server, ['get', 'node', NODE, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
    return r.stdout === 'True';
  }, 60_000, `node ${NODE} Ready\n${out}`);
});

after(async () => {
  if (server) await kubectl('1.33', server, ['delete', 'pods', '--all', '--grace-period=0', '--force']).catch(() => undefined);
  if (agent) {
    agent.proc.kill('SIGINT');
    await agent.exited;
  }
  // What the agent leaves running when it stops goes with an engine reset inside the namespace.
  const reset = `const { Engine } = await import(${JSON.stringify(join(ROOT, 'src', 'runtime', 'engine.ts'))}); const e = await Engine.open({ dataDir: ${JSON.stringify(join(root, 'agent', 'engine'))} }); await e.reset();`;
  if (existsSync(join(root, 'agent', 'engine'))) await sh(...inNetns([process.execPath, '--import', 'tsx', '--input-type=module', '-e', reset]));
  await server?.stop();
  await sh('ip', ['link', 'del', HOST_VETH]).catch(() => undefined);
  await sh('ip', ['netns', 'del', NETNS]).catch(() => undefined);
  await removeCgroup(cgroupRoot, cgroupRoot).catch(() => undefined);
  const left = [...cgroupDirs(cgroupRoot).filter((d) => existsSync(d)), ...mountPoints().filter((m) => m.startsWith(root))];
  if (existsSync(`/sys/class/net/${HOST_VETH}`)) left.push(`veth ${HOST_VETH}`);
  await removeDir(root);
  assert.deepEqual(left, [], 'host state left behind');
});

describe('a second node: skiff agent in its own network namespace', () => {
  test('it registers with its own address and a pod CIDR of its own', async () => {
    const r = await kubectl('1.33', server, ['get', 'node', NODE, '-o', 'jsonpath={.status.addresses[?(@.type=="InternalIP")].address} {.spec.podCIDR}']);
    assert.match(r.stdout, new RegExp(`^${NODE_IP.replace(/\./g, '\\.')} 10\\.42\\.\\d+\\.0/24$`));
  });

  test('a pod runs there with an IP from that CIDR; logs and exec reach it through the API server', async () => {
    const pod = `apiVersion: v1
kind: Pod
metadata: { name: far }
spec:
  nodeSelector: { kubernetes.io/hostname: ${NODE} }
  terminationGracePeriodSeconds: 0
  containers:
  - { name: main, image: busybox, command: ["sh", "-c", "echo hello from $(hostname); exec sleep 3600"] }
`;
    const applied = await kubectl('1.33', server, ['apply', '-f', '-'], { input: pod });
    assert.equal(applied.code, 0, applied.stderr);
    const waited = await kubectl('1.33', server, ['wait', '--for=condition=Ready', 'pod/far', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(waited.code, 0, `${waited.stderr}\n${agent?.out().slice(-2000)}`);
    const ips = await kubectl('1.33', server, ['get', 'pod', 'far', '-o', 'jsonpath={.spec.nodeName} {.status.hostIP} {.status.podIP}']);
    const cidr = (await kubectl('1.33', server, ['get', 'node', NODE, '-o', 'jsonpath={.spec.podCIDR}'])).stdout;
    const prefix = cidr.replace(/\.0\/24$/, '.');
    assert.match(ips.stdout, new RegExp(`^${NODE} ${NODE_IP.replace(/\./g, '\\.')} ${prefix.replace(/\./g, '\\.')}\\d+$`));
    // The pod's address is on the namespace's bridge, not the host's.
    const route = await sh(...inNetns(['ip', 'route', 'get', ips.stdout.split(' ')[2]!]));
    assert.match(route, new RegExp(`dev skiffm${hex}`));
    const logs = await kubectl('1.33', server, ['logs', 'far']);
    assert.equal(logs.stdout, 'hello from far\n', logs.stderr);
    const exec = await kubectl('1.33', server, ['exec', 'far', '--', 'cat', '/etc/hostname']);
    assert.equal(exec.stdout.trim(), 'far', exec.stderr);
  });
});
