// The control plane as one unit, shared by `skiff server` and `skiff up`: TLS material and the admin
// kubeconfig at first start, the embedded store, the API server, and the components that reach it
// over HTTPS like any client (controller manager, scheduler), each with a certificate of its own.
import { mkdir } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import type { Logger } from 'pino';
import { ensurePki, issueClientCert } from '../apiserver/auth/pki.ts';
import { ensureServiceAccountKey } from '../apiserver/serviceaccount/signing-key.ts';
import type { Pki } from '../apiserver/auth/pki.ts';
import { loadTokenFile } from '../apiserver/auth/authenticate.ts';
import { writeKubeconfig } from '../apiserver/auth/kubeconfig.ts';
import { ApiServer } from '../apiserver/server.ts';
import type { ServingLimits } from '../apiserver/serving-limits.ts';
import { openStore } from '../store/index.ts';
import { Clientset } from '../client/clientset.ts';
import type { ClientConfig } from '../client/kubeconfig.ts';
import { runControllers, type ControllerManagerOptions } from '../controllers/manager.ts';
import { Scheduler } from '../scheduler/index.ts';

export interface ControlPlaneOptions {
  dataDir: string;
  host: string;
  port: number;
  tokenFile?: string;
  historyRetentionSeconds: number;
  eventTtlSeconds: number;
  controllers: boolean;
  /** --controllers: which controllers run (`*`, `NAME`, `-NAME`); default `*`. */
  controllerSelection?: string;
  /** Settings of individual controllers (--node-monitor-grace-period…). */
  controllerOptions?: ControllerManagerOptions;
  scheduler: boolean;
  /** --max-requests-inflight, timeouts and the other serving limits (defaults: the API server's). */
  servingLimits?: Partial<ServingLimits>;
  /** false: skip the schema check of written bodies (the hidden --no-typed-decoding, for benchmarks). */
  typedDecoding?: boolean;
  log: Logger;
  /** --service-cidr: ClusterIPs are handed out from it (default 10.43.0.0/16). */
  serviceCIDR?: string;
  /** --cluster-dns: the kube-dns Service's ClusterIP (default the service CIDR's tenth address). */
  clusterDNS?: string;
}

export interface ControlPlane {
  url: string;
  dataDir: string;
  kubeconfig: string;
  pki: Pki;
  /** Credentials for an in-process component (a client certificate for `user` in `groups`). */
  clientConfig(user: string, groups: string[], userAgent: string): Promise<ClientConfig>;
  /** Serves until the signal aborts, then closes the store. */
  run(signal: AbortSignal): Promise<void>;
}

/** Creates what the control plane needs on disk and starts listening; components start in run(). */
export async function startControlPlane(opts: ControlPlaneOptions): Promise<ControlPlane> {
  const { log, host } = opts;
  const dataDir = resolve(opts.dataDir);
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  const pki = await ensurePki(join(dataDir, 'pki'), { hostnames: [hostname()], ips: host === '0.0.0.0' || host === '127.0.0.1' ? [] : [host] });
  const serviceAccountKey = await ensureServiceAccountKey(join(dataDir, 'pki'));
  const store = await openStore({ backend: 'sqlite', path: join(dataDir, 'store.db'), historyRetentionMs: opts.historyRetentionSeconds * 1000 });
  const tokens = opts.tokenFile ? await loadTokenFile(opts.tokenFile) : undefined;
  // The API server's identity towards kubelets (logs, exec, attach, port-forward), as kubeadm's
  // apiserver-kubelet-client certificate: kubelets accept client certificates the cluster CA signed.
  const kubeletClient = await issueClientCert(pki, 'kube-apiserver-kubelet-client', ['kubeadm:cluster-admins']);
  // What componentstatuses reports for the components this process runs: running or not.
  const running = { scheduler: false, controllers: false };
  const health = (name: string, enabled: boolean, up: boolean, flag: string): { name: string; healthy: boolean; message: string } => ({
    name, healthy: up, message: up ? 'ok' : enabled ? 'not running in this process' : `not run by this server (${flag})`,
  });
  const server = new ApiServer({
    ...(opts.servingLimits ? { limits: opts.servingLimits } : {}),
    ...(opts.typedDecoding === false ? { typedDecoding: false } : {}),
    components: () => [health('scheduler', opts.scheduler, running.scheduler, '--no-scheduler'), health('controller-manager', opts.controllers, running.controllers, '--no-controllers')],
    kubeletClient,
    store, host, port: opts.port, logger: log, eventTTLms: opts.eventTtlSeconds * 1000,
    tls: { certPem: pki.serverCertPem, keyPem: pki.serverKeyPem, caPem: pki.caCertPem },
    ...(tokens ? { tokens } : {}),
    serviceAccountTokens: { key: serviceAccountKey },
    clusterSigner: { certPem: pki.caCertPem, keyPem: pki.caKeyPem },
    ...(opts.serviceCIDR ? { serviceCIDR: opts.serviceCIDR } : {}),
    ...(opts.clusterDNS ? { clusterDNS: opts.clusterDNS } : {}),
  });
  let addr: { address: string; port: number };
  try {
    addr = await server.listen();
  } catch (err) {
    await store.close();
    throw err;
  }
  const url = `https://${addr.address.includes(':') ? `[${addr.address}]` : addr.address}:${addr.port}`;
  const kubeconfig = join(dataDir, 'kubeconfig.yaml');
  await writeKubeconfig(kubeconfig, { server: url, caCertPem: pki.caCertPem, clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem, clusterName: 'skiff', userName: 'skiff-admin', contextName: 'skiff' });
  const clientConfig = async (user: string, groups: string[], userAgent: string): Promise<ClientConfig> => {
    const cert = await issueClientCert(pki, user, groups);
    return { server: url, caPem: pki.caCertPem, certPem: cert.certPem, keyPem: cert.keyPem, namespace: 'default', userAgent };
  };
  return {
    url, dataDir, kubeconfig, pki, clientConfig,
    async run(signal: AbortSignal): Promise<void> {
      const components: Array<Promise<void>> = [];
      if (opts.controllers) {
        const cs = new Clientset(await clientConfig('system:kube-controller-manager', [], 'skiff-controller-manager'));
        running.controllers = true;
        // The shared informers run as system:kube-controller-manager; each controller writes as its
        // own service account (--use-service-account-credentials), with a certificate issued here.
        const credentials = (u: { name: string; groups: string[] }): Promise<ClientConfig> => clientConfig(u.name, u.groups, `skiff-controller-manager/${u.name.slice(u.name.lastIndexOf(':') + 1)}`);
        components.push(runControllers(cs, log.child({ component: 'controller-manager' }), signal, opts.controllerSelection, { localPath: { storagePath: join(dataDir, 'node', 'storage') }, csrSigning: { ca: { certPem: pki.caCertPem, keyPem: pki.caKeyPem } }, ...opts.controllerOptions }, credentials).finally(() => { running.controllers = false; }));
      }
      if (opts.scheduler) {
        const cs = new Clientset(await clientConfig('system:kube-scheduler', [], 'skiff-scheduler'));
        const schedLog = log.child({ component: 'scheduler' });
        running.scheduler = true;
        components.push(new Scheduler(cs, schedLog).run(signal).catch((err: unknown) => {
          if (!signal.aborted) schedLog.error({ err }, 'scheduler stopped');
        }).finally(() => { running.scheduler = false; }));
      }
      try {
        await server.run(signal);
        await Promise.all(components);
      } finally {
        await store.close();
      }
    },
  };
}
