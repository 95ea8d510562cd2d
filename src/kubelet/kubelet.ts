// The node agent: registers the Node, heartbeats through a Lease, keeps node status current, and
// runs the pods bound to this node through the engine (pkg/kubelet/kubelet.go Run). Usable in
// process (`skiff up`) and as `skiff agent`. Stopping it leaves containers running: the next start
// adopts them (D4).
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { Node, ResourceList } from '../api/types/core-v1.ts';
import type { Clientset } from '../client/clientset.ts';
import { resourcePath } from '../client/resource-client.ts';
import { Engine } from '../runtime/engine.ts';
import { EventRecorder } from '../client/event-recorder.ts';
import { LeaseRenewer } from './node/lease-renewer.ts';
import { defaultNodeIP } from './node/node-info.ts';
import type { AllocatableOverrides } from './node/node-info.ts';
import { NodeStatusManager } from './node/node-status-manager.ts';
import type { PodProbePlugin, PodVolumePlugin } from './pods/plugins.ts';
import { PodSyncer } from './pods/pod-sync.ts';
import { PodWorkers } from './pods/pod-workers.ts';
import { PodStreamResolver } from './pods/stream-backend.ts';
import type { PodStreamBackend } from './server/backend.ts';
import { KubeletServer } from './server/server.ts';
import { selfSignedServingCert } from '../pki/serving-cert.ts';
import { StatsProvider } from './stats/stats-provider.ts';
import { EvictionManager } from './eviction/eviction-manager.ts';
import { DEFAULT_EVICTION_HARD, parseEvictionHard } from './eviction/threshold.ts';
import { StatusManager } from './status/status-manager.ts';
import { PodProbes, execWithTimeout } from './probes/index.ts';
import { PodVolumes } from './volumes/index.ts';
import type { VolumeSources } from './volumes/index.ts';
import { isNotFound } from '../api/errors.ts';
import type { ConfigMap, PersistentVolume, PersistentVolumeClaim, Secret, Service } from '../api/types/core-v1.ts';
import { linkedServices } from './env/service-env.ts';
import { sleepOrAbort } from './util/sleep.ts';
import type { PodDnsSettings } from './pods/pod-files.ts';
import { RuntimeClassManager } from './runtimeclass/runtime-class-manager.ts';
import { availableRuntimeHandlers } from '../runtime/runtime-handlers.ts';

export interface EngineSettingsInput {
  /** Engine data directory; `<dataDir>/engine` by default. */
  dataDir?: string;
  cgroupRoot?: string;
  bridge?: string;
  /** Pod subnet; when absent, the node's spec.podCIDR (waited for). */
  subnet?: string;
}

export interface KubeletOptions {
  /**
   * The Kubelet's own Clientset: it starts the clientset's informers with its own lifetime, and
   * stopping the Kubelet closes that clientset's connections (do not share one with controllers).
   */
  clientset: Clientset;
  nodeName: string;
  /** The kubelet's directory: pod files, termination messages, volumes. */
  dataDir: string;
  log: Logger;
  /** An engine already opened (tests, `skiff up`); otherwise one is opened with `engineSettings`. */
  engine?: Engine;
  engineSettings?: EngineSettingsInput;
  /** status.addresses InternalIP and hostIP of pods; the first non-loopback IPv4 by default. */
  nodeIP?: string;
  /** --cluster-dns, --cluster-domain, --resolv-conf: what pods' resolv.conf holds. */
  dns?: PodDnsSettings;
  allocatable?: AllocatableOverrides;
  maxPods?: number;
  labels?: Record<string, string>;
  /** The streaming server's port (0 or absent: no server). */
  serverPort?: number;
  serverHost?: string;
  /** CA whose client certificates the streaming server accepts (the API server's). */
  clientCaPem?: string;
  /** Restart backoff: 10 s doubling to 5 min by default. */
  crashBackoff?: { baseMs: number; maxMs: number };
  imageBackoff?: { baseMs: number; maxMs: number };
  nodeStatusIntervalMs?: number;
  leaseIntervalMs?: number;
  relistIntervalMs?: number;
  /** Volume and probe plugins; src/kubelet/volumes and src/kubelet/probes by default. */
  volumes?: PodVolumePlugin;
  probes?: PodProbePlugin;
  /** Hard eviction threshold (--eviction-hard), `memory.available<100Mi` by default; '' turns eviction off. */
  evictionHard?: string;
  /** How often eviction thresholds are checked (ms); 10 s by default. */
  evictionIntervalMs?: number;
  /** How long MemoryPressure stays after the threshold stops being met (ms); 5 min by default. */
  evictionPressureTransitionMs?: number;
  /** RuntimeClass handlers offered (runc, crun, gvisor); those whose binary is installed by default. */
  runtimeHandlers?: readonly string[];
}

