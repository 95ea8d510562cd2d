// The ProbeManager behind the pod workers' PodProbePlugin seam (src/kubelet/pods/plugins.ts):
// the pod workers report which containers run after each sync and ask for a verdict; probe
// results that flip ask for a new sync (upstream's liveness/readiness/startup result channels
// feeding the sync loop in pkg/kubelet/kubelet.go).
import type { Pod } from '../../api/types/core-v1.ts';
import type { PodProbePlugin, ProbeVerdict } from '../pods/plugins.ts';
import type { Clock } from './clock.ts';
import { ProbeManager } from './probe-manager.ts';
import type { ProbeEvent } from './probe-manager.ts';
import type { ExecOutcome, ProbeKind } from './types.ts';

export interface PodProbesOptions {
  /** Runs argv in a container; reject or report timedOut when timeoutMs passes. */
  exec(containerId: string, argv: string[], timeoutMs: number): Promise<ExecOutcome>;
  /** A probe result flipped: sync the pod soon (restart on liveness failure, update readiness). */
  onResult(podUid: string): void;
  /** Record a probe event (Unhealthy, ProbeWarning) on the pod, for `spec.containers{name}`. */
  record(pod: Pod, reason: ProbeEvent['reason'], message: string, fieldPath: string): void;
  /** The node's IP, the probe address of hostNetwork pods (else their status.hostIP is used). */
  nodeIP?: string;
  clock?: Clock;
}

interface Tracked {
  pod: Pod;
  /** Running container id per name, and when this agent first saw it running (its startedAt). */
  running: Map<string, { containerId: string; since: number }>;
}

export class PodProbes implements PodProbePlugin {
  readonly manager: ProbeManager;
  readonly #o: PodProbesOptions;
  readonly #pods = new Map<string, Tracked>();
  readonly #now: () => number;

  constructor(options: PodProbesOptions) {
    this.#o = options;
    this.#now = options.clock ? () => options.clock!.now() : Date.now;
    this.manager = new ProbeManager({
      ...(options.clock ? { clock: options.clock } : {}),
      onChange: (uid) => options.onResult(uid),
      onEvent: (uid, name, _kind, event) => {
        const t = this.#pods.get(uid);
        if (t) options.record(t.pod, event.reason, event.message, `spec.containers{${name}}`);
      },
    });
  }

  update(pod: Pod, running: Array<{ container: { name: string }; containerId: string; isInit: boolean }>, podIP: string | undefined): void {
    const uid = pod.metadata.uid ?? '';
    let t = this.#pods.get(uid);
    if (!t) {
      t = { pod, running: new Map() };
      this.#pods.set(uid, t);
    }
    t.pod = pod;
    const tracked = t;
    // hostNetwork pods have no sandbox IP: they are probed on the node's address, as upstream
    // (status.podIP is the host IP there).
    const address = podIP || (pod.spec?.hostNetwork ? this.#o.nodeIP || pod.status?.hostIP : pod.status?.podIP) || '';
    this.manager.addPod(pod, {
      podIP: address,
      exec: (name, argv, timeoutMs) => {
        const id = tracked.running.get(name)?.containerId;
        if (!id) return Promise.reject(new Error(`container ${name} is not running`));
        return this.#o.exec(id, argv, timeoutMs);
      },
    });
    const now = new Map<string, string>(running.map((r) => [r.container.name, r.containerId]));
    for (const [name, prev] of [...t.running]) {
      if (now.get(name) === prev.containerId) continue;
      t.running.delete(name);
      this.manager.updateContainer(uid, name, { containerId: prev.containerId, state: 'terminated' });
    }
    let gated = false;
    for (const [name, containerId] of now) {
      const known = t.running.get(name);
      const seen = known ?? { containerId, since: this.#now() };
      t.running.set(name, seen);
      this.manager.updateContainer(uid, name, { containerId, state: 'running', startedAt: seen.since });
      if (!known) {
        const spec = [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])].find((c) => c.name === name);
        gated ||= Boolean(spec?.readinessProbe || spec?.startupProbe);
      }
    }
    // A verdict asked before this update knew nothing of the new container and could not say
    // "not ready yet"; and a first probe that fails flips nothing. Ask for one more sync so the
    // status is written with a real verdict.
    if (gated) this.#o.onResult(uid);
  }

  verdict(uid: string, containerName: string, containerId: string): ProbeVerdict {
    const t = this.#pods.get(uid);
    const all = [...(t?.pod.spec?.initContainers ?? []), ...(t?.pod.spec?.containers ?? [])];
    const c = all.find((x) => x.name === containerName);
    if (!t || !c) return {};
    const v: ProbeVerdict = {};
    if (t.running.get(containerName)?.containerId !== containerId) {
      // A container this plugin has not seen run yet (just started or restarted): not probed, so
      // not ready and not started.
      if (c.readinessProbe) v.ready = false;
      if (c.startupProbe) v.started = false;
      return v;
    }
    if (c.readinessProbe) v.ready = this.manager.isReady(uid, containerName);
    if (c.startupProbe) v.started = this.manager.isStarted(uid, containerName);
    const failed = (['startup', 'liveness'] as ProbeKind[]).find((k) => this.manager.result(uid, containerName, k, containerId) === 'failure');
    if (failed) {
      v.livenessFailed = true;
      v.message = `Container ${containerName} failed ${failed} probe, will be restarted`;
    }
    return v;
  }

  forget(uid: string): void {
    this.#pods.delete(uid);
    void this.manager.removePod(uid);
  }
}
