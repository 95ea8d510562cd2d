// Real kernel, real plugins, iptables (nft backend): portmap and ipMasq. Needs root. Uses its own
// bridge and 10.42.251.0/24; host ports are random high ports reached only through loopback.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { NamespacePinner } from '../runtime/netns/namespace-pinner.ts';
import { readLeases } from './host-local-leases.ts';
import { cniChainName } from './iptables-rules.ts';
import { PodNetwork } from './pod-network.ts';
import { cniIptablesLines, linkExists, ping, sh, testBridgeName } from './test-helpers.ts';

const SUBNET = '10.42.251.0/24';
const bridge = testBridgeName();
const NET = 'skiff-pmtest';
let dataDir = '';
let runDir = '';
let pinner: NamespacePinner;
let network: PodNetwork;
let iptablesBefore: string[] = [];
const servers: ChildProcess[] = [];

before(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'skiff-cni-pm-data-'));
  runDir = await mkdtemp(join(tmpdir(), 'skiff-cni-pm-run-'));
  pinner = new NamespacePinner({ runDir });
  network = new PodNetwork({ dataDir, subnet: SUBNET, bridge, networkName: NET, ipMasq: true });
  iptablesBefore = await cniIptablesLines();
});

after(async () => {
  for (const s of servers) s.kill('SIGKILL');
  await network.cleanupNetwork({ force: true });
  for (const entry of await pinner.list()) await pinner.unpin(entry.id);
  assert.equal(await linkExists(bridge), false, 'bridge removed');
  assert.deepEqual(await readLeases(network.leaseDir, NET), []);
  assert.deepEqual(await cniIptablesLines(), iptablesBefore, 'iptables CNI rules as before');
  await rm(dataDir, { recursive: true, force: true });
  await rm(runDir, { recursive: true, force: true });
});

/** A TCP server inside the netns answering "pong <port>" to every connection. */
async function serveInside(netns: string, port: number): Promise<void> {
  const script = `require('net').createServer((s) => s.end('pong ${port}')).listen(${port}, '0.0.0.0', () => console.log('ready'))`;
  const child = spawn('nsenter', [`--net=${netns}`, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  servers.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => resolve());
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
}

function fetchTcp(host: string, port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port, timeout: 3000 });
    let data = '';
    socket.setEncoding('utf8').on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => resolve(data));
    socket.on('timeout', () => socket.destroy(new Error(`timeout connecting to ${host}:${port}`)));
    socket.on('error', reject);
  });
}

const hostPort = 30000 + Math.floor(Math.random() * 9000);

test('portmap: a host port on 127.0.0.1 reaches the server inside the pod', async () => {
  const ns = await pinner.pin('pm-a');
  const started = performance.now();
  const status = await network.setup({ id: 'pm-a', netnsPath: ns.net ?? '', portMappings: [{ hostPort, containerPort: 8080, protocol: 'tcp' }] });
  const addMs = performance.now() - started;
  await serveInside(ns.net ?? '', 8080);
  assert.equal(await fetchTcp(status.ip, 8080), 'pong 8080', 'direct to the pod');
  assert.equal(await fetchTcp('127.0.0.1', hostPort), 'pong 8080', 'through the host port on loopback');
  assert.equal(await fetchTcp(status.gateway ?? '', hostPort), 'pong 8080', 'through the host port on the bridge address');
  await network.check('pm-a');
  const dnatChain = cniChainName(NET, 'pm-a', 'DN-');
  const masqChain = cniChainName(NET, 'pm-a');
  const lines = (await cniIptablesLines()).join('\n');
  assert.ok(lines.includes(dnatChain) && lines.includes(masqChain), 'portmap and ipMasq chains exist');

  const delStarted = performance.now();
  await network.teardown('pm-a');
  console.log(`# portmap+ipMasq timing (one run, ms): setup ${addMs.toFixed(1)}, teardown ${(performance.now() - delStarted).toFixed(1)}`);
  const after = (await cniIptablesLines()).join('\n');
  assert.ok(!after.includes(dnatChain) && !after.includes(masqChain), 'DEL removed the per-pod chains');
  await assert.rejects(fetchTcp('127.0.0.1', hostPort));
  await network.teardown('pm-a');
  await pinner.unpin('pm-a');
});

test('ipMasq: when the netns vanished before DEL, the per-pod masquerade chain is still removed', async () => {
  const ns = await pinner.pin('pm-b');
  const status = await network.setup({ id: 'pm-b', netnsPath: ns.net ?? '' });
  assert.ok(await ping(status.ip));
  const masqChain = cniChainName(NET, 'pm-b');
  assert.ok((await sh('iptables', ['-t', 'nat', '-S', masqChain])).ok);
  await pinner.unpin('pm-b');
  await network.teardown('pm-b');
  assert.equal((await sh('iptables', ['-t', 'nat', '-S', masqChain])).ok, false);
  assert.deepEqual(await readLeases(network.leaseDir, NET), []);
});
