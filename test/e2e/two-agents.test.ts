// Seed B4 on real node agents: `skiff server` plus two `skiff agent` processes that join it with a
// bearer token, one offering 1.25 GiB of memory and the other 2 GiB. A pod whose two containers
// request 1 GiB and 0.5 GiB is placed whole on the second node and runs there; a pod that fits on
// no node stays Pending with a FailedScheduling event that says why.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseQuantity } from '../../src/api/validation/quantity.ts';
import { cgroupDirs, removeCgroup } from '../../src/runtime/cgroups.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { mountPoints } from '../../src/runtime/mounts/mountinfo.ts';
import { freePort, kubectl, removeDir, ROOT, startServer, tempDir, waitUntil } from './harness.ts';
import type { RunningServer } from './harness.ts';

const ENTRY = join(ROOT, 'src', 'cmd', 'skiff.ts');
const hex = randomBytes(3).toString('hex');
// One token per agent, each naming its node: the Node authorizer lets a node change only itself.
const TOKENS = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];

interface Agent { name: string; dataDir: string; cgroupRoot: string; proc: ChildProcess; out: () => string; exited: Promise<void> }

let server: RunningServer;
let root: string;
const agents: Agent[] = [];

async function startAgent(i: number, memory: string): Promise<Agent> {
  const name = `b4-node${i}-${hex}`;
  const dataDir = join(root, `agent${i}`);
  const cgroupRoot = `/skiff-e2e-b4-${hex}-${i}`;
  const tokenFile = join(root, `agent-token-${i}`);
  await writeFile(tokenFile, `${TOKENS[i - 1]!}\n`, { mode: 0o600 });
  const subnet = `10.42.${208 + i * 4 + (randomBytes(1)[0]! % 4)}.0/24`;
  const proc = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'agent',
    '--server', server.url, '--token-file', tokenFile, '--ca-file', join(server.dataDir, 'pki', 'ca.crt'),
    '--node-name', name, '--node-ip', '127.0.0.1', '--data-dir', dataDir, '--allocatable-memory', memory,
    '--pod-subnet', subnet, '--bridge', `skiffb${hex}${i}`, '--cgroup-root', cgroupRoot,
    '--port', String(await freePort()), '--log-level', 'warn', '--disable', 'proxy,dns,routes,network-policy,ingress'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return { name, dataDir, cgroupRoot, proc, out: () => out, exited };
}

before(async () => {
  root = await tempDir('e2e-b4');
  const tokens = join(root, 'tokens.csv');
  await writeFile(tokens, TOKENS.map((t, i) => `${t},system:node:b4-node${i + 1}-${hex},node${i + 1}-uid,"system:nodes"\n`).join(''), { mode: 0o600 });
  server = await startServer({ dataDir: join(root, 'server'), extraArgs: ['--token-file', tokens] });
  agents.push(await startAgent(1, '1.25Gi'), await startAgent(2, '2Gi'));
  for (const a of agents) {
    await waitUntil(async () => {
      const r = await kubectl('1.33', server, ['get', 'node', a.name, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
      return r.stdout === 'True';
    }, 60_000, `node ${a.name} Ready\n${a.out()}`);
  }
});

after(async () => {
  await kubectl('1.33', server, ['delete', 'pods', '--all', '--grace-period=0', '--force']).catch(() => undefined);
  for (const a of agents) {
    await waitUntil(async () => {
      const e = await Engine.open({ dataDir: join(a.dataDir, 'engine') });
      return (await e.sandboxes.list()).length === 0;
    }, 20_000, `${a.name} removed its pods`).catch(() => undefined);
    a.proc.kill('SIGINT');
    await a.exited;
  }
  await server.stop();
  const left: string[] = [];
  for (const a of agents) {
    const engine = await Engine.open({ dataDir: join(a.dataDir, 'engine') });
    await engine.reset();
    await removeCgroup(a.cgroupRoot, a.cgroupRoot).catch(() => undefined);
    left.push(...cgroupDirs(a.cgroupRoot).filter((d) => existsSync(d)));
  }
  left.push(...mountPoints().filter((m) => m.startsWith(root)));
  await removeDir(root);
  assert.deepEqual(left, [], 'host state left behind');
});

const podYaml = (name: string, first: string, second: string): string => `apiVersion: v1
kind: Pod
metadata: { name: ${name} }
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - { name: a, image: busybox, command: ["sleep", "3600"], resources: { requests: { memory: ${first} } } }
  - { name: b, image: busybox, command: ["sleep", "3600"], resources: { requests: { memory: ${second} } } }
`;

describe('B4: the pod is the unit of scheduling, on two real node agents', () => {
  test('nodes joined with a bearer token report the allocatable memory they were given', async () => {
    const r = await kubectl('1.33', server, ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name}={.status.allocatable.memory}{"\\n"}{end}']);
    const given = new Map(r.stdout.trim().split('\n').map((l) => l.split('=') as [string, string]));
    assert.equal(parseQuantity(given.get(agents[0]!.name) ?? ''), 1.25 * 2 ** 30);
    assert.equal(given.get(agents[0]!.name), '1280Mi', 'stored in canonical form, as the API server would');
    assert.equal(parseQuantity(given.get(agents[1]!.name) ?? ''), 2 * 2 ** 30);
  });

  test('1 GiB + 0.5 GiB lands whole on the 2 GiB node and runs there', async () => {
    const applied = await kubectl('1.33', server, ['apply', '-f', '-'], { input: podYaml('b4', '1Gi', '512Mi') });
    assert.equal(applied.code, 0, applied.stderr);
    const waited = await kubectl('1.33', server, ['wait', '--for=condition=Ready', 'pod/b4', '--timeout=60s'], { timeoutMs: 70_000 });
    assert.equal(waited.code, 0, `${waited.stderr}\n${agents[1]!.out().slice(-2000)}`);
    const node = await kubectl('1.33', server, ['get', 'pod', 'b4', '-o', 'jsonpath={.spec.nodeName} {.status.containerStatuses[*].ready}']);
    assert.equal(node.stdout, `${agents[1]!.name} true true`);
  });

  test('a pod no node has room for stays Pending with FailedScheduling naming Insufficient memory', async () => {
    const applied = await kubectl('1.33', server, ['apply', '-f', '-'], { input: podYaml('toobig', '2Gi', '1Gi') });
    assert.equal(applied.code, 0, applied.stderr);
    let message = '';
    await waitUntil(async () => {
      const r = await kubectl('1.33', server, ['get', 'events', '--field-selector', 'involvedObject.name=toobig,reason=FailedScheduling', '-o', 'jsonpath={.items[*].message}']);
      message = r.stdout;
      return message !== '';
    }, 20_000, 'a FailedScheduling event');
    assert.match(message, /0\/\d+ nodes are available: .*Insufficient memory/);
    const phase = await kubectl('1.33', server, ['get', 'pod', 'toobig', '-o', 'jsonpath={.status.phase} {.spec.nodeName}']);
    assert.equal(phase.stdout.trim(), 'Pending');
  });
});
