// Pod sandboxes: the namespaces a pod's containers share (network, IPC, UTS; PID on request), the
// pod's network attachment and its infra ("pause") container. The namespaces are pinned files, so
// app containers join them by path and CNI attaches to them before the pause process exists; the
// pause container (catatonit) holds the pod's PID namespace and reaps orphans in it. Plays the part
// of CRI-O's server/sandbox_run_linux.go and sandbox_stop/remove.
import { readdir } from 'node:fs/promises';
import { join, posix } from 'node:path';
import type { PodNetwork, PortMapping } from '../../cni/index.ts';
import { cgroupHierarchies, removeCgroup, setCgroupLimits } from '../cgroups.ts';
import type { CgroupLimits } from '../cgroups.ts';
import type { ContainerDescription, ContainerManager, ContainerStatus } from '../container-manager.ts';
import { execFile } from '../exec-file.ts';
import { findBinary } from '../find-binary.ts';
import type { ImageStore } from '../images/index.ts';
import { PAUSE_IMAGE, ensureBaseImages } from '../images/index.ts';
import { KeyedMutex } from '../keyed-mutex.ts';
import type { NamespaceKind, NamespacePinner } from '../netns/index.ts';
import type { RuntimeSelector } from '../oci-runtime.ts';
import type { NamespaceMode } from '../oci-spec.ts';
import { InvalidSandbox, SandboxAlreadyExists, isSandboxNotFound } from './errors.ts';
import {
  ID_PATTERN,
  listSandboxIds,
  readSandboxRecord,
  removeSandboxRecord,
  writeSandboxRecord,
} from './sandbox-record.ts';
import type { SandboxNetworkMode, SandboxRecord } from './sandbox-record.ts';

/** Labels the sandbox layer puts on the containers it creates. */
export const SANDBOX_LABEL = 'skiff.sandbox';
export const ROLE_LABEL = 'skiff.role';

export interface SandboxRequest {
  id: string;
  name: string;
  hostname?: string;
  /** Absolute pod cgroup; `<cgroupRoot>/pod-<id>` by default. */
  cgroupParent?: string;
  portMappings?: PortMapping[];
  shareProcessNamespace?: boolean;
  network: SandboxNetworkMode;
  labels?: Record<string, string>;
  /** Limits of the pod cgroup as a whole (the kubelet's pod-level resources), set once it exists. */
  resources?: CgroupLimits;
  /** Runtime handler of the pause and the app containers (the pod's RuntimeClass); the engine's default when absent. */
  runtime?: RuntimeSelector;
}

export interface SandboxStatus {
  id: string;
  name: string;
  hostname: string;
  state: 'ready' | 'notready';
  network: SandboxNetworkMode;
  ip?: string;
  pausePid?: number;
  pauseContainerId?: string;
  cgroupParent: string;
  shareProcessNamespace: boolean;
  createdAt: string;
  labels: Record<string, string>;
  runtime?: RuntimeSelector;
}

/** An app container: what ContainerManager takes, minus what the sandbox decides. */
export type SandboxContainerDescription = Omit<ContainerDescription, 'namespaces' | 'cgroupParent' | 'hostname'>;

export interface SandboxManagerOptions {
  dataDir: string;
  containers: ContainerManager;
  images: ImageStore;
  pinner: NamespacePinner;
  /** Needed for `network: 'pod'` sandboxes. */
  network?: PodNetwork;
}

export interface RemoveSandboxOptions {
  /** Grace period for app containers (SIGTERM, then SIGKILL); the pause gets SIGKILL. */
  graceSeconds?: number;
}

export class SandboxManager {
  readonly #dataDir: string;
  readonly #containers: ContainerManager;
  readonly #images: ImageStore;
  readonly #pinner: NamespacePinner;
  readonly #network: PodNetwork | undefined;
  readonly #locks = new KeyedMutex();
  #pauseLayers: Promise<string[]> | undefined;

  constructor(options: SandboxManagerOptions) {
    this.#dataDir = options.dataDir;
    this.#containers = options.containers;
    this.#images = options.images;
    this.#pinner = options.pinner;
    this.#network = options.network;
  }

