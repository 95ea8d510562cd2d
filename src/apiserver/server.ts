// The API server: HTTPS, authentication, then the request path
// requestinfo → handler → registry → store (k8s.io/apiserver/pkg/server/handler.go).
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'pino';
import { badRequest, isNotFound, methodNotAllowed, notServed, unauthorized } from '../api/errors.ts';
import type { KubeObject, Status } from '../api/meta.ts';
import { lookupResource, RESOURCES, REVIEW_RESOURCES, VIRTUAL_RESOURCES } from '../api/scheme.ts';
import type { Store } from '../store/types.ts';
import { namespaceLifecycle } from './admission/namespace-lifecycle.ts';
import { defaultTolerationSeconds } from './admission/default-toleration-seconds.ts';
import { memoryPressureToleration } from './admission/memory-pressure-toleration.ts';
import { serviceAccountAdmission } from './admission/service-account.ts';
import { podSecurity, type PodSecurityConfiguration } from './admission/pod-security/plugin.ts';
import { priorityAdmission } from './admission/priority.ts';
import { nodeRestriction } from './admission/node-restriction.ts';
import { certificateApproval, certificateSigning, certificateSubjectRestriction } from './admission/certificates.ts';
import { DEFAULT_SERVICE_RANGES, serviceAllocator } from './admission/service-allocator.ts';
import { defaultIngressClass } from './admission/default-ingress-class.ts';
import { defaultStorageClass } from './admission/default-storage-class.ts';
import { runtimeClassAdmission } from './admission/runtime-class.ts';
import { limitRanger } from './admission/limit-ranger.ts';
import { registryQuotaAccess, resourceQuotaAdmission } from './admission/resource-quota.ts';
import type { AdmissionPlugin, UserInfo } from './admission/types.ts';
import { mutatingAdmissionWebhook, validatingAdmissionWebhook } from './admission/webhook/plugin.ts';
import { webhookSourceFromCache } from './admission/webhook/source.ts';
import { policySourceFromCache, validatingAdmissionPolicy } from './admission/validating-policy/index.ts';
import { authenticate, type TokenTable } from './auth/authenticate.ts';
import { isClusterInfoRead, NODE_CERTIFICATE_PATH } from './auth/bootstrap-access.ts';
import { authenticateBootstrapToken } from './auth/bootstrap-token.ts';
import type { CertKeyPem } from './auth/certs.ts';
import { handleNodeCertificate } from './auth/node-certificate.ts';
import { DEFAULT_ISSUER, ServiceAccountTokenAuthenticator } from './serviceaccount/authenticator.ts';
import type { SigningKey } from './serviceaccount/jwt.ts';
import type { TokenSigner } from './serviceaccount/token-request.ts';
import { WatchCache } from './cache/watch-cache.ts';
import { AuthorizerChain, forbiddenFor } from './authorization/chain.ts';
import { reconcileBootstrapPolicy } from './authorization/bootstrap-policy/reconcile.ts';
import { RbacAuthorizer } from './authorization/rbac/authorizer.ts';
import { escalationCheck } from './authorization/rbac/escalation.ts';
import { PolicyIndex } from './authorization/rbac/policy-index.ts';
import { requestAttributes, type Authorizer, type RuleResolver } from './authorization/types.ts';
import { createNodeAuthorizer } from './authorization/node/node-authorizer.ts';
import { bootstrap, ensureClusterDnsService, ensureClusterInfo, ensureKubernetesService, serviceIP } from './bootstrap.ts';
import { runEventTTL } from './event-ttl.ts';
import { handleComponentStatuses, type ComponentHealth } from './handlers/component-statuses.ts';
import { limitConnectionsPerClient } from './connection-limit.ts';
import { registryKey, type ServerContext } from './handlers/context.ts';
import { handleNonResource } from './handlers/non-resource.ts';
import { POD_STREAM_SUBRESOURCES, proxyPodStreamUpgrade, writeStatusToSocket, type KubeletClientCert, type PodStreamSubresource } from './handlers/pod-streams.ts';
import { handleResource } from './handlers/resource.ts';
import { handleReview } from './handlers/reviews.ts';
import { impersonate } from './authorization/impersonation.ts';
import { builtinHooks } from './hooks.ts';
import { writeStatus } from './http-io.ts';
import { isLongRunning, MaxInflight, PRIVILEGED_GROUP, requestKind, tooManyRequests } from './max-inflight.ts';
import { createMetrics, requestRecorder, type ApiMetrics } from './metrics.ts';
import { METRICS_GROUP } from '../api/types/metrics-v1beta1.ts';
import { METRICS_API_GROUP } from './metrics-api/metrics-group.ts';
import { handleMetricsRequest } from './metrics-api/metrics-handler.ts';
import { SummaryCollector } from './metrics-api/summary-collector.ts';
import { Registry } from './registry/registry.ts';
import { objectKey } from './registry/keys.ts';
import { parseRequestInfo, parseRequestTarget, quoteForMessage as quotePath, type RequestInfo } from './request-info.ts';
import { servingLimits, type ServingLimits } from './serving-limits.ts';
import { statusForFailure } from './unexpected-error.ts';
import { CrdController } from './apiextensions/crd-controller.ts';
import { crdHooks, customResourceHooks } from './apiextensions/hooks.ts';
import { checkRoute, METHOD_NOT_ALLOWED } from './verbs.ts';

