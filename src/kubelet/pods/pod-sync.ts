// One level-triggered sync of one pod (pkg/kubelet/kubelet.go SyncPod and
// kuberuntime/kuberuntime_manager.go computePodActions/SyncPod): sandbox first, then init
// containers in order (each to completion; sidecars only until they run, see init-actions.ts),
// then app containers, restarts per restartPolicy with CrashLoopBackOff, and the status written
// when it changed. Termination (SyncTerminatingPod): preStop, SIGTERM, grace period, SIGKILL
// (sidecars after the app containers, in reverse order), sandbox removed, pod object deleted.
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../../api/errors.ts';
import type { ConfigMap, Container, Pod, ResourceList, Secret } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import type { ContainerStatus as EngineContainerStatus } from '../../runtime/container-manager.ts';
import type { Engine } from '../../runtime/engine.ts';
import type { SandboxStatus } from '../../runtime/sandbox/index.ts';
import { isSandboxNotFound } from '../../runtime/sandbox/index.ts';
import { isContainerConfigError, resolveContainerEnv } from '../env/index.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import { computePodStatus, isSidecar, shouldRestart } from '../status/pod-status.ts';
import type { Attempt, ContainerFacts } from '../status/pod-status.ts';
import type { StatusManager } from '../status/status-manager.ts';
import { Backoff } from './backoff.ts';
import { containerConfig, podCgroupResources } from './container-config.ts';
import { ImageManager, isImageError } from './image-manager.ts';
import { computeInitActions, type InitContainerView } from './init-actions.ts';
import {
  ATTEMPT_LABEL, CONTAINER_KIND_LABEL, CONTAINER_NAME_LABEL, IMAGE_ID_LABEL, POD_NAMESPACE_LABEL, POD_NAME_LABEL,
  POD_UID_LABEL, SPEC_IMAGE_LABEL, STDIN_LABEL, TERMINATION_LOG_LABEL, TERMINATION_POLICY_LABEL, TTY_LABEL,
} from './labels.ts';
import { runHook } from './lifecycle-hooks.ts';
import { podDir, podFileMounts, podHostnames, writePodFiles } from './pod-files.ts';
import type { PodDnsSettings } from './pod-files.ts';
import type { PodState } from './pod-state.ts';
import type { PodProbePlugin, PodVolumePlugin } from './plugins.ts';
import type { RuntimeClassManager } from '../runtimeclass/runtime-class-manager.ts';

export interface PodSyncerOptions {
  engine: Engine;
  clientset: Clientset;
  recorder: EventRecorder;
  statuses: StatusManager;
  log: Logger;
  nodeName: string;
  nodeIP: string;
  /** The kubelet's own directory (pod files, termination logs). */
  kubeletDir: string;
  /** What pods' resolv.conf points at (default: 10.43.0.10, cluster.local, the host's resolv.conf). */
  dns?: PodDnsSettings;
  allocatable: () => ResourceList;
  crashBackoff: { baseMs: number; maxMs: number };
  imageBackoff: { baseMs: number; maxMs: number };
  volumes?: PodVolumePlugin;
  probes?: PodProbePlugin;
  /** A pod's runtimeClassName → the runtime handler its sandbox and containers run under. */
  runtimeClasses?: RuntimeClassManager;
  /** Whether a pod that has not started may (kubelet admission: the eviction manager's Admit). */
  admit?: (pod: Pod) => { reason: string; message: string } | undefined;
}

type Kind = 'init' | 'app';

/** A container's runs, oldest first. */
type Runs = Map<string, Attempt[]>;

const MAX_TERMINATION_MESSAGE = 4096;
const FALLBACK_LOG_LINES = 80;
const FALLBACK_LOG_BYTES = 2048;
/** Exited attempts kept per container besides the latest (for lastState and logs --previous). */
const KEEP_PREVIOUS = 1;
/** What a container whose turn to stop came late still gets (kuberuntime minimumGracePeriodInSeconds). */
const MIN_GRACE_SECONDS = 2;

