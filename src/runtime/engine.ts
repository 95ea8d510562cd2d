// The engine as one object over one data directory: images, containers, pod sandboxes and the pod
// network, plus `run()`, docker's "image in, running container out". Everything lives under
// `dataDir` (and the cgroup root, bridge and subnet recorded in `<dataDir>/engine.json`), so
// several engines share a host without seeing each other. The engine has no loop of its own; a
// long-running host calls `engine.containers.run(signal)` for log rotation.
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PodNetwork } from '../cni/index.ts';
import type { PortMapping } from '../cni/index.ts';
import { ContainerManager } from './container-manager.ts';
import type { ContainerDescription, ContainerStatus } from './container-manager.ts';
import { containerPaths } from './container-record.ts';
import { ContainerNotFound, isContainerNotFound } from './errors.ts';
import { InvalidRunRequest, NameInUse } from './engine-errors.ts';
import { mergeImageConfig, resolveUser } from './engine-image-config.ts';
import { loadSettings } from './engine-settings.ts';
import type { EngineSettings } from './engine-settings.ts';
import { BUSYBOX_IMAGE, ImageStore, PAUSE_IMAGE, ensureBaseImages, isImageNotFound, normalizeReference } from './images/index.ts';
import type { ImageDetails } from './images/index.ts';
import { NamespacePinner } from './netns/index.ts';
import type { RuntimeSelector } from './oci-runtime.ts';
import type { ContainerResources, VolumeMount } from './oci-spec.ts';
import { ROLE_LABEL, SandboxManager } from './sandbox/index.ts';
import type { SandboxNetworkMode } from './sandbox/index.ts';

export const NAME_LABEL = 'skiff.name';
export const IMAGE_LABEL = 'skiff.image';
export const COMMAND_LABEL = 'skiff.command';
/** The container's own sandbox, made by `run()`: removed with the container. */
export const RUN_SANDBOX_LABEL = 'skiff.run-sandbox';
export const AUTOREMOVE_LABEL = 'skiff.autoremove';

export interface EngineOptions {
  dataDir: string;
  cgroupRoot?: string;
  bridge?: string;
  subnet?: string;
  runtime?: RuntimeSelector;
  conmon?: string;
}

export interface RunRequest {
  image: string;
  name?: string;
  /** Replaces the image's Cmd. */
  args?: string[];
  entrypoint?: string[];
  env?: string[];
  workingDir?: string;
  user?: string;
  tty?: boolean;
  mounts?: VolumeMount[];
  resources?: ContainerResources;
  runtime?: RuntimeSelector;
  /** `none` (default): own network namespace with loopback only; `pod`: a sandbox on the bridge. */
  network?: SandboxNetworkMode;
  /** Implies `network: 'pod'`. */
  portMappings?: PortMapping[];
  readonlyRootfs?: boolean;
  /** no_new_privs for the process; on unless set false (setuid binaries then do not elevate). */
  noNewPrivileges?: boolean;
  labels?: Record<string, string>;
  /** Remove on exit (the CLI's `--rm`; `recover()` removes such containers that stopped). */
  autoRemove?: boolean;
  /** Create only; the caller starts it (to attach first). */
  start?: boolean;
  /** Run in this existing sandbox instead of standalone. */
  sandboxId?: string;
}

export interface RunResult {
  id: string;
  name: string;
  sandboxId?: string;
  ip?: string;
}

const ID_PREFIX = /^[a-f0-9]{4,64}$/;

export class Engine {
  readonly dataDir: string;
  readonly settings: EngineSettings;
  readonly images: ImageStore;
  readonly containers: ContainerManager;
  readonly pinner: NamespacePinner;
  readonly network: PodNetwork;
  readonly sandboxes: SandboxManager;
  readonly #layerCache = new Map<string, { details: ImageDetails; lowerDirs: string[] }>();

  private constructor(dataDir: string, settings: EngineSettings, images: ImageStore, conmon: string | undefined) {
    this.dataDir = dataDir;
    this.settings = settings;
    this.images = images;
    this.containers = new ContainerManager({
      dataDir,
      cgroupRoot: settings.cgroupRoot,
      defaultRuntime: settings.runtime,
      ...(conmon ? { conmon } : {}),
    });
    this.pinner = new NamespacePinner({ runDir: join(dataDir, 'run') });
    this.network = new PodNetwork({ dataDir, subnet: settings.subnet, bridge: settings.bridge });
    this.sandboxes = new SandboxManager({ dataDir, containers: this.containers, images, pinner: this.pinner, network: this.network });
  }

