// The API server: HTTPS, authentication, then the request path
// requestinfo → handler → registry → store (k8s.io/apiserver/pkg/server/handler.go).
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { badRequest, isNotFound, notFound, unauthorized, type StatusError } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import { lookupResource, RESOURCES, VIRTUAL_RESOURCES } from '../api/scheme.ts';
import type { Store } from '../store/types.ts';
import { namespaceLifecycle } from './admission/namespace-lifecycle.ts';
import { serviceAllocator } from './admission/service-allocator.ts';
import type { AdmissionPlugin, UserInfo } from './admission/types.ts';
import { authenticate, type TokenTable } from './auth/authenticate.ts';
import { DEFAULT_ISSUER, ServiceAccountTokenAuthenticator } from './serviceaccount/authenticator.ts';
import type { SigningKey } from './serviceaccount/jwt.ts';
import type { TokenSigner } from './serviceaccount/token-request.ts';
import { WatchCache } from './cache/watch-cache.ts';
import { bootstrap, ensureKubernetesService } from './bootstrap.ts';
import { runEventTTL } from './event-ttl.ts';
import { registryKey, type ServerContext } from './handlers/context.ts';
import { handleNonResource } from './handlers/non-resource.ts';
import { POD_STREAM_SUBRESOURCES, proxyPodStreamUpgrade, writeStatusToSocket, type KubeletClientCert, type PodStreamSubresource } from './handlers/pod-streams.ts';
import { handleResource } from './handlers/resource.ts';
import { builtinHooks } from './hooks.ts';
import { toStatusError, writeStatus } from './http-io.ts';
import { createMetrics, requestRecorder, type ApiMetrics } from './metrics.ts';
import { METRICS_GROUP } from '../api/types/metrics-v1beta1.ts';
import { METRICS_API_GROUP } from './metrics-api/metrics-group.ts';
import { handleMetricsRequest } from './metrics-api/metrics-handler.ts';
import { SummaryCollector } from './metrics-api/summary-collector.ts';
import { Registry } from './registry/registry.ts';
import { objectKey } from './registry/keys.ts';
import { parseRequestInfo, type RequestInfo } from './request-info.ts';

export interface ApiServerOptions {
  store: Store;
  host: string;
  port: number;
  tls: { certPem: string; keyPem: string; caPem: string };
  tokens?: TokenTable;
  logger: Logger;
  /** Extra admission plugins (run after the built-in ones). */
  admission?: AdmissionPlugin[];
  /** How long events live (kube-apiserver --event-ttl); default 1 h. */
  eventTTLms?: number;
  /**
   * The client certificate presented to kubelets when proxying pods/log, exec, attach and
   * portforward (kube-apiserver --kubelet-client-certificate/--kubelet-client-key).
   */
  kubeletClient?: KubeletClientCert;
  /**
   * Service account tokens: the key that signs TokenRequest answers and verifies bearer JWTs
   * (--service-account-signing-key-file), the issuer (--service-account-issuer, default
   * https://kubernetes.default.svc.cluster.local) and the accepted audiences (--api-audiences,
   * default the issuer).
   */
  serviceAccountTokens?: { key: SigningKey; issuer?: string; audiences?: string[] };
}

const HEALTH_PATHS = /^\/(healthz|livez|readyz)(\/|$)/;

export class ApiServer {
  readonly #opts: ApiServerOptions;
  readonly #cache: WatchCache;
  readonly #registries = new Map<string, Registry>();
  readonly #watchCount = new Map<string, number>();
  readonly #metrics: ApiMetrics;
  readonly #record: ReturnType<typeof requestRecorder>;
  readonly #abort = new AbortController();
  readonly #log: Logger;
  readonly #debug: boolean;
  #server: Server | undefined;
  /** Upgraded connections (exec, attach, port-forward) being proxied: ended at shutdown. */
  readonly #upgraded = new Set<Duplex>();
  #address: AddressInfo | undefined;
  /** metrics.k8s.io reads the kubelets' stats summaries through this. */
  readonly #summaries: SummaryCollector;
  readonly #saSigner: TokenSigner | undefined;
  readonly #saAuth: ServiceAccountTokenAuthenticator | undefined;

