// `skiff server`: the control plane alone (API server on the embedded store, controllers, scheduler),
// with TLS material and a kubeconfig generated at first start.
import { resolve } from 'node:path';
import { Option, type Command } from 'commander';
import type { ServingLimits } from '../apiserver/serving-limits.ts';
import type { HPAControllerOptions } from '../controllers/podautoscaler/hpa-controller.ts';
import type { NodeLifecycleOptions } from '../controllers/node-lifecycle/node-lifecycle-controller.ts';
import { parseDurationFlag } from './duration-flag.ts';
import { parseListen, parseSeconds } from './flag-values.ts';
import { addPodGCFlags, podGCFromFlags } from './podgc-flags.ts';
import { createLogger } from './log.ts';
import { addClusterNetworkFlags, checkCidr, clusterDnsFromFlags, type ClusterNetworkFlags } from './network-flags.ts';
import { shutdownSignal } from './signals.ts';

export interface ServerFlags extends ClusterNetworkFlags {
  dataDir: string;
  listen: string;
  tokenFile?: string;
  logLevel: string;
  historyRetention: string;
  /** --controllers' list, or false with --no-controllers. */
  controllers: string | false;
  /** --terminated-pod-gc-threshold and the hidden --pod-gc-orphan-quarantine. */
  terminatedPodGcThreshold: string;
  podGcOrphanQuarantine?: string;
  scheduler: boolean;
  eventTtl: string;
  maxRequestsInflight: string;
  maxMutatingRequestsInflight: string;
  maxConnectionsPerClient: string;
  headersTimeout: string;
  requestReadTimeout: string;
  tlsHandshakeTimeout: string;
  /** false with the hidden --no-typed-decoding (benchmarks only). */
  typedDecoding?: boolean;
  nodeMonitorGracePeriod: string;
  nodeStartupGracePeriod: string;
  horizontalPodAutoscalerSyncPeriod: string;
  horizontalPodAutoscalerDownscaleStabilization: string;
  /** k3s's --default-local-storage-path: where the local-path provisioner puts volumes on nodes. */
  defaultLocalStoragePath?: string;
}

/** Flags `skiff server` and `skiff up` share. */
export function addControlPlaneFlags(cmd: Command): Command {
  return addClusterNetworkFlags(addPodGCFlags(cmd))
    .option('--data-dir <dir>', 'where the store, certificates and kubeconfig live', process.env.SKIFF_DATA_DIR ?? '/var/lib/skiff')
    .option('--listen <addr:port>', 'HTTPS address to serve on', '127.0.0.1:6443')
    .option('--token-file <file>', 'static bearer tokens for agents (CSV: token,user,uid,"group1,group2")')
    .option('--history-retention <seconds>', 'how long the store keeps history for watches to resume from', '300')
    .option('--event-ttl <seconds>', 'how long events are kept', '3600')
    .option('--controllers <list>', 'controllers to run: * for all, NAME to add one, -NAME to leave one out (e.g. *,-replicaset)', '*')
    .option('--log-level <level>', 'fatal, error, warn, info, debug (one line per request) or trace', 'info')
    .option('--max-requests-inflight <n>', 'read-only requests served at once; more are answered 429 (0: no limit)', '400')
    .option('--max-mutating-requests-inflight <n>', 'mutating requests served at once; more are answered 429 (0: no limit)', '200')
    .option('--max-connections-per-client <n>', 'open connections from one client address; more are closed (0: no limit)', '2048')
    .option('--headers-timeout <seconds>', 'time a client has to send its request headers', '32')
    .option('--request-read-timeout <seconds>', 'time a client has to send a whole request (headers and body); answers and watches are not limited by it', '60')
    .option('--tls-handshake-timeout <seconds>', 'time a client has to complete the TLS handshake', '10')
    .option('--node-monitor-grace-period <duration>', 'how long a node may go without renewing its Lease before it is marked Unknown and tainted unreachable', '50s')
    .option('--node-startup-grace-period <duration>', 'how long a new node may take to post its first Ready status', '1m')
    .option('--horizontal-pod-autoscaler-sync-period <duration>', 'how often each HorizontalPodAutoscaler is reconciled', '15s')
    .option('--horizontal-pod-autoscaler-downscale-stabilization <duration>', 'how far back an autoscaler looks for a higher recommendation before it scales down', '5m')
    .option('--default-local-storage-path <dir>', 'where the local-path provisioner makes volumes on each node (default: DATA_DIR/node/storage, the node directory of skiff up)');
}

/** The local-path provisioner's settings from --default-local-storage-path (none: the control plane's default). */
export function localPathFromFlags(flags: Pick<ServerFlags, 'defaultLocalStoragePath'>): { localPath?: { storagePath: string } } {
  return flags.defaultLocalStoragePath ? { localPath: { storagePath: resolve(flags.defaultLocalStoragePath) } } : {};
}

/** The node lifecycle controller's settings from the flags addControlPlaneFlags defines. */
export function nodeLifecycleFromFlags(flags: Pick<ServerFlags, 'nodeMonitorGracePeriod' | 'nodeStartupGracePeriod'>): NodeLifecycleOptions {
  return {
    monitorGracePeriodMs: parseDurationFlag('--node-monitor-grace-period', flags.nodeMonitorGracePeriod),
    startupGracePeriodMs: parseDurationFlag('--node-startup-grace-period', flags.nodeStartupGracePeriod),
  };
}

