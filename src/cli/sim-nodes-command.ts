// `skiff sim-nodes`: N simulated nodes in one process (kwok's way): Nodes with capacity and a
// renewed Lease whose bound pods turn Running with a fake IP and no containers. A tool for scale
// tests and benchmarks of the control plane; real agents can join the same cluster beside them.
import type { Command } from 'commander';
import { createLogger } from './log.ts';
import { shutdownSignal } from './signals.ts';

export interface SimNodesFlags {
  kubeconfig: string;
  count: string;
  namePrefix: string;
  maxPods: string;
  cpu: string;
  memory: string;
  concurrency: string;
  logLevel: string;
  nodeIdentities?: boolean;
}

function positiveInt(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n <= 0) throw new Error(`${flag} "${value}": expected a positive whole number`);
  return n;
}

export function registerSimNodesCommand(program: Command): void {
  program.command('sim-nodes')
    .description('Run simulated nodes (no containers): they register, heartbeat and report their pods Running')
    .requiredOption('--kubeconfig <file>', 'kubeconfig of the cluster to join')
    .option('--count <n>', 'how many nodes', '1')
    .option('--name-prefix <prefix>', 'node names are PREFIX0, PREFIX1, …', 'sim-node-')
    .option('--max-pods <n>', 'pods each node accepts', '110')
    .option('--cpu <quantity>', 'CPU capacity of each node', '32')
    .option('--memory <quantity>', 'memory capacity of each node', '256Gi')
    .option('--concurrency <n>', 'pod status writes in flight at once', '16')
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace', 'info')
    .option('--node-identities', 'each node writes with a client certificate of its own (system:node:NAME, issued through the CSR API), judged as a kubelet by the Node authorizer and NodeRestriction')
    .action(async (flags: SimNodesFlags) => {
      await runSimNodes(flags);
    });
}

export async function runSimNodes(flags: SimNodesFlags): Promise<void> {
  const count = positiveInt('--count', flags.count);
  const maxPods = positiveInt('--max-pods', flags.maxPods);
  const concurrency = positiveInt('--concurrency', flags.concurrency);
  const log = createLogger(flags.logLevel);
  // Loaded when the command runs, so the engine commands start fast.
  const [{ Clientset }, { HollowFleet }, { parseQuantity }] = await Promise.all([
    import('../client/clientset.ts'), import('../kubelet/hollow/hollow-fleet.ts'), import('../api/validation/quantity.ts'),
  ]);
  for (const [flag, v] of [['--cpu', flags.cpu], ['--memory', flags.memory]] as const) {
    let ok = false;
    try { ok = parseQuantity(v) > 0; } catch { /* reported below */ }
    if (!ok) throw new Error(`${flag} "${v}": expected a positive quantity, e.g. 32 or 256Gi`);
  }
  const clientset = await Clientset.fromKubeconfig(flags.kubeconfig, 'skiff-sim-nodes');
  // With --node-identities, a clientset per node (its certificate asked for and approved here).
  const nodeClients = new Map<string, InstanceType<typeof Clientset>>();
  if (flags.nodeIdentities) {
    const { simNodeCredentials } = await import('./sim-node-credentials.ts');
    const names = Array.from({ length: count }, (_, i) => `${flags.namePrefix}${i}`);
    for (let i = 0; i < names.length; i += concurrency) {
      await Promise.all(names.slice(i, i + concurrency).map(async (n) => { nodeClients.set(n, new Clientset(await simNodeCredentials(clientset, n))); }));
    }
  }
  const fleet = new HollowFleet({
    clientset, log, count, namePrefix: flags.namePrefix, maxPods, cpu: flags.cpu, memory: flags.memory, concurrency,
    ...(nodeClients.size > 0 ? { nodeClient: (n: string) => nodeClients.get(n) ?? clientset } : {}),
  });
  const signal = shutdownSignal((sig) => log.info({ sig }, 'stopping the simulated nodes'));
  void fleet.registered.then(() => {
    if (!signal.aborted) process.stderr.write(`skiff sim-nodes: ${count} nodes registered (${flags.namePrefix}0…${flags.namePrefix}${count - 1}) with ${clientset.rest.config.server}\n`);
  });
  try {
    await fleet.run(signal);
  } finally {
    for (const c of nodeClients.values()) c.rest.close();
  }
}