  constructor(opts: ApiServerOptions) {
    this.#opts = opts;
    // Every open watch listens for shutdown on this signal.
    setMaxListeners(0, this.#abort.signal);
    this.#log = opts.logger.child({ component: 'apiserver' });
    this.#debug = this.#log.isLevelEnabled('debug');
    this.#cache = new WatchCache(opts.store, { onError: (err) => this.#log.error({ err }, 'watch cache') });
    const admission: AdmissionPlugin[] = [
      namespaceLifecycle((name) => this.#namespace(name)),
      serviceAllocator(async () => {
        await this.#cache.sync();
        return this.#cache.list('/registry/core/services/').items.map((o) => o.obj);
      }),
      ...(opts.admission ?? []),
    ];
    for (const info of RESOURCES) {
      if (VIRTUAL_RESOURCES.has(info.resource) && info.resource !== 'bindings') continue;
      const key = registryKey(info);
      // One registry per stored resource, in its storage version.
      if (info.group === info.storage.group && info.version === info.storageVersion) {
        this.#registries.set(key, new Registry(info, { store: opts.store, cache: this.#cache, hooks: builtinHooks, admission }));
      }
    }
    this.#metrics = createMetrics({
      storageObjects: () => this.#cache.counts().map(([prefix, n]) => [prefix.split('/').slice(2, 4).reverse().filter((p) => p !== 'core').join('.'), n]),
      watchers: () => RESOURCES.filter((r) => r.preferred).map((r) => [{ group: r.group, version: r.version, kind: r.kind }, this.#watchCount.get(registryKey(r)) ?? 0] as [{ group: string; version: string; kind: string }, number]),
    });
    this.#record = requestRecorder(this.#metrics);
    this.#summaries = new SummaryCollector({ kubeletClient: opts.kubeletClient, log: this.#log.child({ component: 'metrics-api' }) });
    if (opts.serviceAccountTokens) {
      const issuer = opts.serviceAccountTokens.issuer ?? DEFAULT_ISSUER;
      this.#saSigner = { key: opts.serviceAccountTokens.key, issuer, audiences: opts.serviceAccountTokens.audiences ?? [issuer] };
      this.#saAuth = new ServiceAccountTokenAuthenticator({
        ...this.#saSigner,
        lookup: async (resource, ns, name) => {
          try {
            return (await this.#registries.get(`/${resource}`)!.get(ns, name)).obj;
          } catch (err) {
            if (isNotFound(err)) return undefined;
            throw err;
          }
        },
      });
    }
  }

  /** Client certificate, static token, then service account JWT (the union authenticator's order). */
  async #authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const user = authenticate(req, this.#opts.tokens);
    if (user || !this.#saAuth) return user;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    return m ? await this.#saAuth.authenticate(m[1]!) : undefined;
  }

  get address(): AddressInfo | undefined { return this.#address; }
  get cache(): WatchCache { return this.#cache; }

  async #namespace(name: string): Promise<KubeObject | undefined> {
    await this.#cache.sync();
    return this.#cache.get(objectKey({ storage: { group: '', resource: 'namespaces' }, namespaced: false }, '', name))?.obj;
  }

  /** Start the cache and listen; resolves with the bound address. */
  async listen(): Promise<AddressInfo> {
    const signal = this.#abort.signal;
    void this.#cache.run(signal);
    void runEventTTL(this.#registries.get('/events')!, this.#opts.eventTTLms ?? 3600_000, this.#log, signal);
    await this.#cache.whenReady();
    await bootstrap(this.#registries);
    const server = createServer({
      cert: this.#opts.tls.certPem, key: this.#opts.tls.keyPem, ca: this.#opts.tls.caPem,
      requestCert: true, rejectUnauthorized: false, keepAliveTimeout: 65_000,
    }, (req, res) => { void this.#handle(req, res); });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => { void this.#upgrade(req, socket, head); });
    server.headersTimeout = 60_000;
    server.requestTimeout = 0; // watches are long-lived; each handler bounds its own time
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A deep accept queue, as Go's listener takes (somaxconn): a thousand clients connecting at
      // once (watchers after a restart) must wait for their TLS handshake, not be refused.
      server.listen({ port: this.#opts.port, host: this.#opts.host, backlog: 4096 }, () => { server.off('error', reject); resolve(); });
    });
    this.#address = server.address() as AddressInfo;
    await ensureKubernetesService(this.#registries, this.#address.address, this.#address.port);
    this.#log.info({ address: `${this.#address.address}:${this.#address.port}` }, 'listening');
    return this.#address;
  }

  /** Serve until the signal aborts, then close watches and connections. */
  async run(signal: AbortSignal): Promise<void> {
    if (!this.#server) await this.listen();
    const server = this.#server!;
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        this.#abort.abort();
        for (const s of this.#upgraded) s.destroy();
        server.close(() => resolve());
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 2000).unref();
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
  }

  /** HTTP Upgrade requests: only the pod stream subresources switch protocols (proxied to the kubelet). */
  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => {});
    this.#upgraded.add(socket);
    socket.once('close', () => this.#upgraded.delete(socket));
    const url = new URL(req.url ?? '/', 'https://localhost');
    const ri = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    try {
      if (!(await this.#authenticate(req))) throw unauthorized();
      if (!ri.isResourceRequest || ri.group !== '' || ri.resource !== 'pods' || !POD_STREAM_SUBRESOURCES.has(ri.subresource) || !ri.name || !ri.namespace) {
        throw badRequest(`cannot upgrade the connection for ${url.pathname}: only pods/exec, pods/attach and pods/portforward switch protocols`);
      }
      await proxyPodStreamUpgrade(req, socket, head, {
        registries: this.#registries, sub: ri.subresource as PodStreamSubresource, namespace: ri.namespace, name: ri.name,
        query: url.searchParams, kubeletClient: this.#opts.kubeletClient,
      });
    } catch (err) {
      const se = toStatusError(err);
      if (se.code >= 500) this.#log.error({ err, path: url.pathname }, 'stream upgrade failed');
      writeStatusToSocket(socket, se.status);
    } finally {
      if (this.#debug) this.#log.debug({ verb: ri.verb, path: url.pathname, upgrade: req.headers.upgrade }, 'upgrade request');
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const url = new URL(req.url ?? '/', 'https://localhost');
    const ri = parseRequestInfo(req.method ?? 'GET', url.pathname, url.searchParams);
    let code = 200;
    let longRunning = false;
    try {
      let user: UserInfo | undefined = await this.#authenticate(req);
      if (!user && HEALTH_PATHS.test(url.pathname)) user = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
      if (!user) throw unauthorized();
      if (ri.isResourceRequest && ri.group === METRICS_GROUP) {
        await handleMetricsRequest({ res, accept: req.headers.accept, ri, query: url.searchParams, cache: this.#cache, registries: this.#registries, collector: this.#summaries, signal: this.#abort.signal });
      } else if (ri.isResourceRequest) {
        longRunning = ri.verb === 'watch';
        const info = lookupResource(ri.group, ri.version, ri.resource);
        if (!info) throw notFound({ group: ri.group, resource: ri.resource }, '');
        if (info.namespaced === false && ri.namespace && ri.resource !== 'namespaces') throw notFound({ group: ri.group, resource: ri.resource }, ri.name);
        const registry = this.#registries.get(registryKey(info)) ?? this.#registries.get('/pods')!;
        const server: ServerContext = {
          cache: this.#cache, registries: this.#registries, watchCount: this.#watchCount, signal: this.#abort.signal,
          ...(this.#opts.kubeletClient ? { kubeletClient: this.#opts.kubeletClient } : {}),
          ...(this.#saSigner ? { serviceAccountTokens: this.#saSigner } : {}),
        };
        if (longRunning) this.#metrics.longRunning.inc(labels(ri));
        try {
          await handleResource({ req, res, ri, query: url.searchParams, user, info, registry, server });
        } finally {
          if (longRunning) this.#metrics.longRunning.dec(labels(ri));
        }
      } else {
        const served = await handleNonResource(req, res, url.pathname, url.searchParams, {
          serverAddress: `${this.#address?.address ?? '127.0.0.1'}:${this.#address?.port ?? 0}`,
          health: { checks: () => [{ name: 'ping', ok: true }, { name: 'etcd', ok: this.#cache.ready }, { name: 'informer-sync', ok: this.#cache.ready }] },
          metrics: () => this.#metrics.registry.metrics(),
          extraGroups: [METRICS_API_GROUP],
        });
        if (!served) throw notFound({ group: '', resource: '' }, url.pathname);
      }
      code = res.statusCode;
    } catch (err) {
      const se: StatusError = toStatusError(err);
      code = se.code;
      if (code >= 500) this.#log.error({ err, path: url.pathname, verb: ri.verb }, 'request failed');
      if (!res.headersSent) writeStatus(res, se.status);
      else res.destroy();
    } finally {
      const secs = Number(process.hrtime.bigint() - started) / 1e9;
      this.#record(labels(ri), code, longRunning ? undefined : secs);
      if (this.#debug) this.#log.debug({ verb: ri.verb || req.method, path: url.pathname, code, ms: Math.round(secs * 1000), ua: req.headers['user-agent'] }, 'request');
    }
  }
}

function labels(ri: RequestInfo): { verb: string; group: string; version: string; resource: string; subresource: string; scope: string; component: string } {
  const verb = (ri.isResourceRequest ? ri.verb : ri.verb || 'get').toUpperCase();
  return {
    verb: verb === 'CREATE' ? 'POST' : verb === 'UPDATE' ? 'PUT' : verb === 'GET' && !ri.isResourceRequest ? 'GET' : verb,
    group: ri.group, version: ri.version, resource: ri.resource, subresource: ri.subresource,
    scope: !ri.isResourceRequest ? '' : ri.name ? 'resource' : ri.namespace ? 'namespace' : 'cluster',
    component: 'apiserver',
  };
}