export class PodSyncer {
  readonly #o: PodSyncerOptions;
  readonly #images: ImageManager;
  readonly #crash: Backoff;

  constructor(options: PodSyncerOptions) {
    this.#o = options;
    this.#images = new ImageManager({ engine: options.engine, recorder: options.recorder, backoff: options.imageBackoff });
    this.#crash = new Backoff(options.crashBackoff);
  }

  /** Engine runs of the pod's containers, grouped by container name. */
  async runs(st: PodState): Promise<Runs> {
    const out: Runs = new Map();
    for (const id of [...st.containerIds]) {
      let s: EngineContainerStatus;
      try {
        s = await this.#o.engine.containers.state(id);
      } catch {
        st.containerIds.delete(id);
        continue;
      }
      const name = s.labels[CONTAINER_NAME_LABEL] ?? '';
      const attempt: Attempt = { attempt: Number(s.labels[ATTEMPT_LABEL] ?? 0), status: s, image: s.labels[SPEC_IMAGE_LABEL] ?? '' };
      if (s.status === 'stopped') {
        let msg = st.terminationMessages.get(id);
        if (msg === undefined) {
          msg = await this.#terminationMessage(s);
          st.terminationMessages.set(id, msg);
        }
        if (msg) attempt.terminationMessage = msg;
      }
      const list = out.get(name) ?? [];
      list.push(attempt);
      out.set(name, list);
    }
    for (const list of out.values()) list.sort((a, b) => a.attempt - b.attempt);
    return out;
  }

