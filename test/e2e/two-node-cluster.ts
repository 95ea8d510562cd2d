// Two nodes on one machine for end-to-end tests and benchmarks: node A is a `skiff up` cluster in
// the host's network namespace, node B a `skiff agent` in a network namespace of its own ("another
// machine"), linked to the host by a veth pair (a /30) and joined with exactly the line `skiff up`
// printed. stop() ends both, removes what they leave running and answers what is left on the host.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { listPodRoutes } from '../../src/cni/routes.ts';
import { cgroupDirs, removeCgroup } from '../../src/runtime/cgroups.ts';
import { mountPoints } from '../../src/runtime/mounts/mountinfo.ts';
import { spawnCollect } from './engine-helpers.ts';
import { kubectl, removeDir, ROOT, tempDir, waitUntil } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const ENTRY = join(ROOT, 'src', 'cmd', 'skiff.ts');

export interface TwoNodeOptions {
  label: string;
  /** Third octet of the 16 /24s both nodes' pod subnets are drawn from (e.g. 48: 10.42.48–63.0/24). */
  subnetBase: number;
  /** Bridge names are PREFIX<hex>a and PREFIX<hex>b (e.g. skiffm). */
  bridgePrefix: string;
  /** Third octet of the first of 16 /24s the /30 link is drawn from (e.g. 64: 10.42.64–79.0/24). */
  linkBase: number;
}

export interface TwoNodeCluster {
  /** Node A's cluster (the API server listens on the host's end of the link). */
  cluster: UpCluster;
  nodeA: string;
  nodeB: string;
  netns: string;
  /** Node A's InternalIP: the host's end of the link. */
  hostIP: string;
  /** Node B's InternalIP: the namespace's end. */
  nodeIP: string;
  subnetB: string;
  /** Node A's bridge (in the host's namespace). */
  bridgeA: string;
  /** Node B's data dir. */
  agentDataDir: string;
  agentLogs(): string;
  /** The `skiff agent …` line `skiff up` printed, as arguments after `skiff`. */
  joinLine(): string[];
  /** A command in node B's network namespace only (ip netns exec would also replace /sys, hiding the cgroups). */
  inNetns(argv: string[]): [string, string[]];
  /** Runs `skiff …` to its end, on the host or inside node B's namespace. */
  skiff(args: string[], inNodeB?: boolean): Promise<{ code: number; out: string }>;
  /** Stops both nodes and removes the link; answers what is left behind (empty when clean). */
  stop(): Promise<string[]>;
}

