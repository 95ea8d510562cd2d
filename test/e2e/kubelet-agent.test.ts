// `skiff agent` as its own process against a real `skiff server`, authenticated by a bearer token
// from --token-file and verifying the server with --ca-file: the node registers, runs a pod, and
// Ctrl-C stops the agent while the pod's containers keep running; a new agent adopts them (D4).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Node } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import { ENTRY, makeEngineEnv, type EngineTestEnv } from './engine-helpers.ts';
import { removeDir, ROOT, startServer, waitUntil, type RunningServer } from './harness.ts';
import { busyboxPod, containerIdOf, podsClient, running, waitForPod } from './kubelet-helpers.ts';

let server: RunningServer;
let env: EngineTestEnv;
let cs: Clientset;
const nodeName = 'agent-node';

before(async () => {
  env = await makeEngineEnv('agent');
  const tokens = join(env.root, 'tokens.csv');
  writeFileSync(tokens, `agent-secret-token,system:node:${nodeName},node-uid,"system:nodes"\n`);
  writeFileSync(join(env.root, 'token'), 'agent-secret-token\n');
  server = await startServer({ extraArgs: ['--token-file', tokens] });
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'agent-e2e');
});

after(async () => {
  await server?.stop();
  await env?.cleanup();
  if (server) await removeDir(server.dataDir);
});

interface Agent { proc: ChildProcess; output: () => string; exited: Promise<number | null> }

function startAgent(): Agent {
  const args = [
    '--import', 'tsx', ENTRY, 'agent',
    '--server', server.url,
    '--token-file', join(env.root, 'token'),
    '--ca-file', join(server.dataDir, 'pki', 'ca.crt'),
    '--node-name', nodeName,
    '--node-ip', '127.0.0.1',
    '--data-dir', join(env.root, 'agent'),
    '--engine-data-dir', env.dataDir,
    '--pod-subnet', env.subnet,
    '--cgroup-root', env.cgroupRoot,
    '--bridge', env.bridge,
    '--allocatable-memory', '1Gi',
    // The node agent alone: none of the node's network (its rules would outlive the agent in the host).
    '--disable', 'proxy,dns,routes,network-policy,ingress',
    '--allocatable-cpu', '1500m',
    '--port', '0',
    '--log-level', 'warn',
  ];
  const proc = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
  return { proc, output: () => out, exited };
}

async function stopAgent(a: Agent): Promise<number | null> {
  a.proc.kill('SIGINT');
  const timer = setTimeout(() => a.proc.kill('SIGKILL'), 20_000);
  const code = await a.exited;
  clearTimeout(timer);
  return code;
}

test('skiff agent joins with a token, runs a pod, stops cleanly on Ctrl-C and adopts the pod when it comes back', async () => {
  let agent = startAgent();
  try {
    const nodes = cs.resource<Node>('v1', 'nodes');
    await waitUntil(async () => {
      const n = await nodes.get(undefined, nodeName).catch(() => undefined);
      return n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
    }, 30_000, `node ${nodeName} Ready`).catch((err: Error) => { throw new Error(`${err.message}\n${agent.output()}`); });
    const node = await nodes.get(undefined, nodeName);
    assert.equal(node.status!.allocatable!.memory, '1Gi');
    assert.equal(node.status!.allocatable!.cpu, '1500m');
    assert.equal(node.status!.daemonEndpoints!.kubeletEndpoint!.Port, 0);
    await podsClient(cs).create('default', busyboxPod('agent-pod', nodeName));
    const pod = await waitForPod(cs, 'agent-pod', running());
    assert.equal(pod.status!.hostIP, '127.0.0.1');
    const id = containerIdOf(pod, 'main');
    assert.equal(await stopAgent(agent), 0, agent.output());
    assert.equal((await env.engine.containers.state(id)).status, 'running', 'the container outlives the agent');
    agent = startAgent();
    // The new agent syncs the pod (a label change makes sure a sync ran) without restarting it.
    await podsClient(cs).patch('default', 'agent-pod', 'merge', { metadata: { labels: { seen: 'again' } } });
    await waitUntil(async () => (await nodes.get(undefined, nodeName)).status?.conditions !== undefined, 10_000, 'node status');
    await new Promise((r) => setTimeout(r, 3000));
    const again = await podsClient(cs).get('default', 'agent-pod');
    assert.equal(containerIdOf(again, 'main'), id);
    assert.equal(again.status!.containerStatuses![0]!.restartCount, 0);
    assert.equal(again.status!.phase, 'Running');
    await podsClient(cs).delete('default', 'agent-pod');
    await waitUntil(async () => podsClient(cs).get('default', 'agent-pod').then(() => false, () => true), 20_000, 'pod deleted by the agent');
  } finally {
    await stopAgent(agent);
  }
});