/** The HPA controller's settings from the flags addControlPlaneFlags defines. */
export function hpaFromFlags(flags: Pick<ServerFlags, 'horizontalPodAutoscalerSyncPeriod' | 'horizontalPodAutoscalerDownscaleStabilization'>): HPAControllerOptions {
  const syncPeriodMs = parseDurationFlag('--horizontal-pod-autoscaler-sync-period', flags.horizontalPodAutoscalerSyncPeriod);
  if (syncPeriodMs <= 0) throw new Error(`--horizontal-pod-autoscaler-sync-period "${flags.horizontalPodAutoscalerSyncPeriod}": must be longer than 0`);
  return {
    syncPeriodMs,
    downscaleStabilizationMs: parseDurationFlag('--horizontal-pod-autoscaler-downscale-stabilization', flags.horizontalPodAutoscalerDownscaleStabilization),
  };
}

/** Parses a non-negative whole number given to `flag`. */
function parseCount(flag: string, value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new Error(`${flag} "${value}": expected a whole number (0 or more)`);
  return n;
}

/** The API server's serving limits from the flags addControlPlaneFlags defines. */
export function servingLimitsFromFlags(flags: Pick<ServerFlags, 'maxRequestsInflight' | 'maxMutatingRequestsInflight' | 'maxConnectionsPerClient' | 'headersTimeout' | 'requestReadTimeout' | 'tlsHandshakeTimeout'>): ServingLimits {
  const headersTimeoutMs = parseSeconds('--headers-timeout', flags.headersTimeout) * 1000;
  const requestTimeoutMs = parseSeconds('--request-read-timeout', flags.requestReadTimeout) * 1000;
  if (headersTimeoutMs > requestTimeoutMs) throw new Error(`--headers-timeout (${flags.headersTimeout}) may not be longer than --request-read-timeout (${flags.requestReadTimeout})`);
  return {
    readOnly: parseCount('--max-requests-inflight', flags.maxRequestsInflight),
    mutating: parseCount('--max-mutating-requests-inflight', flags.maxMutatingRequestsInflight),
    maxConnectionsPerClient: parseCount('--max-connections-per-client', flags.maxConnectionsPerClient),
    headersTimeoutMs, requestTimeoutMs,
    tlsHandshakeTimeoutMs: parseSeconds('--tls-handshake-timeout', flags.tlsHandshakeTimeout) * 1000,
  };
}

export function registerServerCommand(program: Command): void {
  addControlPlaneFlags(program.command('server')
    .description('Run the Kubernetes-compatible API server on the embedded SQLite store'))
    .option('--no-controllers', 'serve the API only: no garbage collector or namespace controller')
    .option('--no-scheduler', 'do not run the scheduler (pods stay Pending until something else binds them)')
    .addOption(new Option('--no-typed-decoding', 'do not check written bodies against the schemas; exists only to measure what the check costs in `npm run bench`').hideHelp())
    .action(async (flags: ServerFlags) => {
      await runServer(flags);
    });
}

export async function runServer(flags: ServerFlags): Promise<void> {
  const log = createLogger(flags.logLevel);
  const { host, port } = parseListen(flags.listen);
  // Loaded here, not at the top: `skiff run` and the other engine commands never need it.
  const { startControlPlane } = await import('./control-plane.ts');
  if (typeof flags.controllers === 'string') (await import('../controllers/manager.ts')).controllerSelection(flags.controllers);
  const cp = await startControlPlane({
    dataDir: flags.dataDir, host, port, log,
    historyRetentionSeconds: parseSeconds('--history-retention', flags.historyRetention),
    eventTtlSeconds: parseSeconds('--event-ttl', flags.eventTtl),
    controllers: flags.controllers !== false,
    ...(typeof flags.controllers === 'string' ? { controllerSelection: flags.controllers } : {}),
    scheduler: flags.scheduler,
    servingLimits: servingLimitsFromFlags(flags),
    controllerOptions: { nodeLifecycle: nodeLifecycleFromFlags(flags), hpa: hpaFromFlags(flags), podGC: podGCFromFlags(flags), nodeIpam: { clusterCidr: flags.clusterCidr }, ...localPathFromFlags(flags) },
    ...clusterNetworkFromFlags(flags),
    ...(flags.typedDecoding === false ? { typedDecoding: false } : {}),
    ...(flags.tokenFile ? { tokenFile: flags.tokenFile } : {}),
  });
  const signal = shutdownSignal((sig) => log.info({ sig }, 'shutting down'));
  process.stderr.write(`skiff API server listening on ${cp.url}\n  export KUBECONFIG=${cp.kubeconfig}\n  kubectl get namespaces\n`);
  await cp.run(signal);
}

/** The control plane's network ranges from the flags addControlPlaneFlags defines. */
export function clusterNetworkFromFlags(flags: ClusterNetworkFlags): { serviceCIDR: string; clusterDNS: string } {
  checkCidr('--cluster-cidr', flags.clusterCidr);
  return { serviceCIDR: flags.serviceCidr, clusterDNS: clusterDnsFromFlags(flags) };
}