  static async open(options: EngineOptions): Promise<Engine> {
    const requested: Partial<EngineSettings> = {};
    if (options.cgroupRoot !== undefined) requested.cgroupRoot = options.cgroupRoot;
    if (options.bridge !== undefined) requested.bridge = options.bridge;
    if (options.subnet !== undefined) requested.subnet = options.subnet;
    if (options.runtime !== undefined) requested.runtime = options.runtime;
    const settings = await loadSettings(options.dataDir, requested);
    const images = await ImageStore.open(join(options.dataDir, 'images'));
    return new Engine(options.dataDir, settings, images, options.conmon);
  }

  /** Resolves the image (building busybox and pause on first use), creates and starts a container. */
  async run(req: RunRequest): Promise<RunResult> {
    if (req.runtime?.startsWith('/')) {
      try {
        await access(req.runtime, constants.X_OK);
      } catch (err) {
        throw new InvalidRunRequest(`OCI runtime "${req.runtime}" not found or not executable`, { cause: err });
      }
    }
    const { details, lowerDirs } = await this.#image(req.image);
    const merged = mergeImageConfig(details.config, {
      ...(req.entrypoint ? { entrypoint: req.entrypoint } : {}),
      ...(req.args ? { args: req.args } : {}),
      ...(req.env ? { env: req.env } : {}),
      ...(req.workingDir ? { workingDir: req.workingDir } : {}),
      ...(req.user !== undefined ? { user: req.user } : {}),
    });
    const user = await resolveUser(merged.userSpec, lowerDirs);
    const name = req.name ?? `${imageBaseName(req.image)}-${randomBytes(3).toString('hex')}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/.test(name)) throw new InvalidRunRequest(`invalid container name "${name}": use letters, digits, '_', '.', '-'`);
    if ((await this.listContainers(true)).some((c) => c.name === name)) throw new NameInUse(name);
    const network: SandboxNetworkMode = req.portMappings && req.portMappings.length > 0 ? 'pod' : (req.network ?? 'none');
    const labels: Record<string, string> = {
      ...(req.labels ?? {}),
      [NAME_LABEL]: name,
      [IMAGE_LABEL]: req.image,
      [COMMAND_LABEL]: merged.args.join(' '),
      ...(req.autoRemove ? { [AUTOREMOVE_LABEL]: 'true' } : {}),
    };
    const desc: Omit<ContainerDescription, 'namespaces' | 'cgroupParent' | 'hostname'> = {
      name,
      rootfs: { lowerDirs },
      args: merged.args,
      env: merged.env,
      cwd: merged.cwd,
      user,
      tty: req.tty ?? false,
      noNewPrivileges: req.noNewPrivileges ?? true,
      labels,
      ...(req.mounts ? { mounts: req.mounts } : {}),
      ...(req.resources ? { resources: req.resources } : {}),
      ...(req.runtime ? { runtime: req.runtime } : {}),
      ...(req.readonlyRootfs ? { readonlyRootfs: true } : {}),
    };
    let id: string;
    let sandboxId = req.sandboxId;
    let ip: string | undefined;
    if (sandboxId !== undefined) {
      id = await this.sandboxes.addContainer(sandboxId, desc);
      ip = (await this.sandboxes.status(sandboxId)).ip;
    } else if (network === 'pod') {
      sandboxId = randomBytes(16).toString('hex');
      const sb = await this.sandboxes.createSandbox({
        id: sandboxId,
        name,
        hostname: name,
        network,
        ...(req.portMappings ? { portMappings: req.portMappings } : {}),
        ...(req.runtime ? { runtime: req.runtime } : {}),
        labels: { [NAME_LABEL]: name },
      });
      ip = sb.ip;
      try {
        id = await this.sandboxes.addContainer(sandboxId, { ...desc, labels: { ...labels, [RUN_SANDBOX_LABEL]: sandboxId } });
      } catch (err) {
        await this.sandboxes.removeSandbox(sandboxId, { graceSeconds: 0 }).catch(() => undefined);
        throw err;
      }
    } else {
      const host = network === 'host';
      id = await this.containers.createContainer({
        ...desc,
        hostname: name,
        namespaces: { network: host ? 'host' : 'new', uts: host ? 'host' : 'new', ipc: 'new', pid: 'new' },
      });
    }
    if (req.start !== false) {
      try {
        await this.containers.start(id);
      } catch (err) {
        await this.removeContainer(id, { force: true }).catch(() => undefined);
        throw err;
      }
    }
    return { id, name, ...(sandboxId !== undefined ? { sandboxId } : {}), ...(ip !== undefined ? { ip } : {}) };
  }

  /** Containers made by `run()` or added to sandboxes (pause containers left out). */
  async listContainers(all = false): Promise<ContainerStatus[]> {
    const list = (await this.containers.list()).filter((c) => c.labels[ROLE_LABEL] !== 'pause');
    const shown = all ? list : list.filter((c) => c.status === 'running');
    return shown.sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
  }

  /** A container by name, full id or unique id prefix. */
  async findContainer(ref: string): Promise<ContainerStatus> {
    const list = await this.listContainers(true);
    const byName = list.find((c) => c.name === ref || c.id === ref);
    if (byName) return byName;
    if (ID_PREFIX.test(ref)) {
      const matches = list.filter((c) => c.id.startsWith(ref));
      if (matches.length === 1) return matches[0]!;
    }
    throw new ContainerNotFound(ref);
  }

  async stopContainer(ref: string, graceSeconds = 10): Promise<ContainerStatus> {
    const c = await this.findContainer(ref);
    return this.containers.stop(c.id, graceSeconds);
  }

  /** Removes a container (and the sandbox `run()` made for it); a running one only with `force`. */
  async removeContainer(ref: string, options: { force?: boolean; graceSeconds?: number } = {}): Promise<void> {
    let c: ContainerStatus;
    try {
      c = await this.findContainer(ref);
    } catch (err) {
      if (!isContainerNotFound(err)) throw err;
      c = await this.containers.state(ref);
    }
    if (c.status === 'running') {
      if (!options.force) throw new InvalidRunRequest(`container "${c.name}" is running: stop it first or remove it with --force`);
      await this.containers.stop(c.id, options.graceSeconds ?? 0);
    }
    await this.containers.remove(c.id);
    const sandboxId = c.labels[RUN_SANDBOX_LABEL];
    if (sandboxId !== undefined) await this.sandboxes.removeSandbox(sandboxId, { graceSeconds: 0 });
  }

  /** Waits for the container to stop, polling its exit file every `pollMs`. */
  async wait(id: string, options: { pollMs?: number; signal?: AbortSignal } = {}): Promise<ContainerStatus> {
    for (;;) {
      const st = await this.containers.state(id);
      if (st.status === 'stopped') return st;
      options.signal?.throwIfAborted();
      await sleep(options.pollMs ?? 10);
    }
  }

  /** The bundle of a container: conmon's attach socket, resize fifo. */
  bundleOf(id: string): string {
    return containerPaths(this.dataDir, id).bundle;
  }

  /**
   * After a restart (or a crash): finds containers and sandboxes again, removes what was left
   * half-done, and removes stopped `--rm` containers whose CLI died before removing them.
   */
  async recover(): Promise<void> {
    await this.containers.recover();
    await this.sandboxes.recover();
    for (const c of await this.listContainers(true)) {
      if (c.status === 'stopped' && c.labels[AUTOREMOVE_LABEL] === 'true') await this.removeContainer(c.id).catch(() => undefined);
    }
  }

  /** Removes every container and sandbox of this engine, then the bridge (tests, uninstall). */
  async reset(): Promise<void> {
    for (const sb of await this.sandboxes.list()) await this.sandboxes.removeSandbox(sb.id, { graceSeconds: 0 });
    for (const c of await this.containers.list()) {
      await this.containers.stop(c.id, 0).catch(() => undefined);
      await this.containers.remove(c.id);
    }
    await this.recover();
    await this.network.cleanupNetwork({ force: true });
  }

  async close(): Promise<void> {
    this.#layerCache.clear();
  }

  async #image(ref: string): Promise<{ details: ImageDetails; lowerDirs: string[] }> {
    const cached = this.#layerCache.get(ref);
    if (cached) return cached;
    let details: ImageDetails;
    try {
      details = await this.images.inspectImage(ref);
    } catch (err) {
      if (!isImageNotFound(err) || !isBaseImage(ref)) throw err;
      await ensureBaseImages(this.images);
      details = await this.images.inspectImage(ref);
    }
    const lowerDirs = (await this.images.rootfsLayers(details.digest)).reverse();
    const entry = { details, lowerDirs };
    this.#layerCache.set(ref, entry);
    return entry;
  }
}

function isBaseImage(ref: string): boolean {
  try {
    const n = normalizeReference(ref);
    return n === BUSYBOX_IMAGE || n === PAUSE_IMAGE || n === 'docker.io/library/pause:3.10';
  } catch {
    return false;
  }
}

function imageBaseName(ref: string): string {
  const last = ref.split('/').pop() ?? ref;
  return (last.split(/[:@]/)[0] ?? 'ctr').replace(/[^A-Za-z0-9_.-]/g, '') || 'ctr';
}