export class KubeletError extends Error {
  readonly code = 'KubeletError';
}

export class Kubelet {
  readonly #o: KubeletOptions;
  readonly #log: Logger;
  #engine: Engine | undefined;
  #workers: PodWorkers | undefined;
  #stats: StatsProvider | undefined;
  #eviction: EvictionManager | undefined;
  #ready: Array<() => void> = [];
  #isReady = false;

  constructor(opts: KubeletOptions) {
    this.#o = opts;
    this.#log = opts.log.child({ component: 'kubelet', node: opts.nodeName });
  }

  get engine(): Engine | undefined {
    return this.#engine;
  }

  get podWorkers(): PodWorkers | undefined {
    return this.#workers;
  }

  /** The node's resource usage (the Summary API); set once the engine is open. */
  get stats(): StatsProvider | undefined {
    return this.#stats;
  }

  /** Resolves once the node is registered and pods are being synced. */
  async waitReady(): Promise<void> {
    if (this.#isReady) return;
    await new Promise<void>((r) => this.#ready.push(r));
  }

  async run(signal: AbortSignal): Promise<void> {
    const o = this.#o;
    const evictionHard = o.evictionHard ?? DEFAULT_EVICTION_HARD;
    const threshold = evictionHard === '' ? undefined : parseEvictionHard(evictionHard);
    const nodeIP = o.nodeIP ?? defaultNodeIP();
    const handlers = o.runtimeHandlers ?? availableRuntimeHandlers().map((h) => h.name);
    await mkdir(o.dataDir, { recursive: true, mode: 0o750 });
    const inner = new AbortController();
    const onAbort = (): void => inner.abort();
    signal.addEventListener('abort', onAbort, { once: true });
    const sig = inner.signal;
    const tasks: Array<Promise<void>> = [];
    let stopProbes: (() => Promise<void>) | undefined;
    let server: KubeletServer | undefined;
    const recorder = new EventRecorder({ clientset: o.clientset, component: 'kubelet', host: o.nodeName, log: this.#log });
    tasks.push(recorder.run(sig));
    try {
      const nodeStatus = new NodeStatusManager({
        clientset: o.clientset,
        nodeName: o.nodeName,
        nodeIP,
        dataDir: o.dataDir,
        log: this.#log,
        ...(o.allocatable ? { allocatable: o.allocatable } : {}),
        ...(o.maxPods !== undefined ? { maxPods: o.maxPods } : {}),
        ...(o.labels ? { labels: o.labels } : {}),
        ...(o.nodeStatusIntervalMs !== undefined ? { updateIntervalMs: o.nodeStatusIntervalMs } : {}),
        memoryPressure: () => this.#eviction?.underMemoryPressure,
        runtimeHandlers: handlers,
        ...(!o.engine && o.engineSettings?.subnet ? { podCIDR: o.engineSettings.subnet } : {}),
      });
      await nodeStatus.register();
      const lease = new LeaseRenewer({ clientset: o.clientset, nodeName: o.nodeName, log: this.#log, ...(o.leaseIntervalMs !== undefined ? { renewIntervalMs: o.leaseIntervalMs } : {}) });
      tasks.push(lease.run(sig), nodeStatus.run(sig));
      const subnet = o.engine || o.engineSettings?.subnet ? undefined : await this.#waitForPodCidr(sig);
      if (sig.aborted) return;
      const engine = await this.#openEngine(subnet);
      await engine.recover();
      const stats = new StatsProvider({ engine, nodeName: o.nodeName, log: this.#log });
      this.#stats = stats;
      tasks.push(stats.run(sig));
      if (o.serverPort && o.serverPort > 0) {
        const cert = await selfSignedServingCert(nodeIP, [o.nodeName]);
        server = new KubeletServer({
          host: o.serverHost ?? '0.0.0.0',
          port: o.serverPort,
          tls: cert,
          ...(o.clientCaPem ? { clientCaPem: o.clientCaPem } : {}),
          backend: this.#lazyBackend(),
          engine,
          log: this.#log,
          stats,
        });
        nodeStatus.kubeletPort = (await server.listen()).port;
        await nodeStatus.updateStatus(true);
      }
      const statuses = new StatusManager(o.clientset, this.#log);
      let volumes = o.volumes;
      if (!volumes) {
        const pv = new PodVolumes({
          podsDir: join(o.dataDir, 'pods'),
          sources: this.#volumeSources(),
          node: () => ({ nodeName: o.nodeName, hostIPs: [nodeIP], allocatable: nodeStatus.lastReported?.allocatable ?? {} }),
          onRefreshError: (pod, err) => recorder.pod(pod, 'Warning', 'FailedMount', err.message),
          log: (message, fields) => this.#log.debug(fields ?? {}, message),
        });
        tasks.push(pv.run(sig));
        volumes = pv;
      }
      let probes = o.probes;
      if (!probes) {
        const pp = new PodProbes({
          exec: execWithTimeout(engine.containers),
          onResult: (uid) => this.#workers?.enqueue(uid),
          record: (pod, reason, message, fieldPath) => recorder.pod(pod, 'Warning', reason, message, fieldPath),
        });
        // Stopped after the pod workers (see finally): a sync finishing late would start probers again.
        stopProbes = () => pp.manager.stop();
        probes = pp;
      }
      const syncer = new PodSyncer({
        engine,
        clientset: o.clientset,
        recorder,
        statuses,
        log: this.#log,
        nodeName: o.nodeName,
        nodeIP,
        kubeletDir: o.dataDir,
        ...(o.dns ? { dns: o.dns } : {}),
        allocatable: (): ResourceList => nodeStatus.lastReported?.allocatable ?? {},
        crashBackoff: o.crashBackoff ?? { baseMs: 10_000, maxMs: 300_000 },
        imageBackoff: o.imageBackoff ?? { baseMs: 10_000, maxMs: 300_000 },
        volumes,
        probes,
        admit: (pod) => this.#eviction?.admit(pod),
        runtimeClasses: new RuntimeClassManager({ clientset: o.clientset, handlers }),
      });
      const workers = new PodWorkers({
        clientset: o.clientset,
        engine,
        syncer,
        nodeName: o.nodeName,
        log: this.#log,
        ...(o.relistIntervalMs !== undefined ? { relistIntervalMs: o.relistIntervalMs } : {}),
      });
      this.#workers = workers;
      if (threshold) {
        const eviction = new EvictionManager({
          stats, pods: workers, recorder, threshold, log: this.#log,
          ...(o.evictionIntervalMs !== undefined ? { intervalMs: o.evictionIntervalMs } : {}),
          ...(o.evictionPressureTransitionMs !== undefined ? { pressureTransitionMs: o.evictionPressureTransitionMs } : {}),
          onPressureChange: () => {
            nodeStatus.updateStatus(true).catch((err: unknown) => this.#log.warn({ err: (err as Error).message }, 'node status update failed'));
          },
        });
        this.#eviction = eviction;
        tasks.push(eviction.run(sig));
      }
      this.#resolver = new PodStreamResolver(workers, syncer, engine);
      if (server) tasks.push(server.run(sig));
      tasks.push(engine.containers.run(sig));
      const running = workers.run(sig);
      tasks.push(running);
      this.#isReady = true;
      for (const r of this.#ready.splice(0)) r();
      await running;
    } catch (err) {
      if (!sig.aborted) this.#log.error({ err: (err as Error).message }, 'kubelet stopped');
      throw err;
    } finally {
      inner.abort();
      signal.removeEventListener('abort', onAbort);
      await Promise.allSettled(tasks);
      await stopProbes?.();
      await recorder.flush().catch(() => undefined);
      this.#log.info('kubelet stopped; containers keep running');
    }
  }

  #resolver: PodStreamResolver | undefined;

  /** The streaming server may take requests before the pod workers run: it asks them through this. */
  #lazyBackend(): PodStreamBackend {
    const get = (): PodStreamResolver => {
      if (!this.#resolver) throw new KubeletError('the node agent is still starting');
      return this.#resolver;
    };
    return {
      resolveContainer: (ns, pod, c, opts) => get().resolveContainer(ns, pod, c, opts),
      podNetns: (ns, pod) => get().podNetns(ns, pod),
    };
  }

  #volumeSources(): VolumeSources {
    const cs = this.#o.clientset;
    const get = async <T extends ConfigMap | Secret | PersistentVolumeClaim | PersistentVolume>(resource: string, ns: string | undefined, name: string): Promise<T | undefined> => {
      try {
        return await cs.resource<T>('v1', resource).get(ns, name);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    };
    return {
      getConfigMap: (ns, name) => get<ConfigMap>('configmaps', ns, name),
      getSecret: (ns, name) => get<Secret>('secrets', ns, name),
      // Read when a container starts, as the kubelet's service lister would answer then.
      linkedServices: async (ns, enableServiceLinks) => {
        const services = cs.resource<Service>('v1', 'services');
        const [own, master] = await Promise.all([
          enableServiceLinks ? services.list(ns).then((l) => l.items) : Promise.resolve([]),
          services.get('default', 'kubernetes').catch((err: unknown) => { if (isNotFound(err)) return undefined; throw err; }),
        ]);
        return linkedServices(ns, enableServiceLinks, own, master);
      },
      getPersistentVolumeClaim: (ns, name) => get<PersistentVolumeClaim>('persistentvolumeclaims', ns, name),
      getPersistentVolume: (name) => get<PersistentVolume>('persistentvolumes', undefined, name),
      // A TokenRequest bound to the pod, as pkg/kubelet/token/token_manager.go asks for one: no
      // audience means the API server's own.
      requestServiceAccountToken: async (ns, sa, audience, expirationSeconds, pod) => {
        const path = resourcePath(cs.resource('v1', 'serviceaccounts').ref, ns, sa, 'token');
        const tr = await cs.rest.request<{ status?: { token?: string; expirationTimestamp?: string } }>('POST', path, {
          body: {
            apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest',
            spec: { audiences: audience ? [audience] : [], expirationSeconds, boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name: pod.name, uid: pod.uid } },
          },
        });
        if (!tr.status?.token) throw new KubeletError(`the API server answered serviceaccounts/${sa}/token without a token`);
        return { token: tr.status.token, ...(tr.status.expirationTimestamp ? { expirationTimestamp: tr.status.expirationTimestamp } : {}) };
      },
    };
  }

  async #openEngine(subnet: string | undefined): Promise<Engine> {
    if (this.#o.engine) {
      this.#engine = this.#o.engine;
      return this.#o.engine;
    }
    if (this.#engine) return this.#engine;
    const s = this.#o.engineSettings ?? {};
    this.#engine = await Engine.open({
      dataDir: s.dataDir ?? join(this.#o.dataDir, 'engine'),
      ...(s.cgroupRoot ? { cgroupRoot: s.cgroupRoot } : {}),
      ...(s.bridge ? { bridge: s.bridge } : {}),
      ...(subnet ?? s.subnet ? { subnet: subnet ?? s.subnet } : {}),
    });
    return this.#engine;
  }

  /** The node's spec.podCIDR, set by the control plane's node-ipam controller. */
  async #waitForPodCidr(signal: AbortSignal): Promise<string | undefined> {
    const nodes = this.#o.clientset.resource<Node>('v1', 'nodes');
    let logged = false;
    while (!signal.aborted) {
      const node = await nodes.get(undefined, this.#o.nodeName).catch(() => undefined);
      const cidr = node?.spec?.podCIDR;
      if (cidr) {
        this.#log.info({ podCIDR: cidr }, 'pod CIDR assigned');
        return cidr;
      }
      if (!logged) this.#log.info('waiting for the control plane to assign a pod CIDR');
      logged = true;
      await sleepOrAbort(250, signal);
    }
    return undefined;
  }
}
