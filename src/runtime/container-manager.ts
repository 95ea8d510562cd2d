// The container layer the node agent drives: create / start / state / stop / kill / remove / list,
// exec, stats and logs, for containers that run under conmon and so outlive this process. All state
// is on disk under `<dataDir>/containers/<id>/`; a new manager on the same data directory picks the
// containers up again (`recover()`). Plays the part of CRI-O's internal/oci and server/container_*.
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readCgroupStats, removeCgroup } from './cgroups.ts';
import type { CgroupStats } from './cgroups.ts';
import { execProcess, runExec } from './container-exec.ts';
import type { ExecOptions, ExecOutcome } from './container-exec.ts';
import { containerPaths, listContainerDirs, readRecord, writeRecord } from './container-record.ts';
import { containerStatus, readExitFile } from './container-status.ts';
import type { ContainerStatus } from './container-status.ts';
import type { ContainerFinished, ContainerRecord, RootfsRecord } from './container-record.ts';
import { InvalidContainerSpec, InvalidContainerState } from './errors.ts';
import { findBinary } from './find-binary.ts';
import { readHostHardLimits } from './host-limits.ts';
import { KeyedMutex } from './keyed-mutex.ts';
import { conmonReopenLog, readCriLog, rotateCriLog } from './logs/cri-log.ts';
import type { LogLine, ReadLogsOptions, RotateOptions } from './logs/cri-log.ts';
import { conmonCreate } from './monitor/conmon.ts';
import { conmonExec } from './monitor/conmon-exec.ts';
import { isProcessAlive, processName, processStartTime } from './monitor/process.ts';
import { OciRuntime } from './oci-runtime.ts';
import type { RuntimeSelector } from './oci-runtime.ts';
import { generateOciSpec } from './oci-spec.ts';
import type { OciSpec } from './oci-spec-types.ts';
import type { ContainerSpecInput } from './oci-spec.ts';
import { SharedLock } from './shared-lock.ts';
import { mountPoints } from './mounts/mountinfo.ts';
import { mountOverlay, unmountIfMounted, unmountOverlay } from './snapshots/overlay.ts';

export interface ContainerDescription extends Omit<ContainerSpecInput, 'rootfs' | 'cgroupsPath' | 'hostHardLimits' | 'arch'> {
  name: string;
  /** A prepared directory, or image layers (topmost first) for an overlay this manager mounts. */
  rootfs: { directory: string } | { lowerDirs: string[] };
  /** Absolute cgroup of the pod, at or under the manager's cgroup root; the root by default. */
  cgroupParent?: string;
  runtime?: RuntimeSelector;
  /** CRI log file; `<dataDir>/containers/<id>/container.log` by default. */
  logPath?: string;
  labels?: Record<string, string>;
  /** Keep the main process's stdin open for attach (conmon `-i`). */
  stdin?: boolean;
}

export type { ContainerStatus, ContainerStatusName } from './container-status.ts';

export interface ContainerStats extends CgroupStats {
  id: string;
  timestamp: string;
}

export interface ContainerManagerOptions {
  dataDir: string;
  /** Absolute cgroup under which every container (and pod parent) lives; `/skiff` by default. */
  cgroupRoot?: string;
  defaultRuntime?: RuntimeSelector;
  conmon?: string;
  /** Rotation applied by `run()` (and `rotateLogs()`); none when absent. */
  logRotation?: RotateOptions;
  rotationIntervalMs?: number;
}

const ID_PATTERN = /^[a-f0-9]{64}$/;

export class ContainerManager {
  readonly dataDir: string;
  readonly cgroupRoot: string;
  readonly #defaultRuntime: RuntimeSelector;
  readonly #conmon: string;
  readonly #runtimes = new Map<string, OciRuntime>();
  readonly #locks = new KeyedMutex();
  /** Creates (which make the pod's parent cgroups) share it; removing empty parents takes it alone. */
  readonly #cgroupLock = new SharedLock();
  readonly #logRotation: RotateOptions | undefined;
  readonly #rotationIntervalMs: number;

