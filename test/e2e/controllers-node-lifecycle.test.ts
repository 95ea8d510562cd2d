// Seed D2 on real node agents: `skiff server --node-monitor-grace-period 15s` and two `skiff agent`
// processes. A Deployment whose pods tolerate unreachable/not-ready for 5 s runs on one agent; that
// agent is killed (SIGKILL, by the PID this test started). The node goes Ready=Unknown
// (NodeStatusUnknown) with the unreachable NoSchedule and NoExecute taints, its pods are evicted
// once their 5 s are up and the replacements run on the other node; when the agent starts again
// the taints go away. The grace period is 15 s, not 5 s: the agent renews its Lease every 10 s.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Node, Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import { cgroupDirs, removeCgroup } from '../../src/runtime/cgroups.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { mountPoints } from '../../src/runtime/mounts/mountinfo.ts';
import { freePort, kubectl, removeDir, ROOT, startServer, tempDir, waitUntil } from './harness.ts';
import type { RunningServer } from './harness.ts';

const ENTRY = join(ROOT, 'src', 'cmd', 'skiff.ts');
const hex = randomBytes(3).toString('hex');
// One token per agent, each naming its node: the Node authorizer lets a node change only itself.
const TOKENS = [randomBytes(16).toString('hex'), randomBytes(16).toString('hex')];
const GRACE_S = 15;

interface Agent { name: string; dataDir: string; cgroupRoot: string; args: string[]; proc: ChildProcess; out: () => string; exited: Promise<void> }

let server: RunningServer;
let root: string;
let cs: Clientset;
const ac = new AbortController();
let nodes: Informer<Node>;
let pods: Informer<Pod>;
const agents: Agent[] = [];

function spawnAgent(a: Omit<Agent, 'proc' | 'out' | 'exited'>): Agent {
  const proc = spawn(process.execPath, a.args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  return { ...a, proc, out: () => out, exited };
}

async function startAgent(i: number): Promise<Agent> {
  const name = `d2-node${i}-${hex}`;
  const dataDir = join(root, `agent${i}`);
  const cgroupRoot = `/skiff-e2e-d2-${hex}-${i}`;
  const tokenFile = join(root, `agent-token-${i}`);
  await writeFile(tokenFile, `${TOKENS[i - 1]!}\n`, { mode: 0o600 });
  const subnet = `10.42.${136 + (i - 1) * 4 + (randomBytes(1)[0]! % 4)}.0/24`;
  const args = ['--import', 'tsx', ENTRY, 'agent',
    '--server', server.url, '--token-file', tokenFile, '--ca-file', join(server.dataDir, 'pki', 'ca.crt'),
    '--node-name', name, '--node-ip', '127.0.0.1', '--data-dir', dataDir,
    '--pod-subnet', subnet, '--bridge', `skiffl${hex}${i}`, '--cgroup-root', cgroupRoot,
    '--port', String(await freePort()), '--log-level', 'warn',
    // Node lifecycle only: none of the node's network (its rules would outlive the agent in the host).
    '--disable', 'proxy,dns,routes,network-policy,ingress'];
  return spawnAgent({ name, dataDir, cgroupRoot, args });
}

/** Resolves when `pred` holds for the informer's objects, checked on every event it delivers. */
function watchUntil<T extends Node | Pod>(inf: Informer<T>, pred: (items: T[]) => boolean, timeoutMs: number, what: () => string): Promise<void> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = (): void => {
      if (done || !pred([...inf.values()])) return;
      done = true;
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => { done = true; reject(new Error(`timed out waiting for ${what()}`)); }, timeoutMs);
    inf.addHandlers({ add: check, update: check, delete: check });
    check();
  });
}

const readyOf = (n: Node | undefined): string | undefined => n?.status?.conditions?.find((c) => c.type === 'Ready')?.status;
const isPodReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const d2Pods = (items: Pod[]): Pod[] => items.filter((p) => p.metadata.namespace === 'default' && p.metadata.labels?.app === 'd2');