async function sh(cmd: string, args: string[]): Promise<string> {
  const r = await spawnCollect(cmd, args, process.env);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr.trim()}`);
  return r.stdout;
}

const skiffArgv = (args: string[]): string[] => [process.execPath, '--import', 'tsx', ENTRY, ...args];

export async function startTwoNodeCluster(o: TwoNodeOptions): Promise<TwoNodeCluster> {
  const hex = randomBytes(3).toString('hex');
  const netns = `${o.bridgePrefix.slice(0, 6)}n${hex}`;
  const hostVeth = `sk${o.label.slice(0, 2)}h${hex}`;
  const nsVeth = `sk${o.label.slice(0, 2)}n${hex}`;
  const linkNet = `10.42.${o.linkBase + (randomBytes(1)[0]! % 16)}`;
  const linkBase = 4 * (randomBytes(1)[0]! % 64);
  const hostIP = `${linkNet}.${linkBase + 1}`;
  const nodeIP = `${linkNet}.${linkBase + 2}`;
  const nodeA = `${o.label}-a-${hex}`;
  const nodeB = `${o.label}-b-${hex}`;
  const cgroupB = `/skiff-e2e-${o.label}-b-${hex}`;
  const root = await tempDir(`e2e-${o.label}`);
  const agentDataDir = join(root, 'agent');
  const inNetns = (argv: string[]): [string, string[]] => ['nsenter', [`--net=/run/netns/${netns}`, ...argv]];
  let cluster: UpCluster | undefined;
  let agent: { proc: ChildProcess; out: () => string; exited: Promise<void> } | undefined;

  const stop = async (): Promise<string[]> => {
    const left: string[] = [];
    if (agent) {
      if (agent.proc.exitCode === null && agent.proc.signalCode === null) agent.proc.kill('SIGINT');
      await agent.exited;
      // Node B takes its routes with it.
      if (existsSync(`/run/netns/${netns}`)) {
        const routes = await sh(...inNetns(['ip', 'route', 'show', 'proto', '147'])).catch((err: Error) => err.message);
        if (routes.trim() !== '') left.push(`routes in ${netns}: ${routes.trim()}`);
      }
    }
    // What the agent leaves running when it stops goes with an engine reset inside the namespace.
    const engineDir = join(agentDataDir, 'engine');
    if (existsSync(engineDir)) {
      const reset = `const { Engine } = await import(${JSON.stringify(join(ROOT, 'src', 'runtime', 'engine.ts'))}); const e = await Engine.open({ dataDir: ${JSON.stringify(engineDir)} }); await e.reset();`;
      await sh(...inNetns([process.execPath, '--import', 'tsx', '--input-type=module', '-e', reset]));
    }
    if (cluster) {
      await cluster.stop();
      // Node A takes its route to node B's pods with it.
      left.push(...(await listPodRoutes('10.42.0.0/16')).filter((r) => r.via === nodeIP).map((r) => `route ${r.dst} via ${r.via}`));
    }
    await sh('ip', ['link', 'del', hostVeth]).catch(() => undefined);
    await sh('ip', ['netns', 'del', netns]).catch(() => undefined);
    await removeCgroup(cgroupB, cgroupB).catch(() => undefined);
    left.push(...cgroupDirs(cgroupB).filter((d) => existsSync(d)), ...mountPoints().filter((m) => m.startsWith(root)));
    if (existsSync(`/sys/class/net/${hostVeth}`)) left.push(`veth ${hostVeth}`);
    await removeDir(root);
    return left;
  };

  try {
    await sh('ip', ['netns', 'add', netns]);
    await sh('ip', ['link', 'add', hostVeth, 'type', 'veth', 'peer', 'name', nsVeth]);
    await sh('ip', ['link', 'set', nsVeth, 'netns', netns]);
    await sh('ip', ['addr', 'add', `${hostIP}/30`, 'dev', hostVeth]);
    await sh('ip', ['link', 'set', hostVeth, 'up']);
    await sh(...inNetns(['ip', 'addr', 'add', `${nodeIP}/30`, 'dev', nsVeth]));
    await sh(...inNetns(['ip', 'link', 'set', nsVeth, 'up']));
    await sh(...inNetns(['ip', 'link', 'set', 'lo', 'up']));

    // Node A serves the API on its end of the link, where node B reaches it.
    const a = await startUpCluster({
      label: o.label, nodeName: nodeA, cgroupRoot: `/skiff-e2e-${o.label}-a-${hex}`, bridge: `${o.bridgePrefix}${hex}a`, subnetBase: o.subnetBase,
      extraArgs: ['--listen', `${hostIP}:0`, '--node-ip', hostIP, '--log-level', 'info'],
    });
    cluster = a;
    const third = Number(a.subnet.split('.')[2]);
    const subnetB = `10.42.${o.subnetBase + ((third - o.subnetBase + 1 + (randomBytes(1)[0]! % 15)) % 16)}.0/24`;
    const joinLine = (): string[] => {
      const m = /join another machine as a node with:\n\s+skiff (agent --server \S+ --token \S+ --ca-cert-hash \S+)\n/.exec(a.server.logs());
      assert.ok(m, `skiff up printed no join line:\n${a.server.logs()}`);
      return m[1]!.split(' ');
    };
    const [cmd, args] = inNetns(skiffArgv([...joinLine(),
      '--node-name', nodeB, '--node-ip', nodeIP, '--port', '10250', '--data-dir', agentDataDir,
      '--pod-subnet', subnetB, '--bridge', `${o.bridgePrefix}${hex}b`, '--cgroup-root', cgroupB,
      '--service-cidr', a.serviceCIDR, '--nft-prefix', `${a.nftPrefix}b`, '--resolv-conf', join(a.dataDir, 'resolv.conf'),
      '--ingress-http-port', '0', '--ingress-https-port', '0', '--log-level', 'info']));
    const proc = spawn(cmd, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    proc.stderr.on('data', (d: Buffer) => { out += d.toString(); });
    agent = { proc, out: () => out, exited: new Promise<void>((r) => proc.once('exit', () => r())) };
    await waitUntil(async () => {
      const r = await kubectl('1.33', a.server, ['get', 'node', nodeB, '-o', 'jsonpath={.status.conditions[?(@.type=="Ready")].status}']);
      return r.stdout === 'True';
    }, 90_000, `node ${nodeB} Ready\n${out}`);
    return {
      cluster: a, nodeA, nodeB, netns, hostIP, nodeIP, subnetB, bridgeA: `${o.bridgePrefix}${hex}a`, agentDataDir, joinLine, inNetns, stop,
      agentLogs: () => out,
      async skiff(argv, inNodeB = false) {
        const [c, rest] = inNodeB ? inNetns(skiffArgv(argv)) : [process.execPath, skiffArgv(argv).slice(1)];
        const r = await spawnCollect(c, rest, process.env);
        return { code: r.code ?? 1, out: r.stdout + r.stderr };
      },
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