export interface ApiServerOptions {
  store: Store;
  host: string;
  port: number;
  tls: { certPem: string; keyPem: string; caPem: string };
  tokens?: TokenTable;
  logger: Logger;
  /** PodSecurity admission's defaults and exemptions (kube-apiserver's --admission-control-config-file entry); none by default. */
  podSecurity?: PodSecurityConfiguration;
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
  /** Slow-client timeouts, connections per client and in-flight limits (defaults: DEFAULT_SERVING_LIMITS). */
  limits?: Partial<ServingLimits>;
  /**
   * Health of the components the embedding process runs beside this server (scheduler,
   * controller-manager), for componentstatuses; etcd-0 is this server's own probe of its store.
   */
  components?: () => ComponentHealth[];
  /** Check every written body against its kind's schema, as decoding into Go types does (default true). */
  typedDecoding?: boolean;
  /**
   * The cluster CA's certificate and key: joining nodes get their client certificates signed
   * with it (NODE_CERTIFICATE_PATH). Without it that endpoint is not served.
   */
  clusterSigner?: CertKeyPem;
  /**
   * Authorizers consulted before RBAC, in order (kube-apiserver --authorization-mode=Node,RBAC:
   * the Node authorizer goes here). system:masters is allowed before any of them.
   */
  authorizers?: Authorizer[];
  /** ClusterIPs (--service-cluster-ip-range; default 10.43.0.0/16): `kubernetes` gets the first. */
  serviceCIDR?: string;
  /** The kube-dns Service's ClusterIP (default the service CIDR's tenth address). */
  clusterDNS?: string;
}

const HEALTH_PATHS = /^\/(healthz|livez|readyz)(\/|$)/;
/** What anonymous requests may reach (then still authorized: system:public-info-viewer), besides the cluster-info read. */
const ANONYMOUS_PATHS = /^\/(healthz|livez|readyz|version)(\/|$)/;

const ANONYMOUS: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };

