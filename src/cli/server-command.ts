// `skiff server`: the control plane alone (API server on the embedded store, controllers, scheduler),
// with TLS material and a kubeconfig generated at first start.
import type { Command } from 'commander';
import { parseListen, parseSeconds } from './flag-values.ts';
import { createLogger } from './log.ts';
import { shutdownSignal } from './signals.ts';

export interface ServerFlags {
  dataDir: string;
  listen: string;
  tokenFile?: string;
  logLevel: string;
  historyRetention: string;
  controllers: boolean;
  scheduler: boolean;
  eventTtl: string;
}

/** Flags `skiff server` and `skiff up` share. */
export function addControlPlaneFlags(cmd: Command): Command {
  return cmd
    .option('--data-dir <dir>', 'where the store, certificates and kubeconfig live', process.env.SKIFF_DATA_DIR ?? '/var/lib/skiff')
    .option('--listen <addr:port>', 'HTTPS address to serve on', '127.0.0.1:6443')
    .option('--token-file <file>', 'static bearer tokens for agents (CSV: token,user,uid,"group1,group2")')
    .option('--history-retention <seconds>', 'how long the store keeps history for watches to resume from', '300')
    .option('--event-ttl <seconds>', 'how long events are kept', '3600')
    .option('--log-level <level>', 'fatal, error, warn, info, debug (one line per request) or trace', 'info');
}

export function registerServerCommand(program: Command): void {
  addControlPlaneFlags(program.command('server')
    .description('Run the Kubernetes-compatible API server on the embedded SQLite store'))
    .option('--no-controllers', 'serve the API only: no garbage collector or namespace controller')
    .option('--no-scheduler', 'do not run the scheduler (pods stay Pending until something else binds them)')
    .action(async (flags: ServerFlags) => {
      await runServer(flags);
    });
}

export async function runServer(flags: ServerFlags): Promise<void> {
  const log = createLogger(flags.logLevel);
  const { host, port } = parseListen(flags.listen);
  // Loaded here, not at the top: `skiff run` and the other engine commands never need it.
  const { startControlPlane } = await import('./control-plane.ts');
  const cp = await startControlPlane({
    dataDir: flags.dataDir, host, port, log,
    historyRetentionSeconds: parseSeconds('--history-retention', flags.historyRetention),
    eventTtlSeconds: parseSeconds('--event-ttl', flags.eventTtl),
    controllers: flags.controllers,
    scheduler: flags.scheduler,
    ...(flags.tokenFile ? { tokenFile: flags.tokenFile } : {}),
  });
  const signal = shutdownSignal((sig) => log.info({ sig }, 'shutting down'));
  process.stderr.write(`skiff API server listening on ${cp.url}\n  export KUBECONFIG=${cp.kubeconfig}\n  kubectl get namespaces\n`);
  await cp.run(signal);
}