  constructor(options: ContainerManagerOptions) {
    this.dataDir = options.dataDir;
    this.cgroupRoot = posix.normalize(options.cgroupRoot ?? '/skiff');
    if (!this.cgroupRoot.startsWith('/') || this.cgroupRoot === '/') throw new InvalidContainerSpec(`cgroup root "${this.cgroupRoot}" must be an absolute path below /`);
    this.#defaultRuntime = options.defaultRuntime ?? 'crun';
    this.#conmon = options.conmon ?? findBinary('conmon') ?? '/usr/bin/conmon';
    this.#logRotation = options.logRotation;
    this.#rotationIntervalMs = options.rotationIntervalMs ?? 10_000;
  }

  get socketDir(): string {
    return join(this.dataDir, 'sockets');
  }

  async runtime(selector: RuntimeSelector = this.#defaultRuntime): Promise<OciRuntime> {
    let rt = this.#runtimes.get(selector);
    if (!rt) {
      rt = new OciRuntime({ selector, dataDir: this.dataDir });
      this.#runtimes.set(selector, rt);
    }
    await rt.init();
    return rt;
  }

  async createContainer(desc: ContainerDescription): Promise<string> {
    const id = randomBytes(32).toString('hex');
    const paths = containerPaths(this.dataDir, id);
    const parent = posix.normalize(desc.cgroupParent ?? this.cgroupRoot);
    if (parent !== this.cgroupRoot && !parent.startsWith(`${this.cgroupRoot}/`)) {
      throw new InvalidContainerSpec(`cgroup parent "${parent}" is not under the cgroup root "${this.cgroupRoot}"`);
    }
    const runtimeSelector = desc.runtime ?? this.#defaultRuntime;
    const runtime = await this.runtime(runtimeSelector);
    const rootfs: RootfsRecord =
      'directory' in desc.rootfs
        ? { kind: 'directory', path: realpathSync(desc.rootfs.directory) } // runc refuses symlinked roots
        : { kind: 'overlay', lowerDirs: [...desc.rootfs.lowerDirs], target: paths.rootfs, stateDir: paths.overlayState };
    const record: ContainerRecord = {
      id,
      name: desc.name,
      runtime: runtimeSelector,
      phase: 'creating',
      createdAt: new Date().toISOString(),
      rootfs,
      logPath: desc.logPath ?? paths.defaultLog,
      cgroupsPath: `${parent}/${id}`,
      cgroupRoot: this.cgroupRoot,
      tty: desc.tty ?? false,
      labels: { ...(desc.labels ?? {}) },
    };
    return this.#locks.run(id, async () => {
      await mkdir(paths.bundle, { recursive: true });
      await writeRecord(this.dataDir, record);
      try {
        if (rootfs.kind === 'overlay') await mountOverlay(rootfs.lowerDirs, { target: rootfs.target, stateDir: rootfs.stateDir });
        const { name: _n, rootfs: _r, cgroupParent: _c, runtime: _rt, logPath: _l, labels: _lb, stdin: _s, ...specInput } = desc;
        const spec = generateOciSpec({
          ...specInput,
          hostname: desc.hostname ?? desc.name,
          rootfs: rootfs.kind === 'overlay' ? rootfs.target : rootfs.path,
          cgroupsPath: record.cgroupsPath,
          hostHardLimits: readHostHardLimits(),
        });
        // A gVisor sandbox has a UTS namespace of its own whatever the spec says: it takes the
        // pod's hostname from the spec instead of the joined namespace.
        if (runtime.sandboxed && desc.hostname !== undefined) spec.hostname = desc.hostname;
        await writeFile(paths.config, JSON.stringify(spec));
        await mkdir(dirname(record.logPath), { recursive: true });
        await mkdir(paths.persistDir, { recursive: true });
        // Runtimes create the pod's parent cgroups on the way to the leaf; removal of a sibling's
        // empty parents must not run in between (see #destroy).
        const created = await this.#cgroupLock.shared(() => conmonCreate({
          conmon: this.#conmon,
          id,
          name: desc.name,
          runtime: runtime.command,
          runtimeArgs: runtime.globalArgs(),
          bundle: paths.bundle,
          pidFile: paths.pidFile,
          conmonPidFile: paths.conmonPidFile,
          logPath: record.logPath,
          exitDir: paths.exitDir,
          socketDir: this.socketDir,
          persistDir: paths.persistDir,
          workDir: paths.conmonDir,
          stderrPath: paths.conmonStderr,
          tty: record.tty,
          stdin: desc.stdin ?? false,
        }));
        record.pid = created.pid;
        record.conmonPid = created.conmonPid;
        const startTime = processStartTime(created.pid);
        if (startTime !== undefined) record.pidStartTime = startTime;
        record.phase = 'created';
        await writeRecord(this.dataDir, record);
        return id;
      } catch (err) {
        await this.#destroy(record).catch(() => {});
        throw err;
      }
    });
  }

  async start(id: string): Promise<void> {
    await this.#locks.run(id, async () => {
      const record = await readRecord(this.dataDir, id);
      if (record.phase !== 'created') throw new InvalidContainerState(id, `cannot start a container in phase ${record.phase}`);
      const rt = await this.runtime(record.runtime);
      record.startedAt = new Date().toISOString();
      await rt.start(id);
      record.phase = 'started';
      await writeRecord(this.dataDir, record);
    });
  }

  async state(id: string): Promise<ContainerStatus> {
    const record = await readRecord(this.dataDir, id);
    return containerStatus(this.dataDir, record);
  }

  async list(): Promise<ContainerStatus[]> {
    const out: ContainerStatus[] = [];
    for (const name of await listContainerDirs(this.dataDir)) {
      if (!ID_PATTERN.test(name)) continue;
      try {
        const record = await readRecord(this.dataDir, name);
        if (record.phase === 'creating') continue;
        out.push(await containerStatus(this.dataDir, record));
      } catch {
        // removed meanwhile, or a crash's leftover that recover() handles
      }
    }
    return out;
  }

  /** Sends a signal (`TERM`, `SIGKILL`, 9…) to the container's init process. */
  async kill(id: string, signal: string | number): Promise<void> {
    const record = await readRecord(this.dataDir, id);
    const rt = await this.runtime(record.runtime);
    const sig = typeof signal === 'string' ? signal.replace(/^SIG/i, '').toUpperCase() : signal;
    await rt.kill(id, sig);
  }

  /** SIGTERM, then SIGKILL after `graceSeconds`; resolves once the container has stopped. */
  async stop(id: string, graceSeconds: number): Promise<ContainerStatus> {
    let st = await this.state(id);
    if (st.status === 'stopped') return st;
    if (st.status === 'created') {
      await this.#killQuietly(id, 'KILL');
    } else {
      await this.#killQuietly(id, 'TERM');
      st = await this.waitForExit(id, graceSeconds * 1000);
      if (st.status === 'stopped') return st;
      await this.#killQuietly(id, 'KILL');
    }
    st = await this.waitForExit(id, 10_000);
    if (st.status !== 'stopped') throw new InvalidContainerState(id, 'did not stop after SIGKILL');
    return st;
  }

  /** Polls until the container has stopped or `timeoutMs` elapsed; returns the last status. */
  async waitForExit(id: string, timeoutMs: number, pollMs = 10): Promise<ContainerStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const st = await this.state(id);
      if (st.status === 'stopped' || Date.now() >= deadline) return st;
      await sleep(Math.min(pollMs, Math.max(1, deadline - Date.now())));
    }
  }

  /** Kills if needed, deletes it from the runtime, unmounts its rootfs, removes cgroups and files. */
  async remove(id: string): Promise<void> {
    await this.#locks.run(id, async () => {
      const record = await readRecord(this.dataDir, id);
      await this.#destroy(record);
    });
  }

  async exec(id: string, argv: string[], options: ExecOptions = {}): Promise<ExecOutcome> {
    const record = await readRecord(this.dataDir, id);
    const st = await containerStatus(this.dataDir, record);
    if (st.status !== 'running') throw new InvalidContainerState(id, `cannot exec in a ${st.status} container`);
    if (argv.length === 0) throw new InvalidContainerSpec('exec needs a command');
    const rt = await this.runtime(record.runtime);
    const paths = containerPaths(this.dataDir, id);
    const spec = JSON.parse(await readFile(paths.config, 'utf8')) as OciSpec;
    const execId = randomBytes(8).toString('hex');
    const execDir = join(paths.dir, `exec-${execId}`);
    const processFile = join(execDir, 'process.json');
    await mkdir(execDir, { recursive: true });
    await writeFile(processFile, JSON.stringify(execProcess(spec.process, argv, options)));
    try {
      // A terminal without input goes through conmon, which takes the pty from the runtime's
      // console socket; with input, through script(1) (see container-exec.ts).
      // conmon's exec passes `--tty`, which runsc refuses: a runtime without it takes script(1)'s.
      if (options.tty && !options.stdin && rt.execTtyFlag) return await this.#execUnderConmon(record, rt, execId, execDir, processFile, options);
      return await runExec(rt.command, rt.execArgs(id, processFile, options.tty ? { tty: true } : {}), options);
    } finally {
      await rm(execDir, { recursive: true, force: true });
      await rm(join(this.socketDir, execId), { recursive: true, force: true });
    }
  }

  async #execUnderConmon(record: ContainerRecord, rt: OciRuntime, execId: string, dir: string, processFile: string, options: ExecOptions): Promise<ExecOutcome> {
    const out: Buffer[] = [];
    const { exitCode } = await conmonExec({
      conmon: this.#conmon,
      containerId: record.id,
      execId,
      name: record.name,
      runtime: rt.command,
      runtimeArgs: rt.globalArgs(),
      bundle: containerPaths(this.dataDir, record.id).bundle,
      processSpec: processFile,
      dir,
      socketDir: this.socketDir,
      tty: true,
      onLine: (line) => {
        const chunk = Buffer.from(`${line.content}\n`);
        if (options.stdout) options.stdout.write(chunk);
        else out.push(chunk);
      },
      ...(options.signal ? { signal: options.signal } : {}),
    });
    return { exitCode, stdout: Buffer.concat(out), stderr: Buffer.alloc(0) };
  }

  async stats(id: string): Promise<ContainerStats> {
    const record = await readRecord(this.dataDir, id);
    return { id, timestamp: new Date().toISOString(), ...(await readCgroupStats(record.cgroupsPath)) };
  }

  /** Log lines of the container; `follow` ends when the container stops (or the signal aborts). */
  async *readLogs(id: string, options: Omit<ReadLogsOptions, 'stopWhen'> = {}): AsyncGenerator<LogLine> {
    const record = await readRecord(this.dataDir, id);
    const stopWhen = async (): Promise<boolean> => {
      try {
        return (await this.state(id)).status === 'stopped';
      } catch {
        return true;
      }
    };
    yield* readCriLog(record.logPath, { ...options, stopWhen });
  }

  /** Rotates the log of `id` (or of every running container) when over the configured size. */
  async rotateLogs(id?: string, options: RotateOptions | undefined = this.#logRotation): Promise<void> {
    if (!options) return;
    const ids = id ? [id] : (await this.list()).filter((c) => c.status === 'running').map((c) => c.id);
    for (const cid of ids) {
      const record = await readRecord(this.dataDir, cid);
      await rotateCriLog(record.logPath, options, () => conmonReopenLog(containerPaths(this.dataDir, cid).ctlFifo));
    }
  }

  /**
   * Finds the containers of an earlier process on this data directory and cleans up what a crash
   * left: half-created containers, containers whose conmon died (killed, marked stopped), overlay
   * mounts without a container, runtime containers without a record.
   */
  async recover(): Promise<ContainerStatus[]> {
    const known = new Set<string>();
    for (const name of await listContainerDirs(this.dataDir)) {
      let record: ContainerRecord | undefined;
      try {
        record = await readRecord(this.dataDir, name);
      } catch {
        record = undefined;
      }
      if (!record || record.phase === 'creating') {
        await this.#locks.run(name, async () => {
          if (record) await this.#destroy(record);
          else await this.#removeOrphanDir(name);
        });
        continue;
      }
      known.add(name);
      await this.#locks.run(name, async () => this.#adoptOrphan(record));
    }
    // Mounts under our containers directory that belong to no container.
    const prefix = join(this.dataDir, 'containers') + '/';
    for (const mp of mountPoints().reverse()) {
      if (!mp.startsWith(prefix)) continue;
      const id = mp.slice(prefix.length).split('/')[0] ?? '';
      if (!known.has(id)) await unmountIfMounted(mp);
    }
    // Runtime state for containers we have no record of (a crash between create and record).
    for (const selector of new Set<RuntimeSelector>(['crun', 'runc', 'gvisor', this.#defaultRuntime])) {
      let rt: OciRuntime;
      try {
        rt = await this.runtime(selector);
      } catch {
        continue;
      }
      for (const c of await rt.list().catch(() => [])) {
        if (!known.has(c.id)) await rt.delete(c.id).catch(() => {});
      }
    }
    return this.list();
  }

  /** Rotates logs periodically until aborted. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await sleep(this.#rotationIntervalMs, undefined, { signal });
      } catch {
        return;
      }
      await this.rotateLogs().catch(() => {});
    }
  }

  async #killQuietly(id: string, signal: string): Promise<void> {
    try {
      await this.kill(id, signal);
    } catch {
      // already gone
    }
  }

  /** A container whose conmon died while it kept running: nobody watches it, so end it. */
  async #adoptOrphan(record: ContainerRecord): Promise<void> {
    if (record.finished) return;
    if (await readExitFile(this.dataDir, record)) return;
    if (record.conmonPid !== undefined && isProcessAlive(record.conmonPid)) return;
    const rt = await this.runtime(record.runtime);
    if (record.pid !== undefined && isProcessAlive(record.pid, record.pidStartTime)) {
      await rt.kill(record.id, 'KILL').catch(() => {});
      for (let i = 0; i < 100 && isProcessAlive(record.pid, record.pidStartTime); i++) await sleep(10);
    }
    await rt.delete(record.id).catch(() => {});
    const finished: ContainerFinished = {
      exitCode: 137,
      reason: 'Error',
      finishedAt: new Date().toISOString(),
      message: 'container monitor (conmon) died; container killed on recovery',
    };
    await writeRecord(this.dataDir, { ...record, finished });
  }

  async #destroy(record: ContainerRecord): Promise<void> {
    const paths = containerPaths(this.dataDir, record.id);
    const rt = await this.runtime(record.runtime);
    if (record.pid !== undefined && isProcessAlive(record.pid, record.pidStartTime)) {
      await rt.kill(record.id, 'KILL').catch(() => {});
      for (let i = 0; i < 200 && isProcessAlive(record.pid, record.pidStartTime); i++) await sleep(10);
    }
    // The process is gone: the runtime's state and the root filesystem go in parallel.
    const deleted = (async () => {
      await rt.delete(record.id);
      if (record.conmonPid !== undefined) {
        // conmon exits on its own once the container is gone; end it only if it lingers.
        for (let i = 0; i < 500 && isProcessAlive(record.conmonPid); i++) await sleep(2);
        if (isProcessAlive(record.conmonPid) && processName(record.conmonPid) === 'conmon') {
          process.kill(record.conmonPid, 'SIGKILL');
        }
      }
    })();
    const unmounted = record.rootfs.kind === 'overlay'
      ? unmountOverlay({ target: record.rootfs.target, stateDir: record.rootfs.stateDir })
      : Promise.resolve();
    const [d, u] = await Promise.allSettled([deleted, unmounted]);
    if (d.status === 'rejected') throw d.reason;
    if (u.status === 'rejected') throw u.reason;
    // The leaf is this container's alone; its empty parents may be a new sibling's way down.
    await removeCgroup(record.cgroupsPath, record.cgroupsPath);
    await this.#cgroupLock.exclusive(() => removeCgroup(record.cgroupsPath, record.cgroupRoot));
    await rm(join(this.socketDir, record.id), { force: true, recursive: true });
    await rm(paths.dir, { recursive: true, force: true });
  }

  async #removeOrphanDir(id: string): Promise<void> {
    const paths = containerPaths(this.dataDir, id);
    await unmountIfMounted(paths.rootfs);
    await rm(join(this.socketDir, id), { force: true, recursive: true });
    await rm(paths.dir, { recursive: true, force: true });
  }
}