/** Longest piece of a request target written to the log. */
const MAX_LOGGED_PATH = 1024;

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
  readonly #limits: ServingLimits;
  readonly #inflight: MaxInflight;
  readonly #crds: CrdController;
  readonly #policy = new PolicyIndex();
  readonly #rbac: RbacAuthorizer;
  readonly #authorizer: AuthorizerChain;
  readonly #nodeAuthorizer: { authorizer: Authorizer; close(): void };

  constructor(opts: ApiServerOptions) {
    this.#opts = opts;
    this.#limits = servingLimits(opts.limits);
    this.#inflight = new MaxInflight(this.#limits);
    // Every open watch listens for shutdown on this signal.
    setMaxListeners(0, this.#abort.signal);
    this.#log = opts.logger.child({ component: 'apiserver' });
    this.#debug = this.#log.isLevelEnabled('debug');
    this.#cache = new WatchCache(opts.store, { onError: (err) => this.#log.error({ err }, 'watch cache') });
    const webhooks = { source: webhookSourceFromCache(this.#cache), log: this.#log };
    // Upstream's order (kube-apiserver AllOrderedPlugins): every mutate runs in this order, then every validate.
    this.#rbac = new RbacAuthorizer(this.#policy);
    // --authorization-mode=Node,RBAC: the Node authorizer's graph follows this server's cache.
    this.#nodeAuthorizer = createNodeAuthorizer(this.#cache);
    this.#authorizer = new AuthorizerChain([this.#nodeAuthorizer.authorizer, ...(opts.authorizers ?? []), this.#rbac]);
    const admission: AdmissionPlugin[] = [
      // Not an admission plugin upstream (the RBAC REST storages check it), but it sees the same object and user here.
      escalationCheck({ authorizer: () => this.#authorizer, resolver: this.#rbac, roleRules: (ref, ns) => this.#policy.rulesOf(ref, ns) }),
      namespaceLifecycle((name) => this.#namespace(name)),
      limitRanger(async (ns) => (await this.#registries.get('/limitranges')!.listCached(ns, true)).items.map((o) => o.obj)),
      serviceAccountAdmission(),
      nodeRestriction({ pod: (ns, name) => this.#cached('pods', ns, name), node: (name) => this.#cached('nodes', '', name) }),
      podSecurity({ ...(opts.podSecurity ? { config: opts.podSecurity } : {}), getNamespace: async (name) => this.#cachedNamespace(name) ?? await this.#namespace(name), listPods: async (ns) => (await this.#registries.get('/pods')!.listCached(ns, true)).items.map((o) => o.obj), audit: (a, annotations) => {
        // No audit log in skiff: violations at the audit level are logged instead.
        if (annotations['pod-security.kubernetes.io/audit-violations']) this.#log.info({ namespace: a.namespace, resource: a.info.resource, name: a.name, user: a.user.name, annotations }, 'PodSecurity audit');
      } }),
      priorityAdmission(async (fresh) => { if (fresh) await this.#cache.sync(); return this.#cache.list('/registry/scheduling.k8s.io/priorityclasses/').items.map((o) => o.obj); }),
      defaultTolerationSeconds(),
      memoryPressureToleration(),
      defaultStorageClass(async () => { await this.#cache.sync(); return this.#cache.list('/registry/storage.k8s.io/storageclasses/').items.map((o) => o.obj); }),
      runtimeClassAdmission(async (name, fresh) => { if (fresh) await this.#cache.sync(); return this.#cache.get(objectKey({ storage: { group: 'node.k8s.io', resource: 'runtimeclasses' }, namespaced: false }, '', name))?.obj; }),
      certificateApproval(() => this.#authorizer), certificateSigning(() => this.#authorizer), certificateSubjectRestriction(),
      defaultIngressClass(async () => { await this.#cache.sync(); return this.#cache.list('/registry/networking.k8s.io/ingressclasses/').items.map((o) => o.obj); }),
      // Where upstream's Service REST allocates ClusterIPs and NodePorts: after defaulting, before webhooks and validation.
      serviceAllocator(async () => {
        await this.#cache.sync();
        return this.#cache.list('/registry/core/services/').items.map((o) => o.obj);
      }, { ...DEFAULT_SERVICE_RANGES, ...(opts.serviceCIDR ? { serviceCIDR: opts.serviceCIDR } : {}) }),
      mutatingAdmissionWebhook(webhooks),
      validatingAdmissionPolicy(policySourceFromCache(this.#cache), { authorizer: this.#authorizer, audit: (annotations, a) => this.#log.info({ annotations, resource: a.info.resource, namespace: a.namespace, name: a.name }, 'admission audit annotations') }),
      validatingAdmissionWebhook(webhooks),
      resourceQuotaAdmission(registryQuotaAccess(() => this.#registries.get('/resourcequotas')!)),
      ...(opts.admission ?? []),
    ];
    for (const info of RESOURCES) {
      if (VIRTUAL_RESOURCES.has(info.resource) && info.resource !== 'bindings') continue;
      const key = registryKey(info);
      // One registry per stored resource, in its storage version.
      if (info.group === info.storage.group && info.version === info.storageVersion) {
        const hooks = info.resource === 'customresourcedefinitions' && info.group === 'apiextensions.k8s.io' ? crdHooks(builtinHooks) : builtinHooks;
        this.#registries.set(key, new Registry(info, { store: opts.store, cache: this.#cache, hooks, admission }));
      }
    }
    const customHooks = customResourceHooks(builtinHooks);
    this.#crds = new CrdController({
      cache: this.#cache, registries: this.#registries, log: this.#log.child({ component: 'apiextensions' }),
      newRegistry: (info) => new Registry(info, { store: opts.store, cache: this.#cache, hooks: customHooks, admission }),
    });
    this.#metrics = createMetrics({
      storageObjects: () => this.#cache.counts().map(([prefix, n]) => [prefix.split('/').slice(2, 4).reverse().filter((p) => p !== 'core').join('.'), n]),
      watchers: () => RESOURCES.filter((r) => r.preferred).map((r) => [{ group: r.group, version: r.version, kind: r.kind }, this.#watchCount.get(registryKey(r)) ?? 0] as [{ group: string; version: string; kind: string }, number]),
      inflight: () => [['readOnly', this.#inflight.current('readOnly')], ['mutating', this.#inflight.current('mutating')]],
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

  /** Client certificate, static token, bootstrap token, then service account JWT (the union authenticator's order). */
  async #authenticate(req: IncomingMessage): Promise<UserInfo | undefined> {
    const user = authenticate(req, this.#opts.tokens);
    if (user) return user;
    const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    if (!m) return undefined;
    const bootstrapUser = await authenticateBootstrapToken(m[1]!, (ns, name) => this.#lookup('secrets', ns, name));
    if (bootstrapUser || !this.#saAuth) return bootstrapUser;
    return await this.#saAuth.authenticate(m[1]!);
  }

  async #lookup(resource: string, ns: string, name: string): Promise<KubeObject | undefined> {
    try {
      return (await this.#registries.get(`/${resource}`)!.get(ns, name)).obj;
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  get address(): AddressInfo | undefined { return this.#address; }
  get cache(): WatchCache { return this.#cache; }
  /** The authorizer chain requests go through (SubjectAccessReview asks it too). */
  get authorizer(): Authorizer { return this.#authorizer; }
  /** RBAC's rules per user and namespace (SelfSubjectRulesReview). */
  get ruleResolver(): RuleResolver { return this.#rbac; }

  /** Throws the upstream 403 unless the chain allows the request. */
  async #authorize(user: UserInfo, ri: RequestInfo, query: URLSearchParams): Promise<void> {
    const a = requestAttributes(user, ri, query);
    const r = await this.#authorizer.authorize(a);
    if (r.decision !== 'allow') throw forbiddenFor(a, r.reason);
  }

  /** The namespace as the watch cache has it now, without waiting for it to catch up (an informer lister's read). */
  #cachedNamespace(name: string): KubeObject | undefined {
    return this.#cache.get(objectKey({ storage: { group: '', resource: 'namespaces' }, namespaced: false }, '', name))?.obj;
  }

  /** A core object as the cache holds it after a consistent read (NodeRestriction's pod and node listers). */
  async #cached(resource: string, ns: string, name: string): Promise<KubeObject | undefined> {
    await this.#cache.sync();
    return this.#cache.get(objectKey({ storage: { group: '', resource }, namespaced: ns !== '' }, ns, name))?.obj;
  }

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
    const policySubs = this.#policy.follow(this.#cache);
    signal.addEventListener('abort', () => { for (const sub of policySubs) sub.close(); this.#nodeAuthorizer.close(); }, { once: true });
    await bootstrap(this.#registries);
    void this.#crds.run(signal);
    await reconcileBootstrapPolicy(this.#registries);
    // Serve only once RBAC sees the policy just written.
    await this.#cache.sync();
    const limits = this.#limits;
    const server = createServer({
      cert: this.#opts.tls.certPem, key: this.#opts.tls.keyPem, ca: this.#opts.tls.caPem,
      requestCert: true, rejectUnauthorized: false, keepAliveTimeout: 65_000,
      handshakeTimeout: limits.tlsHandshakeTimeoutMs,
      // Slow clients: node:http closes a connection (408) whose request headers, or whole request,
      // have not arrived in time. The request clock stops once the request is received, so
      // watches and other long answers are not cut; the handlers bound their own time.
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // How often those clocks are checked (node's default is every 30 s).
      connectionsCheckingInterval: Math.min(30_000, Math.max(50, Math.floor(limits.headersTimeoutMs / 4))),
    }, (req, res) => { void this.#handle(req, res).catch((err: unknown) => this.#lastResort(err, req, res)); });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.#upgrade(req, socket, head).catch((err: unknown) => this.#lastResort(err, req, socket));
    });
    limitConnectionsPerClient(server, limits.maxConnectionsPerClient, (address) => {
      if (this.#debug) this.#log.debug({ address, max: limits.maxConnectionsPerClient }, 'connection refused: too many from this client');
    });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      // A deep accept queue, as Go's listener takes (somaxconn): a thousand clients connecting at
      // once (watchers after a restart) must wait for their TLS handshake, not be refused.
      server.listen({ port: this.#opts.port, host: this.#opts.host, backlog: 4096 }, () => { server.off('error', reject); resolve(); });
    });
    // Once listening, a failed accept (EMFILE when descriptors run out) is an 'error' on the
    // server: logged, not fatal; the listener keeps accepting once descriptors are free again.
    server.on('error', (err) => this.#log.error({ err }, 'listener error'));
    this.#address = server.address() as AddressInfo;
    const serviceCIDR = this.#opts.serviceCIDR ?? DEFAULT_SERVICE_RANGES.serviceCIDR;
    await ensureKubernetesService(this.#registries, this.#address.address, this.#address.port, serviceIP(serviceCIDR, 1));
    const dnsProblem = await ensureClusterDnsService(this.#registries, this.#opts.clusterDNS ?? serviceIP(serviceCIDR, 10));
    if (dnsProblem !== undefined) this.#log.error({ err: dnsProblem }, 'cannot create the kube-dns Service: pods will not resolve cluster names');
    const a = this.#address.address;
    await ensureClusterInfo(this.#registries, this.#opts.tls.caPem, `https://${a.includes(':') ? `[${a}]` : a}:${this.#address.port}`);
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
    const method = req.method ?? 'GET';
    let ri = parseRequestInfo(method, '', new URLSearchParams());
    let user: UserInfo | undefined;
    let code = 101;
    try {
      const target = parseRequestTarget(req.url ?? '/');
      ri = parseRequestInfo(method, target.path, target.query);
      user = await this.#authenticate(req);
      if (!user) throw unauthorized();
      user = await impersonate(user, req.headers, this.#authorizer);
      await this.#authorize(user, ri, target.query);
      const info = ri.isResourceRequest ? lookupResource(ri.group, ri.version, ri.resource) : undefined;
      if (!info || info.group !== '' || info.resource !== 'pods' || !POD_STREAM_SUBRESOURCES.has(ri.subresource) || !ri.name || !ri.namespace) {
        throw badRequest(`cannot upgrade the connection for ${quotePath(target.path)}: only pods/exec, pods/attach and pods/portforward switch protocols`);
      }
      checkRoute(info, ri, method);
      await proxyPodStreamUpgrade(req, socket, head, {
        registries: this.#registries, sub: ri.subresource as PodStreamSubresource, namespace: ri.namespace, name: ri.name,
        query: target.query, kubeletClient: this.#opts.kubeletClient,
      });
    } catch (err) {
      const status = this.#failure(err, req, ri, user);
      code = status.code;
      writeStatusToSocket(socket, status);
    } finally {
      this.#record(labels(ri), code, undefined);
      if (this.#debug) this.#log.debug({ verb: ri.verb, path: logPath(req), code, upgrade: req.headers.upgrade }, 'upgrade request');
    }
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    // Until the target parses, the request is counted as a non-resource request of its method.
    let ri = parseRequestInfo(method, '', new URLSearchParams());
    let user: UserInfo | undefined;
    let code = 200;
    let longRunning = false;
    let release: (() => void) | undefined;
    try {
      const { path, query } = parseRequestTarget(req.url ?? '/');
      ri = parseRequestInfo(method, path, query);
      const health = HEALTH_PATHS.test(path);
      user = await this.#authenticate(req);
      // Anonymous requests reach health, version and the cluster-info ConfigMap only (joining nodes
      // read it before they trust anything), and only what RBAC grants system:anonymous there
      // (kube-apiserver's anonymous authentication limited to these endpoints); a request that
      // presents a token the server does not accept is refused, not served as anonymous (as
      // upstream's union authenticator).
      if (!user && (ANONYMOUS_PATHS.test(path) || (isClusterInfoRead(ri) && req.headers.authorization === undefined))) user = ANONYMOUS;
      if (!user) throw unauthorized();
      user = await impersonate(user, req.headers, this.#authorizer);
      longRunning = isLongRunning(ri);
      // Upstream's max-in-flight filter (and priority-and-fairness's exempt level) lets
      // system:masters and health probes through; long-running requests hold no slot.
      if (!longRunning && !health && !user.groups.includes(PRIVILEGED_GROUP)) {
        release = this.#inflight.tryAcquire(requestKind(ri));
        if (!release) {
          res.setHeader('Retry-After', '1');
          throw tooManyRequests();
        }
      }
      // After the in-flight limit, as upstream's handler chain (WithMaxInFlightLimit wraps WithAuthorization).
      await this.#authorize(user, ri, query);
      if (!ri.isResourceRequest && path === NODE_CERTIFICATE_PATH && this.#opts.clusterSigner) {
        await handleNodeCertificate(req, res, user, this.#opts.clusterSigner, this.#log);
      } else if (ri.isResourceRequest && ri.group === METRICS_GROUP) {
        await handleMetricsRequest({ res, accept: req.headers.accept, ri, query, cache: this.#cache, registries: this.#registries, collector: this.#summaries, signal: this.#abort.signal });
      } else if (ri.isResourceRequest) {
        const info = lookupResource(ri.group, ri.version, ri.resource);
        // Neither the resource nor a cluster-scoped one under a namespace has a route upstream.
        if (!info || (info.namespaced === false && ri.namespace)) throw notServed();
        checkRoute(info, ri, method);
        if (REVIEW_RESOURCES.has(info.resource)) {
          await handleReview({ req, res, ri, info, user, authorizer: this.#authorizer, ruleResolver: this.#rbac });
        } else if (info.group === '' && info.resource === 'componentstatuses') {
          await handleComponentStatuses({ res, info, name: ri.name, query, accept: req.headers.accept, probe: () => this.#componentHealth() });
        } else {
          // A resource without storage of its own is not served: never through another's registry.
          const registry = this.#registries.get(registryKey(info));
          if (!registry) throw notServed();
          const server: ServerContext = {
            cache: this.#cache, registries: this.#registries, watchCount: this.#watchCount, signal: this.#abort.signal,
            ...(this.#opts.kubeletClient ? { kubeletClient: this.#opts.kubeletClient } : {}),
            ...(this.#saSigner ? { serviceAccountTokens: this.#saSigner } : {}),
            ...(this.#opts.typedDecoding === false ? { typedDecoding: false } : {}),
          };
          if (longRunning) this.#metrics.longRunning.inc(labels(ri));
          try {
            await handleResource({ req, res, ri, query, user, info, registry, server });
          } finally {
            if (longRunning) this.#metrics.longRunning.dec(labels(ri));
          }
        }
      } else {
        // Discovery, health, version, metrics and OpenAPI are read-only documents.
        if (method !== 'GET' && method !== 'HEAD') throw methodNotAllowed(METHOD_NOT_ALLOWED);
        const served = await handleNonResource(req, res, path, query, {
          serverAddress: `${this.#address?.address ?? '127.0.0.1'}:${this.#address?.port ?? 0}`,
          health: { checks: () => [{ name: 'ping', ok: true }, { name: 'etcd', ok: this.#cache.ready }, { name: 'informer-sync', ok: this.#cache.ready }] },
          metrics: () => this.#metrics.registry.metrics(),
          extraGroups: [METRICS_API_GROUP],
        });
        if (!served) throw notServed();
      }
      code = res.statusCode;
    } catch (err) {
      const status = this.#failure(err, req, ri, user);
      code = status.code;
      if (!res.headersSent) writeStatus(res, status);
      else res.destroy();
    } finally {
      release?.();
      const secs = Number(process.hrtime.bigint() - started) / 1e9;
      this.#record(labels(ri), code, longRunning ? undefined : secs);
      if (this.#debug) this.#log.debug({ verb: ri.verb || method, path: logPath(req), code, ms: Math.round(secs * 1000), ua: req.headers['user-agent'] }, 'request');
    }
  }

  /**
   * The one place a failed request becomes its answer: a StatusError is answered as it is; any
   * other exception is unexpected — logged with the request, answered with a generic 500.
   */
  #failure(err: unknown, req: IncomingMessage, ri: RequestInfo, user: UserInfo | undefined): Status {
    const { status, unexpected } = statusForFailure(err);
    if (unexpected) this.#log.error({ err, verb: ri.verb || req.method, path: logPath(req), user: user?.name }, 'unexpected error serving a request');
    else if (status.code >= 500) this.#log.error({ err, verb: ri.verb, path: logPath(req), user: user?.name }, 'request failed');
    return status;
  }

  /** If answering itself failed: log it and close the connection; the process keeps serving. */
  #lastResort(err: unknown, req: IncomingMessage, out: ServerResponse | Duplex): void {
    try {
      this.#log.error({ err, method: req.method, path: logPath(req) }, 'answering a request failed');
    } finally {
      out.destroy();
    }
  }

  /** componentstatuses: the embedding process's components, and etcd-0 probed by a read of the store. */
  async #componentHealth(): Promise<ComponentHealth[]> {
    const out = [...(this.#opts.components?.() ?? [])];
    try {
      await this.#opts.store.currentRevision();
      out.push({ name: 'etcd-0', healthy: true, message: 'ok' });
    } catch (err) {
      this.#log.warn({ err }, 'componentstatuses: the store did not answer');
      out.push({ name: 'etcd-0', healthy: false, message: 'the store did not answer a read' });
    }
    return out;
  }
}

function logPath(req: IncomingMessage): string {
  const url = req.url ?? '';
  return url.length > MAX_LOGGED_PATH ? `${url.slice(0, MAX_LOGGED_PATH)}…` : url;
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
