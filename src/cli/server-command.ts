// `skiff server`: the API server on the embedded store, with TLS material and a kubeconfig
// generated at first start.
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { ensurePki, issueClientCert } from '../apiserver/auth/pki.ts';
import { loadTokenFile } from '../apiserver/auth/authenticate.ts';
import { writeKubeconfig } from '../apiserver/auth/kubeconfig.ts';
import { ApiServer } from '../apiserver/server.ts';
import { openStore } from '../store/index.ts';
import { Clientset } from '../client/clientset.ts';
import { runControllers } from '../controllers/manager.ts';
import { createLogger } from './log.ts';
import { shutdownSignal } from './signals.ts';

export interface ServerFlags {
  dataDir: string;
  listen: string;
  tokenFile?: string;
  logLevel: string;
  historyRetention: string;
  controllers: boolean;
  eventTtl: string;
}

export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new Error(`--listen "${listen}": expected ADDRESS:PORT, e.g. 127.0.0.1:6443`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

export function registerServerCommand(program: Command): void {
  program.command('server')
    .description('Run the Kubernetes-compatible API server on the embedded SQLite store')
    .option('--data-dir <dir>', 'where the store, certificates and kubeconfig live', process.env.SKIFF_DATA_DIR ?? '/var/lib/skiff')
    .option('--listen <addr:port>', 'HTTPS address to serve on', '127.0.0.1:6443')
    .option('--token-file <file>', 'static bearer tokens for agents (CSV: token,user,uid,"group1,group2")')
    .option('--history-retention <seconds>', 'how long the store keeps history for watches to resume from', '300')
    .option('--event-ttl <seconds>', 'how long events are kept', '3600')
    .option('--no-controllers', 'serve the API only: no garbage collector or namespace controller')
    .option('--log-level <level>', 'fatal, error, warn, info, debug (one line per request) or trace', 'info')
    .action(async (flags: ServerFlags) => {
      await runServer(flags);
    });
}

export async function runServer(flags: ServerFlags): Promise<void> {
  const log = createLogger(flags.logLevel);
  const dataDir = resolve(flags.dataDir);
  const { host, port } = parseListen(flags.listen);
  const eventTTL = Number(flags.eventTtl);
  if (!Number.isFinite(eventTTL) || eventTTL <= 0) throw new Error(`--event-ttl "${flags.eventTtl}": expected a number of seconds`);
  const retention = Number(flags.historyRetention);
  if (!Number.isFinite(retention) || retention <= 0) throw new Error(`--history-retention "${flags.historyRetention}": expected a number of seconds`);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pki = await ensurePki(join(dataDir, 'pki'), { hostnames: [hostname()], ips: host === '0.0.0.0' || host === '127.0.0.1' ? [] : [host] });
  const store = await openStore({ backend: 'sqlite', path: join(dataDir, 'store.db'), historyRetentionMs: retention * 1000 });
  const tokens = flags.tokenFile ? await loadTokenFile(flags.tokenFile) : undefined;
  // The API server's identity towards kubelets (logs, exec, attach, port-forward), as kubeadm's
  // apiserver-kubelet-client certificate: kubelets accept client certificates the cluster CA signed.
  const kubeletClient = await issueClientCert(pki, 'kube-apiserver-kubelet-client', ['kubeadm:cluster-admins']);
  const server = new ApiServer({
    kubeletClient,
    store, host, port, logger: log, eventTTLms: eventTTL * 1000,
    tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.caCertPem },
    ...(tokens ? { tokens } : {}),
  });
  const signal = shutdownSignal((sig) => log.info({ sig }, 'shutting down'));
  const addr = await server.listen();
  const url = `https://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  await writeKubeconfig(kubeconfig, { server: url, caCertPem: pki.caCertPem, clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem, clusterName: 'skiff', userName: 'skiff-admin', contextName: 'skiff' });
  // Controllers reach the API like any other client: over HTTPS, with their own certificate.
  let controllers: Promise<void> = Promise.resolve();
  if (flags.controllers) {
    const cert = await issueClientCert(pki, 'system:kube-controller-manager', []);
    const cs = new Clientset({ server: url, caPem: pki.caCertPem, certPem: cert.certPem, keyPem: cert.keyPem, namespace: 'default', userAgent: 'skiff-controller-manager' });
    controllers = runControllers(cs, log.child({ component: 'controller-manager' }), signal);
  }
  process.stderr.write(`skiff API server listening on ${url}\n  export KUBECONFIG=${kubeconfig}\n  kubectl get namespaces\n`);
  try {
    await server.run(signal);
    await controllers;
  } finally {
    await store.close();
  }
}