  /** Pins the namespaces, attaches the network and starts the pause container. */
  async createSandbox(request: SandboxRequest): Promise<SandboxStatus> {
    if (!ID_PATTERN.test(request.id)) throw new InvalidSandbox(`invalid sandbox id "${request.id}": use letters, digits, '_', '.', '-' (at most 63)`);
    if (request.network === 'pod' && !this.#network) throw new InvalidSandbox(`sandbox "${request.id}": pod networking is not configured`);
    return this.#locks.run(request.id, async () => {
      try {
        await readSandboxRecord(this.#dataDir, request.id);
        throw new SandboxAlreadyExists(request.id);
      } catch (err) {
        if (!isSandboxNotFound(err)) throw err;
      }
      const cgroupParent = posix.normalize(request.cgroupParent ?? `${this.#containers.cgroupRoot}/pod-${request.id}`);
      const hostNet = request.network === 'host';
      const record: SandboxRecord = {
        id: request.id,
        name: request.name,
        hostname: request.hostname ?? request.name,
        cgroupParent,
        network: request.network,
        shareProcessNamespace: request.shareProcessNamespace ?? false,
        portMappings: [...(request.portMappings ?? [])],
        phase: 'creating',
        createdAt: new Date().toISOString(),
        namespaces: { ipc: this.#pinner.pathFor('ipc', request.id) },
        labels: { ...(request.labels ?? {}) },
        ...(request.runtime !== undefined ? { runtime: request.runtime } : {}),
      };
      // A host-network pod keeps the host's network and UTS namespaces (as the kubelet does).
      if (!hostNet) {
        record.namespaces.net = this.#pinner.pathFor('net', request.id);
        record.namespaces.uts = this.#pinner.pathFor('uts', request.id);
      }
      await writeSandboxRecord(this.#dataDir, record);
      try {
        const kinds: NamespaceKind[] = hostNet ? ['ipc'] : ['net', 'ipc', 'uts'];
        const layers = this.#pauseRootfs();
        // Only the sandbox names the pod (in its new UTS namespace): app containers join it and must not.
        await this.#pinner.pin(request.id, kinds, record.namespaces.uts ? hostnameCommand(record.hostname) : undefined);
        const networkReady = this.#attachNetwork(record);
        const pause = this.#startPause(record, await layers);
        // Wait for every step before deciding, so a failure never leaves one still running.
        const [n, p] = await Promise.allSettled([networkReady, pause]);
        for (const r of [n, p]) if (r.status === 'rejected') throw r.reason;
        if (n.status === 'fulfilled' && n.value !== undefined) record.ip = n.value;
        if (p.status === 'fulfilled') {
          record.pauseContainerId = p.value.id;
          record.pausePid = p.value.pid;
        }
        // The runtime made the pod cgroup on its way to the pause container's.
        if (request.resources) await setCgroupLimits(cgroupParent, request.resources);
        record.phase = 'ready';
        await writeSandboxRecord(this.#dataDir, record);
        return toStatus(record, true);
      } catch (err) {
        await this.#destroy(record, 0).catch(() => undefined);
        throw err;
      }
    });
  }

  /** Creates (not starts) an app container in the sandbox's namespaces and cgroup. */
  async addContainer(sandboxId: string, desc: SandboxContainerDescription): Promise<string> {
    const record = await readSandboxRecord(this.#dataDir, sandboxId);
    if (record.phase !== 'ready') throw new InvalidSandbox(`sandbox "${sandboxId}" is ${record.phase}, not ready`);
    return this.#containers.createContainer({
      ...(record.runtime !== undefined ? { runtime: record.runtime } : {}),
      ...desc,
      // Only a runtime whose containers are sandboxes of their own (gVisor) applies it: the others
      // join the pod's UTS namespace, which the pinner named.
      hostname: record.hostname,
      cgroupParent: record.cgroupParent,
      namespaces: joinedNamespaces(record),
      labels: { ...(desc.labels ?? {}), [SANDBOX_LABEL]: record.id, [ROLE_LABEL]: desc.labels?.[ROLE_LABEL] ?? 'app' },
    });
  }

  async status(id: string): Promise<SandboxStatus> {
    const record = await readSandboxRecord(this.#dataDir, id);
    return toStatus(record, await this.#pauseRunning(record));
  }

  async list(): Promise<SandboxStatus[]> {
    const out: SandboxStatus[] = [];
    for (const id of await listSandboxIds(this.#dataDir)) {
      try {
        out.push(await this.status(id));
      } catch {
        // removed meanwhile
      }
    }
    return out;
  }

  /** App containers of a sandbox (the pause container excluded). */
  async containersOf(id: string): Promise<ContainerStatus[]> {
    return (await this.#containers.list()).filter((c) => c.labels[SANDBOX_LABEL] === id && c.labels[ROLE_LABEL] !== 'pause');
  }

  /** Stops and removes every container, the pause, the network attachment, pins and cgroups. Idempotent. */
  async removeSandbox(id: string, options: RemoveSandboxOptions = {}): Promise<void> {
    await this.#locks.run(id, async () => {
      let record: SandboxRecord;
      try {
        record = await readSandboxRecord(this.#dataDir, id);
      } catch (err) {
        if (isSandboxNotFound(err)) return;
        throw err;
      }
      record.phase = 'removing';
      await writeSandboxRecord(this.#dataDir, record);
      await this.#destroy(record, options.graceSeconds ?? 10);
    });
  }

  /**
   * After a restart: removes sandboxes a crash left half-created or half-removed, then everything
   * no sandbox owns any more (pinned namespaces, CNI attachments and leases, labelled containers,
   * empty pod cgroups). Returns the sandboxes kept.
   */
  async recover(): Promise<SandboxStatus[]> {
    const known = new Set<string>();
    for (const id of await listSandboxIds(this.#dataDir)) {
      let record: SandboxRecord | undefined;
      try {
        record = await readSandboxRecord(this.#dataDir, id);
      } catch {
        await removeSandboxRecord(this.#dataDir, id);
        continue;
      }
      if (record.phase !== 'ready') {
        await this.#locks.run(id, () => this.#destroy(record, 0));
        continue;
      }
      known.add(id);
    }
    for (const c of await this.#containers.list()) {
      const owner = c.labels[SANDBOX_LABEL];
      if (owner !== undefined && !known.has(owner)) await this.#removeContainer(c, 0);
    }
    await this.#pinner.cleanupStale(known);
    if (this.#network) await this.#network.reconcile(known);
    await this.#removeStalePodCgroups(known);
    return this.list();
  }

  #pauseRootfs(): Promise<string[]> {
    this.#pauseLayers ??= (async () => {
      await ensureBaseImages(this.#images);
      return (await this.#images.rootfsLayers(PAUSE_IMAGE)).reverse();
    })();
    const p = this.#pauseLayers;
    p.catch(() => { this.#pauseLayers = undefined; });
    return p;
  }

  async #attachNetwork(record: SandboxRecord): Promise<string | undefined> {
    if (record.network === 'host' || !record.namespaces.net) return undefined;
    if (record.network === 'none') {
      await execFile(findBinary('nsenter') ?? 'nsenter', [`--net=${record.namespaces.net}`, findBinary('ip') ?? 'ip', 'link', 'set', 'lo', 'up']);
      return undefined;
    }
    const status = await this.#network!.setup({
      id: record.id,
      netnsPath: record.namespaces.net,
      ...(record.portMappings.length > 0 ? { portMappings: record.portMappings } : {}),
      args: { K8S_POD_NAME: record.name, K8S_POD_INFRA_CONTAINER_ID: record.id },
    });
    return status.ip;
  }

  async #startPause(record: SandboxRecord, lowerDirs: string[]): Promise<{ id: string; pid: number }> {
    const pauseConfig = await this.#images.inspectImage(PAUSE_IMAGE);
    const [uid = 65535, gid = 65535] = pauseConfig.config.User.split(':').map(Number);
    const id = await this.#containers.createContainer({
      name: `${record.name}-pause`,
      rootfs: { lowerDirs },
      args: [...(pauseConfig.config.Entrypoint ?? ['/usr/bin/catatonit', '-P'])],
      env: pauseConfig.config.Env,
      user: { uid, gid },
      noNewPrivileges: true,
      capabilities: { drop: ['ALL'] },
      readonlyRootfs: true,
      cgroupParent: record.cgroupParent,
      namespaces: { ...joinedNamespaces(record), pid: 'new' },
      resources: { cpuShares: 2 },
      hostname: record.hostname,
      ...(record.runtime !== undefined ? { runtime: record.runtime } : {}),
      labels: { [SANDBOX_LABEL]: record.id, [ROLE_LABEL]: 'pause' },
    });
    // Recorded before start so a failure below still finds it.
    record.pauseContainerId = id;
    await this.#containers.start(id);
    const st = await this.#containers.state(id);
    if (st.pid === undefined || st.status !== 'running') throw new InvalidSandbox(`sandbox "${record.id}": pause container exited (${st.message ?? st.reason ?? 'no reason'})`);
    return { id, pid: st.pid };
  }

  async #pauseRunning(record: SandboxRecord): Promise<boolean> {
    if (record.phase !== 'ready' || !record.pauseContainerId) return false;
    try {
      return (await this.#containers.state(record.pauseContainerId)).status === 'running';
    } catch {
      return false;
    }
  }

  async #destroy(record: SandboxRecord, graceSeconds: number): Promise<void> {
    const all = await this.#containers.list();
    const mine = all.filter((c) => c.labels[SANDBOX_LABEL] === record.id);
    const apps = mine.filter((c) => c.labels[ROLE_LABEL] !== 'pause');
    const pauses = mine.filter((c) => c.labels[ROLE_LABEL] === 'pause');
    await Promise.all(apps.map((c) => this.#removeContainer(c, graceSeconds)));
    await Promise.all(pauses.map((c) => this.#removeContainer(c, 0)));
    // A pause created but not yet listed (crash right after create) is found by id.
    if (record.pauseContainerId && !pauses.some((c) => c.id === record.pauseContainerId)) {
      await this.#removeContainer({ id: record.pauseContainerId }, 0);
    }
    if (record.network === 'pod' && this.#network) await this.#network.teardown(record.id);
    await this.#pinner.unpin(record.id);
    await removeCgroup(record.cgroupParent, record.cgroupParent);
    await removeSandboxRecord(this.#dataDir, record.id);
  }

  async #removeContainer(c: Pick<ContainerStatus, 'id'>, graceSeconds: number): Promise<void> {
    try {
      await this.#containers.stop(c.id, graceSeconds);
    } catch {
      // gone or never started; remove copes
    }
    try {
      await this.#containers.remove(c.id);
    } catch (err) {
      if ((err as { code?: string }).code !== 'CONTAINER_NOT_FOUND') throw err;
    }
  }

  async #removeStalePodCgroups(known: Set<string>): Promise<void> {
    const root = this.#containers.cgroupRoot;
    for (const h of cgroupHierarchies()) {
      let names: string[];
      try {
        names = await readdir(join(h.mountPoint, root));
      } catch {
        continue;
      }
      for (const n of names) {
        if (!n.startsWith('pod-') || known.has(n.slice(4))) continue;
        const path = `${root}/${n}`;
        await removeCgroup(path, path).catch(() => undefined);
      }
    }
  }
}

function joinedNamespaces(record: SandboxRecord): NonNullable<ContainerDescription['namespaces']> {
  const path = (p: string | undefined): NamespaceMode => (p ? { path: p } : 'host');
  return {
    network: path(record.namespaces.net),
    ipc: path(record.namespaces.ipc),
    uts: path(record.namespaces.uts),
    pid: record.shareProcessNamespace && record.pausePid !== undefined ? { path: `/proc/${record.pausePid}/ns/pid` } : 'new',
  };
}

function hostnameCommand(hostname: string): string[] {
  if (!/^[A-Za-z0-9]([A-Za-z0-9.-]{0,62})$/.test(hostname)) throw new InvalidSandbox(`invalid hostname "${hostname}"`);
  return [findBinary('hostname') ?? 'hostname', hostname];
}

function toStatus(record: SandboxRecord, pauseRunning: boolean): SandboxStatus {
  return {
    id: record.id,
    name: record.name,
    hostname: record.hostname,
    state: record.phase === 'ready' && pauseRunning ? 'ready' : 'notready',
    network: record.network,
    cgroupParent: record.cgroupParent,
    shareProcessNamespace: record.shareProcessNamespace,
    createdAt: record.createdAt,
    labels: record.labels,
    ...(record.ip !== undefined ? { ip: record.ip } : {}),
    ...(record.pausePid !== undefined ? { pausePid: record.pausePid } : {}),
    ...(record.pauseContainerId !== undefined ? { pauseContainerId: record.pauseContainerId } : {}),
    ...(record.runtime !== undefined ? { runtime: record.runtime } : {}),
  };
}