before(async () => {
  root = await tempDir('e2e-d2');
  const tokens = join(root, 'tokens.csv');
  await writeFile(tokens, TOKENS.map((t, i) => `${t},system:node:d2-node${i + 1}-${hex},node${i + 1}-uid,"system:nodes"\n`).join(''), { mode: 0o600 });
  server = await startServer({ dataDir: join(root, 'server'), extraArgs: ['--token-file', tokens, '--node-monitor-grace-period', `${GRACE_S}s`] });
  cs = await Clientset.fromKubeconfig(server.kubeconfig);
  nodes = cs.informer<Node>({ group: '', version: 'v1', resource: 'nodes', namespaced: false });
  pods = cs.informer<Pod>({ group: '', version: 'v1', resource: 'pods', namespaced: true });
  cs.start(ac.signal);
  agents.push(await startAgent(1), await startAgent(2));
  await watchUntil(nodes, (ns) => agents.every((a) => readyOf(ns.find((n) => n.metadata.name === a.name)) === 'True'), 90_000,
    () => `both nodes Ready\n${agents.map((a) => a.out()).join('\n')}`);
});

after(async () => {
  await kubectl('1.33', server, ['delete', 'deployment', 'd2', '--ignore-not-found']).catch(() => undefined);
  await kubectl('1.33', server, ['delete', 'pods', '--all', '--grace-period=0', '--force']).catch(() => undefined);
  for (const a of agents) {
    if (a.proc.exitCode !== null || a.proc.signalCode !== null) continue;
    await waitUntil(async () => {
      const e = await Engine.open({ dataDir: join(a.dataDir, 'engine') });
      return (await e.sandboxes.list()).length === 0;
    }, 20_000, `${a.name} removed its pods`).catch(() => undefined);
    a.proc.kill('SIGINT');
    await a.exited;
  }
  ac.abort();
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

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: d2 }
spec:
  replicas: 3
  selector: { matchLabels: { app: d2 } }
  template:
    metadata: { labels: { app: d2 } }
    spec:
      terminationGracePeriodSeconds: 0
      tolerations:
      - { key: node.kubernetes.io/unreachable, operator: Exists, effect: NoExecute, tolerationSeconds: 5 }
      - { key: node.kubernetes.io/not-ready, operator: Exists, effect: NoExecute, tolerationSeconds: 5 }
      containers:
      - { name: c, image: busybox, command: ["sleep", "3600"] }
`;

describe('D2: a node that dies — its pods are recreated on the nodes that remain', () => {
  test('pods get the default 300 s not-ready/unreachable tolerations unless they bring their own', async () => {
    const r = await kubectl('1.33', server, ['run', 'plain', '--image=busybox', '--restart=Never', '--dry-run=server', '-o', 'jsonpath={range .spec.tolerations[*]}{.key}:{.effect}:{.tolerationSeconds} {end}']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'node.kubernetes.io/not-ready:NoExecute:300 node.kubernetes.io/unreachable:NoExecute:300');
  });

  test('the killed agent\'s node goes Unknown and tainted, its pods are evicted after tolerationSeconds and replaced on the other node; the taints go when it returns', async () => {
    const applied = await kubectl('1.33', server, ['apply', '-f', '-'], { input: deployment });
    assert.equal(applied.code, 0, applied.stderr);
    const rolled = await kubectl('1.33', server, ['rollout', 'status', 'deployment/d2', '--timeout=120s'], { timeoutMs: 130_000 });
    assert.equal(rolled.code, 0, `${rolled.stderr}\n${agents.map((a) => a.out().slice(-1500)).join('\n')}`);
    // Own tolerations kept as given: the admission adds none for keys the pod speaks for.
    const running = d2Pods([...pods.values()]).filter((p) => !p.metadata.deletionTimestamp);
    assert.equal(running.length, 3);
    for (const p of running) assert.deepEqual(p.spec?.tolerations?.map((t) => t.tolerationSeconds), [5, 5]);
    const victimName = [...new Set(running.map((p) => p.spec!.nodeName!))].sort((a, b) => running.filter((p) => p.spec!.nodeName === b).length - running.filter((p) => p.spec!.nodeName === a).length)[0]!;
    const victim = agents.find((a) => a.name === victimName)!;
    const survivor = agents.find((a) => a !== victim)!;
    const doomed = running.filter((p) => p.spec!.nodeName === victimName).map((p) => p.metadata.name!);

    victim.proc.kill('SIGKILL');
    await victim.exited;
    const killedAt = Date.now();

    await watchUntil(nodes, (ns) => {
      const n = ns.find((x) => x.metadata.name === victimName);
      const keys = (n?.spec?.taints ?? []).filter((t) => t.key === 'node.kubernetes.io/unreachable' && t.timeAdded).map((t) => t.effect).sort();
      return readyOf(n) === 'Unknown' && keys.join() === 'NoExecute,NoSchedule';
    }, 60_000, () => `node ${victimName} Unknown with unreachable taints: ${JSON.stringify(nodes.get(victimName)?.spec)}`);
    const unknownAfter = (Date.now() - killedAt) / 1000;
    assert.ok(unknownAfter >= GRACE_S - 10, `Unknown only after the grace period (lease renewed every 10 s): ${unknownAfter} s`);
    const node = nodes.get(victimName)!;
    const ready = node.status!.conditions!.find((c) => c.type === 'Ready')!;
    assert.deepEqual([ready.reason, ready.message], ['NodeStatusUnknown', 'Kubelet stopped posting node status.']);
    const noExecuteAt = Date.parse(node.spec!.taints!.find((t) => t.effect === 'NoExecute')!.timeAdded!);

    // Evicted once their 5 s are up, not at once; three Ready replacements on the survivor.
    await watchUntil(pods, (ps) => {
      const live = d2Pods(ps).filter((p) => !p.metadata.deletionTimestamp);
      return doomed.every((name) => ps.find((p) => p.metadata.name === name)?.metadata.deletionTimestamp !== undefined || !ps.some((p) => p.metadata.name === name))
        && live.length === 3 && live.every((p) => p.spec?.nodeName === survivor.name && isPodReady(p));
    }, 90_000, () => `3 Ready pods on ${survivor.name}: ${JSON.stringify(d2Pods([...pods.values()]).map((p) => [p.metadata.name, p.spec?.nodeName, Boolean(p.metadata.deletionTimestamp), isPodReady(p)]))}\n${survivor.out().slice(-1500)}`);
    const evicted = await kubectl('1.33', server, ['get', 'events', '--field-selector', 'reason=TaintManagerEviction', '-o', 'jsonpath={range .items[*]}{.involvedObject.name}|{.message}|{.firstTimestamp}{"\\n"}{end}']);
    for (const name of doomed) {
      const line = evicted.stdout.split('\n').find((l) => l.startsWith(`${name}|`));
      assert.ok(line, `TaintManagerEviction for ${name}: ${evicted.stdout}`);
      const [, message, at] = line.split('|');
      assert.equal(message, `Marking for deletion Pod default/${name}`);
      assert.ok(Date.parse(at!) - noExecuteAt >= 4000, `evicted ${(Date.parse(at!) - noExecuteAt) / 1000} s after the NoExecute taint, tolerationSeconds is 5`);
    }

    // The agent comes back: Ready again, the taints are gone.
    const again = spawnAgent({ name: victim.name, dataDir: victim.dataDir, cgroupRoot: victim.cgroupRoot, args: victim.args });
    agents[agents.indexOf(victim)] = again;
    await watchUntil(nodes, (ns) => {
      const n = ns.find((x) => x.metadata.name === victimName);
      return readyOf(n) === 'True' && !(n?.spec?.taints ?? []).some((t) => t.key.startsWith('node.kubernetes.io/'));
    }, 90_000, () => `node ${victimName} Ready without taints: ${JSON.stringify(nodes.get(victimName)?.spec)}\n${again.out().slice(-1500)}`);
  });
});