  async sync(st: PodState): Promise<void> {
    const pod = st.pod;
    if (st.removedFromApi || pod.metadata.deletionTimestamp) {
      await this.terminate(st);
      return;
    }
    st.startTime ??= pod.status?.startTime ?? new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    delete st.nextSyncAt;
    let sandbox = await this.#sandbox(st.uid);
    let runs = await this.runs(st);
    if (!st.terminalPhase && !sandbox && st.containerIds.size === 0) {
      // A pod not admitted fails without running (pkg/kubelet/kubelet.go rejectPod).
      const rejected = this.#o.admit?.(pod);
      if (rejected) {
        st.terminalPhase = 'Failed';
        st.failure = { reason: rejected.reason, message: `Pod was rejected: ${rejected.message}` };
        this.#o.recorder.pod(pod, 'Warning', rejected.reason, rejected.message);
      }
    }
    const deadline = pod.spec?.activeDeadlineSeconds;
    if (!st.terminalPhase && deadline !== undefined) {
      // pkg/kubelet/active_deadline.go: past the deadline the pod fails and its containers stop.
      const until = Date.parse(st.startTime) + deadline * 1000;
      if (Date.now() >= until) {
        st.terminalPhase = 'Failed';
        st.failure = { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' };
        this.#o.recorder.pod(pod, 'Normal', 'DeadlineExceeded', st.failure.message);
      } else {
        this.#later(st, until);
      }
    }
    if (!st.terminalPhase) {
      if (sandbox && sandbox.state !== 'ready') {
        this.#o.recorder.pod(pod, 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
        await this.#o.engine.sandboxes.removeSandbox(st.uid, { graceSeconds: 0 });
        sandbox = undefined;
        runs = await this.runs(st);
      }
      if (!sandbox) {
        // A new pod shows Pending with its containers waiting while the sandbox is made and
        // images are pulled (upstream's first status update).
        if (!pod.status?.phase) await this.#writeStatus(st, undefined, runs);
        // A sandbox that cannot be made (e.g. a RuntimeClass handler the node lacks) still leaves
        // the status upstream's SyncPod writes first: Pending, containers ContainerCreating.
        sandbox = await this.#createSandbox(st).catch(async (err: unknown) => {
          await this.#writeStatus(st, undefined, runs).catch(() => undefined);
          throw err;
        });
      }
      await this.#syncContainers(st, sandbox, runs);
      runs = await this.runs(st);
      await this.#removeOldAttempts(st, runs);
    } else {
      // A finished pod: nothing runs again (e.g. activeDeadlineSeconds or a Failed init).
      await this.#stopContainers(st, runs, st.stopGraceSeconds ?? this.#grace(pod), { hooks: false, events: false });
      runs = await this.runs(st);
    }
    await this.#writeStatus(st, sandbox, runs);
    if (st.terminalPhase && !st.networkReleased && sandbox?.network === 'pod') {
      // A finished pod keeps its containers (for logs) but gives its IP back, as upstream stops
      // the sandbox of a terminated pod (pkg/kubelet/kubelet.go SyncTerminatedPod).
      await this.#o.engine.network.teardown(st.uid);
      st.networkReleased = true;
    }
  }

  async #writeStatus(st: PodState, sandbox: SandboxStatus | undefined, runs: Runs): Promise<void> {
    const pod = st.pod;
    const facts = new Map<string, ContainerFacts>();
    const running: Array<{ container: Container; containerId: string; isInit: boolean }> = [];
    for (const [kind, list] of [['init', pod.spec?.initContainers ?? []], ['app', pod.spec?.containers ?? []]] as const) {
      for (const c of list) {
        const attempts = runs.get(c.name) ?? [];
        const latest = attempts.at(-1);
        const f: ContainerFacts = { attempts };
        const w = st.waiting.get(c.name);
        if (w) f.waiting = w;
        if (latest?.status.status === 'running') {
          running.push({ container: c, containerId: latest.status.id, isInit: kind === 'init' });
          const v = this.#o.probes?.verdict(st.uid, c.name, latest.status.id);
          if (v?.ready !== undefined) f.ready = v.ready;
          else if (c.readinessProbe && !this.#o.probes) f.ready = false;
          if (v?.started !== undefined) f.started = v.started;
        }
        facts.set(c.name, f);
      }
    }
    this.#o.probes?.update(pod, running, sandbox?.ip);
    const status = computePodStatus({
      pod,
      sandboxReady: sandbox?.state === 'ready',
      ...(sandbox?.ip ? { podIP: sandbox.ip } : sandbox && pod.spec?.hostNetwork ? { podIP: this.#o.nodeIP } : {}),
      hostIP: this.#o.nodeIP,
      startTime: st.startTime!,
      containers: facts,
      ...(st.terminalPhase ? { terminalPhase: st.terminalPhase } : {}),
      ...(st.failure ? { failure: st.failure } : {}),
      now: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    });
    if (status.phase === 'Succeeded' || status.phase === 'Failed') st.terminalPhase = status.phase;
    await this.#o.statuses.set(pod, status);
  }

  async #sandbox(uid: string): Promise<SandboxStatus | undefined> {
    try {
      return await this.#o.engine.sandboxes.status(uid);
    } catch (err) {
      if (isSandboxNotFound(err)) return undefined;
      throw err;
    }
  }

  async #createSandbox(st: PodState): Promise<SandboxStatus> {
    const pod = st.pod;
    const spec = pod.spec!;
    try {
      // Unknown class or handler: the sandbox is not made and the pod stays Pending, retried
      // (kuberuntime_sandbox.go createPodSandbox; the event below carries the runtime's words).
      const runtime = await this.#o.runtimeClasses?.handlerFor(pod);
      const portMappings = spec.containers.flatMap((c) => (c.ports ?? [])
        .filter((p) => p.hostPort !== undefined && p.hostPort > 0)
        .map((p) => ({ hostPort: p.hostPort!, containerPort: p.containerPort, protocol: (p.protocol ?? 'TCP').toLowerCase() as 'tcp' | 'udp', ...(p.hostIP ? { hostIP: p.hostIP } : {}) })));
      const sb = await this.#o.engine.sandboxes.createSandbox({
        id: st.uid,
        name: `${pod.metadata.namespace}_${pod.metadata.name}`.slice(0, 200),
        hostname: podHostnames(pod).hostname,
        network: spec.hostNetwork ? 'host' : 'pod',
        shareProcessNamespace: spec.shareProcessNamespace === true,
        ...(portMappings.length > 0 ? { portMappings } : {}),
        resources: podCgroupResources(pod),
        ...(runtime !== undefined ? { runtime } : {}),
        labels: { [POD_UID_LABEL]: st.uid, [POD_NAME_LABEL]: pod.metadata.name!, [POD_NAMESPACE_LABEL]: pod.metadata.namespace ?? 'default' },
      });
      await writePodFiles(this.#o.kubeletDir, pod, sb.ip ?? (spec.hostNetwork ? this.#o.nodeIP : undefined), this.#o.dns);
      return sb;
    } catch (err) {
      this.#o.recorder.pod(pod, 'Warning', 'FailedCreatePodSandBox', `Failed to create pod sandbox: ${(err as Error).message}`);
      throw err;
    }
  }

  async #syncContainers(st: PodState, sandbox: SandboxStatus, runs: Runs): Promise<void> {
    const pod = st.pod;
    const spec = pod.spec!;
    if (this.#o.volumes) {
      try {
        await this.#o.volumes.setUp(pod);
      } catch (err) {
        this.#o.recorder.pod(pod, 'Warning', 'FailedMount', (err as Error).message);
        throw err;
      }
    }
    const latestOf = (name: string): Attempt | undefined => runs.get(name)?.at(-1);
    // The app containers are done when none runs and none will run again: the sidecars are then
    // stopped and not restarted (computePodActions: KillPod when nothing is kept or to start).
    const appDone = spec.containers.every((c) => {
      const l = latestOf(c.name);
      return l?.status.status === 'stopped' && !shouldRestart(pod, l.status.exitCode);
    });
    if (appDone) {
      await this.#stopContainers(st, runs, this.#grace(pod));
      return;
    }
    const initSpecs = spec.initContainers ?? [];
    const actions = computeInitActions({
      init: initSpecs.map((c): InitContainerView => {
        const l = latestOf(c.name);
        if (!l) return { container: c };
        const view: InitContainerView = { container: c, latest: { state: l.status.status, ...(l.status.exitCode !== undefined ? { exitCode: l.status.exitCode } : {}) } };
        const v = l.status.status === 'running' && isSidecar(c) ? this.#o.probes?.verdict(st.uid, c.name, l.status.id) : undefined;
        if (v) view.verdict = { ...(v.started !== undefined ? { started: v.started } : {}), ...(v.livenessFailed ? { livenessFailed: true } : {}) };
        return view;
      }),
      appStarted: spec.containers.some((c) => ['running', 'created'].includes(latestOf(c.name)?.status.status ?? '')),
      restartPolicy: spec.restartPolicy ?? 'Always',
    });
    if (actions.failed) return; // the pod is Failed
    for (const { index, probe, message } of actions.kill) {
      const c = initSpecs[index]!;
      const id = latestOf(c.name)!.status.id;
      this.#o.recorder.pod(pod, 'Normal', 'Killing', message, `spec.initContainers{${c.name}}`);
      const graceOverride = (probe === 'startup' ? c.startupProbe : c.livenessProbe)?.terminationGracePeriodSeconds;
      await this.#stopContainer(st, c, id, this.#grace(pod, graceOverride), { fieldPath: `spec.initContainers{${c.name}}` });
      st.nextSyncAt = Date.now();
    }
    for (const index of actions.start) {
      const c = initSpecs[index]!;
      const started = await this.#startWithBackoff(st, sandbox, c, 'init', latestOf(c.name));
      // A sidecar running is news the relist would not bring (the sync made it): sync again so
      // what waits for it starts. Its startup probe, if any, asks for its own sync once it passed.
      if (started && isSidecar(c)) this.#later(st, Date.now());
    }
    if (!actions.initialized) return;
    for (const c of spec.containers) {
      const latest = runs.get(c.name)?.at(-1);
      if (latest?.status.status === 'running') {
        const v = this.#o.probes?.verdict(st.uid, c.name, latest.status.id);
        if (v?.livenessFailed) {
          this.#o.recorder.pod(pod, 'Normal', 'Killing', `Container ${c.name} failed liveness probe, will be restarted`, `spec.containers{${c.name}}`);
          await this.#stopContainer(st, c, latest.status.id, this.#grace(pod, c.livenessProbe?.terminationGracePeriodSeconds));
          // Restarted on the next sync, which the exit triggers.
          st.nextSyncAt = Date.now();
        }
        continue;
      }
      if (latest?.status.status === 'created') continue;
      if (latest && !shouldRestart(pod, latest.status.exitCode)) continue;
      await this.#startWithBackoff(st, sandbox, c, 'app', latest);
    }
  }

  /** Starts the container unless its backoff holds it; whether it runs now. */
  async #startWithBackoff(st: PodState, sandbox: SandboxStatus, c: Container, kind: Kind, latest: Attempt | undefined): Promise<boolean> {
    const pod = st.pod;
    const fieldPath = kind === 'init' ? `spec.initContainers{${c.name}}` : `spec.containers{${c.name}}`;
    const key = `${st.uid}/${c.name}`;
    if (latest) {
      const finished = Date.parse(latest.status.finishedAt ?? '') || Date.now();
      const until = this.#crash.blockedUntil(key, finished);
      if (until !== undefined) {
        const secs = Math.round(this.#crash.delayMs(key) / 1000);
        const message = `back-off ${secs}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${st.uid})`;
        st.waiting.set(c.name, { reason: 'CrashLoopBackOff', message });
        this.#o.recorder.pod(pod, 'Warning', 'BackOff', 'Back-off restarting failed container', fieldPath);
        this.#later(st, until);
        return false;
      }
      this.#crash.next(key);
    }
    // After a sandbox was re-created its old runs are gone: count on from the last attempt started.
    const last = st.lastAttempt.get(c.name);
    const attempt = latest ? latest.attempt + 1 : last !== undefined ? last + 1 : 0;
    return this.#startContainer(st, sandbox, c, kind, attempt, fieldPath);
  }

  #later(st: PodState, at: number): void {
    st.nextSyncAt = st.nextSyncAt === undefined ? at : Math.min(st.nextSyncAt, at);
  }

  async #startContainer(st: PodState, sandbox: SandboxStatus, c: Container, kind: Kind, attempt: number, fieldPath: string): Promise<boolean> {
    const pod = st.pod;
    let image;
    try {
      image = await this.#images.ensure(pod, c, fieldPath);
    } catch (err) {
      if (!isImageError(err)) throw err;
      st.waiting.set(c.name, { reason: err.reason, message: err.message });
      if (err.retryAt !== undefined) this.#later(st, err.retryAt);
      return false;
    }
    const configError = (message: string): void => {
      st.waiting.set(c.name, { reason: 'CreateContainerConfigError', message });
      this.#o.recorder.pod(pod, 'Warning', 'Failed', `Error: ${message}`, fieldPath);
      this.#later(st, Date.now() + Math.min(this.#o.crashBackoff.baseMs, 2000));
    };
    let desc;
    let terminationLog: string | undefined;
    try {
      const env = await resolveContainerEnv({
        pod,
        container: c,
        sources: this.#sources(),
        node: { nodeName: this.#o.nodeName, hostIPs: [this.#o.nodeIP], allocatable: this.#o.allocatable() },
        podIPs: sandbox.ip ? [sandbox.ip] : pod.spec?.hostNetwork ? [this.#o.nodeIP] : [],
      });
      for (const w of env.warnings) this.#o.recorder.pod(pod, 'Warning', 'InvalidEnvironmentVariableNames', w, fieldPath);
      const mounts = [...podFileMounts(await writePodFiles(this.#o.kubeletDir, pod, sandbox.ip ?? this.#o.nodeIP, this.#o.dns)), ...(await this.#o.volumes?.mountsFor(pod, c) ?? [])];
      const tmPath = c.terminationMessagePath ?? '/dev/termination-log';
      if (tmPath !== '') {
        const dir = join(podDir(this.#o.kubeletDir, st.uid), 'containers', c.name);
        await mkdir(dir, { recursive: true });
        terminationLog = join(dir, `${attempt}-termination-log`);
        await writeFile(terminationLog, '', { mode: 0o666 });
      }
      desc = await containerConfig({
        pod, container: c, image, env: env.env, command: env.command, args: env.args, mounts,
        labels: {
          [POD_UID_LABEL]: st.uid,
          [POD_NAME_LABEL]: pod.metadata.name!,
          [POD_NAMESPACE_LABEL]: pod.metadata.namespace ?? 'default',
          [CONTAINER_NAME_LABEL]: c.name,
          [ATTEMPT_LABEL]: String(attempt),
          [CONTAINER_KIND_LABEL]: kind,
          [SPEC_IMAGE_LABEL]: image.ref,
          [IMAGE_ID_LABEL]: image.imageID,
          [TERMINATION_POLICY_LABEL]: c.terminationMessagePolicy ?? 'File',
          [TTY_LABEL]: String(c.tty === true),
          [STDIN_LABEL]: String(c.stdin === true),
          ...(terminationLog ? { [TERMINATION_LOG_LABEL]: terminationLog } : {}),
        },
        ...(terminationLog ? { terminationLogPath: terminationLog } : {}),
      });
    } catch (err) {
      if (isContainerConfigError(err)) {
        configError(err.message);
        return false;
      }
      throw err;
    }
    let id: string;
    try {
      id = await this.#o.engine.sandboxes.addContainer(sandbox.id, desc);
    } catch (err) {
      st.waiting.set(c.name, { reason: 'CreateContainerError', message: (err as Error).message });
      this.#o.recorder.pod(pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`, fieldPath);
      this.#later(st, Date.now() + this.#o.crashBackoff.baseMs);
      return false;
    }
    st.containerIds.add(id);
    st.lastAttempt.set(c.name, attempt);
    this.#o.recorder.pod(pod, 'Normal', 'Created', `Created container: ${c.name}`, fieldPath);
    try {
      await this.#o.engine.containers.start(id);
    } catch (err) {
      st.waiting.set(c.name, { reason: 'RunContainerError', message: (err as Error).message });
      this.#o.recorder.pod(pod, 'Warning', 'Failed', `Error: ${(err as Error).message}`, fieldPath);
      this.#later(st, Date.now() + this.#o.crashBackoff.baseMs);
      return false;
    }
    st.waiting.delete(c.name);
    this.#o.recorder.pod(pod, 'Normal', 'Started', `Started container ${c.name}`, fieldPath);
    const postStart = c.lifecycle?.postStart;
    if (postStart) {
      const ac = new AbortController();
      const timer = setTimeout(() => ac.abort(), this.#grace(pod) * 1000 + 30_000);
      const failure = await runHook(postStart, { engine: this.#o.engine, containerId: id, container: c, podIP: sandbox.ip, signal: ac.signal });
      clearTimeout(timer);
      if (failure !== undefined) {
        this.#o.recorder.pod(pod, 'Warning', 'FailedPostStartHook', failure, fieldPath);
        st.postStartFailed.add(id);
        await this.#stopContainer(st, c, id, this.#grace(pod), { fieldPath });
        return false;
      }
    }
    return true;
  }

  #sources() {
    const cs = this.#o.clientset;
    const get = async <T extends ConfigMap | Secret>(resource: string, ns: string, name: string): Promise<T | undefined> => {
      try {
        return await cs.resource<T>('v1', resource).get(ns, name);
      } catch (err) {
        if (isNotFound(err)) return undefined;
        throw err;
      }
    };
    return {
      getConfigMap: (ns: string, name: string) => get<ConfigMap>('configmaps', ns, name),
      getSecret: (ns: string, name: string) => get<Secret>('secrets', ns, name),
    };
  }

  #grace(pod: Pod, override?: number): number {
    return Math.max(0, override ?? pod.metadata.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30);
  }

  /**
   * preStop (if the container runs), then — once `turn` resolved, if given — SIGTERM, the rest of
   * `graceSeconds`, SIGKILL (kuberuntime killContainer).
   */
  async #stopContainer(st: PodState, c: Container | undefined, id: string, graceSeconds: number, o: { turn?: Promise<void>; fieldPath?: string; hooks?: boolean } = {}): Promise<void> {
    const deadline = Date.now() + graceSeconds * 1000;
    const preStop = c?.lifecycle?.preStop;
    if (preStop && o.hooks !== false && graceSeconds > 0) {
      const s = await this.#o.engine.containers.state(id).catch(() => undefined);
      if (s?.status === 'running') {
        const ac = new AbortController();
        const timer = setTimeout(() => ac.abort(), graceSeconds * 1000);
        const sb = await this.#sandbox(st.uid).catch(() => undefined);
        const failure = await runHook(preStop, { engine: this.#o.engine, containerId: id, container: c, podIP: sb?.ip, signal: ac.signal });
        clearTimeout(timer);
        if (failure !== undefined) this.#o.recorder.pod(st.pod, 'Warning', 'FailedPreStopHook', failure, o.fieldPath ?? `spec.containers{${c.name}}`);
      }
    }
    let remaining = Math.max(0, Math.ceil((deadline - Date.now()) / 1000));
    if (o.turn && graceSeconds > 0) {
      // Wait for the containers that stop first, within the grace period; then at least a short
      // window of its own, so a late turn does not mean SIGKILL.
      await waitAtMost(o.turn, deadline - Date.now());
      remaining = Math.max(MIN_GRACE_SECONDS, Math.ceil((deadline - Date.now()) / 1000));
    }
    await this.#o.engine.containers.stop(id, remaining).catch(() => undefined);
  }

  /**
   * Stops every running container of the pod, as killContainersWithSyncResult does with its
   * termination ordering (pkg/kubelet/kuberuntime/kuberuntime_termination_order.go): all start at
   * once with their preStop hooks; a sidecar gets SIGTERM only after the app containers and the
   * sidecars declared after it have stopped, so sidecars stop last, in reverse order.
   */
  async #stopContainers(st: PodState, runs: Runs, graceSeconds: number, o: { hooks?: boolean; events?: boolean } = {}): Promise<void> {
    const pod = st.pod;
    const initSpecs = pod.spec?.initContainers ?? [];
    const appSpecs = pod.spec?.containers ?? [];
    const live = [...runs.entries()].flatMap(([name, list]) => {
      const l = list.at(-1);
      return l && l.status.status !== 'stopped' ? [{ name, id: l.status.id }] : [];
    });
    const stopped = new Map<string, { done: Promise<void>; resolve: () => void }>();
    for (const { name } of live) {
      let resolve = (): void => {};
      const done = new Promise<void>((r) => { resolve = r; });
      stopped.set(name, { done, resolve });
    }
    const sidecars = initSpecs.filter(isSidecar).map((c) => c.name);
    await Promise.all(live.map(async ({ name, id }) => {
      const init = initSpecs.find((c) => c.name === name);
      const c = init ?? appSpecs.find((x) => x.name === name);
      const fieldPath = init ? `spec.initContainers{${name}}` : `spec.containers{${name}}`;
      if (o.events !== false) this.#o.recorder.pod(pod, 'Normal', 'Killing', `Stopping container ${name}`, fieldPath);
      let turn: Promise<void> | undefined;
      if (init && isSidecar(init)) {
        const mine = sidecars.indexOf(name);
        const first = live.filter((x) => appSpecs.some((a) => a.name === x.name) || sidecars.indexOf(x.name) > mine);
        turn = Promise.all(first.map((x) => stopped.get(x.name)!.done)).then(() => undefined);
      }
      try {
        await this.#stopContainer(st, c, id, graceSeconds, { fieldPath, ...(turn ? { turn } : {}), ...(o.hooks === false ? { hooks: false } : {}) });
      } finally {
        stopped.get(name)!.resolve();
      }
    }));
  }

  /** Stops every container (sidecars last, see #stopContainers), removes the sandbox, deletes the pod. */
  async terminate(st: PodState): Promise<void> {
    st.terminating = true;
    const pod = st.pod;
    // A pod the API already forgot (force deletion) gets no grace: it is gone for everyone else.
    const grace = st.removedFromApi && !pod.metadata.deletionTimestamp ? 0 : this.#grace(pod);
    await this.#stopContainers(st, await this.runs(st), grace);
    this.#o.probes?.forget(st.uid);
    if (!st.removedFromApi) {
      // The final status, as upstream writes it before the pod goes: every container terminated,
      // and a terminal phase (Succeeded when all exited 0).
      const final = await this.runs(st);
      // The app containers decide, not the init containers nor the sidecars stopped with them
      // (getPhase for a terminal pod).
      const exits = (pod.spec?.containers ?? []).map((c) => final.get(c.name)?.at(-1)?.status.exitCode ?? 0);
      st.terminalPhase ??= exits.every((c) => c === 0) ? 'Succeeded' : 'Failed';
      await this.#writeStatus(st, await this.#sandbox(st.uid), final).catch((err: unknown) => this.#o.log.debug({ err: (err as Error).message }, 'final pod status not written'));
    }
    await this.#o.engine.sandboxes.removeSandbox(st.uid, { graceSeconds: 0 });
    for (const id of st.containerIds) await this.#o.engine.containers.remove(id).catch(() => undefined);
    st.containerIds.clear();
    await this.#o.volumes?.tearDown(st.uid);
    await rm(podDir(this.#o.kubeletDir, st.uid), { recursive: true, force: true });
    this.#images.forgetPod(st.uid);
    this.#crash.forgetPrefix(`${st.uid}/`);
    if (!st.removedFromApi) {
      try {
        await this.#o.clientset.resource<Pod>('v1', 'pods').delete(pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: st.uid } });
      } catch (err) {
        // Gone already, or replaced by a new pod of the same name (uid precondition).
        if (!isNotFound(err) && !isConflict(err)) throw err;
      }
    }
    this.#o.statuses.forget(st.uid);
  }

  /** Removes exited runs older than the latest KEEP_PREVIOUS + 1 of each container. */
  async #removeOldAttempts(st: PodState, runs: Runs): Promise<void> {
    for (const list of runs.values()) {
      const old = list.slice(0, Math.max(0, list.length - 1 - KEEP_PREVIOUS));
      for (const a of old) {
        if (a.status.status !== 'stopped') continue;
        await this.#o.engine.containers.remove(a.status.id).catch(() => undefined);
        st.containerIds.delete(a.status.id);
        st.terminationMessages.delete(a.status.id);
        const log = a.status.labels[TERMINATION_LOG_LABEL];
        if (log) await rm(log, { force: true });
      }
    }
  }

  /** terminationMessagePath's content, or with FallbackToLogsOnError the log's tail after a failure. */
  async #terminationMessage(s: EngineContainerStatus): Promise<string> {
    const file = s.labels[TERMINATION_LOG_LABEL];
    let msg = '';
    if (file) {
      const buf = await readFile(file).catch(() => Buffer.alloc(0));
      msg = buf.subarray(0, MAX_TERMINATION_MESSAGE).toString('utf8');
    }
    if (msg === '' && s.labels[TERMINATION_POLICY_LABEL] === 'FallbackToLogsOnError' && s.exitCode !== 0) {
      const lines: string[] = [];
      for await (const l of this.#o.engine.containers.readLogs(s.id, { tail: FALLBACK_LOG_LINES })) lines.push(l.content);
      msg = lines.join('\n');
      if (msg.length > 0) msg += '\n';
      if (Buffer.byteLength(msg) > FALLBACK_LOG_BYTES) msg = Buffer.from(msg).subarray(-FALLBACK_LOG_BYTES).toString('utf8');
    }
    return msg;
  }
}

/** Resolves when `p` does or after `ms`, whichever comes first. */
async function waitAtMost(p: Promise<void>, ms: number): Promise<void> {
  if (ms <= 0) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([p, new Promise<void>((r) => { timer = setTimeout(r, ms); })]);
  clearTimeout(timer);
}
