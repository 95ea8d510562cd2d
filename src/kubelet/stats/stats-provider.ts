// The kubelet's Summary API from cgroups (pkg/kubelet/stats/cri_stats_provider.go and
// pkg/kubelet/server/stats/summary.go): the node from the root cgroup and /proc/meminfo, each pod
// from its pod cgroup (pause and every container under it), each running container from its own
// cgroup. Pods and containers are found through the labels the node agent puts on engine
// sandboxes and containers (../pods/labels.ts). CPU rates need two samples: a background loop
// samples every cgroup periodically, as cAdvisor's housekeeping does, and a request that finds no
// recent sample for some cgroup takes a second one shortly after the first.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { ContainerStats, CPUStats, MemoryStats, PodStats, Summary } from '../../api/types/stats-v1alpha1.ts';
import { readCgroupStats, type CgroupStats } from '../../runtime/cgroups.ts';
import type { Engine } from '../../runtime/engine.ts';
import { CONTAINER_NAME_LABEL, POD_NAME_LABEL, POD_NAMESPACE_LABEL, POD_UID_LABEL } from '../pods/labels.ts';
import { sleepOrAbort } from '../util/sleep.ts';
import { CpuRateTracker } from './cpu-rate.ts';
import { readNodeCpuNanos, readNodeMemory, type NodeMemoryUsage } from './node-usage.ts';

export interface StatsProviderOptions {
  engine: Engine;
  nodeName: string;
  log: Logger;
  /** How often the background loop samples every cgroup (ms); 10 s by default. */
  sampleIntervalMs?: number;
  /** Minimum time between two samples a rate is computed from (ms); 1 s by default. */
  minWindowMs?: number;
  /** Overrides for tests: the machine's readings. */
  readNodeCpuNanos?: () => Promise<number | undefined>;
  readNodeMemory?: () => Promise<NodeMemoryUsage>;
}

interface PodTarget {
  uid: string;
  name: string;
  namespace: string;
  startTime: string;
  cgroup: string;
  containers: Array<{ id: string; name: string; startTime: string }>;
}

/** Every reading of one moment. */
interface Snapshot {
  atMs: number;
  time: string;
  nodeCpuNanos: number | undefined;
  nodeMemory: NodeMemoryUsage;
  pods: Array<{ target: PodTarget; stats: CgroupStats; containers: Array<{ id: string; name: string; startTime: string; stats: CgroupStats }> }>;
}

const NODE_KEY = 'node';
const podKey = (cgroup: string): string => `pod:${cgroup}`;
const containerKey = (id: string): string => `container:${id}`;

export class StatsProvider {
  readonly #o: StatsProviderOptions;
  readonly #cpu: CpuRateTracker;
  readonly #startTime = new Date().toISOString();

  constructor(opts: StatsProviderOptions) {
    this.#o = opts;
    this.#cpu = new CpuRateTracker({ minWindowMs: opts.minWindowMs ?? 1000 });
  }

  /** Samples every cgroup periodically so that requests find a baseline for CPU rates. */
  async run(signal: AbortSignal): Promise<void> {
    const every = this.#o.sampleIntervalMs ?? 10_000;
    while (!signal.aborted) {
      try {
        const snap = await this.#snapshot();
        this.#record(snap, true);
      } catch (err) {
        this.#o.log.warn({ err: (err as Error).message }, 'sampling container stats failed');
      }
      await sleepOrAbort(every, signal);
    }
  }

  async summary(): Promise<Summary> {
    let snap = await this.#snapshot();
    if (this.#missingBaseline(snap)) {
      this.#record(snap, false);
      await sleep(this.#cpu.minWindowMs + 20);
      snap = await this.#snapshot();
    }
    const summary = this.#build(snap);
    this.#record(snap, false);
    return summary;
  }

  async #snapshot(): Promise<Snapshot> {
    const engine = this.#o.engine;
    const [sandboxes, containers] = await Promise.all([engine.sandboxes.list(), engine.containers.list()]);
    const targets = new Map<string, PodTarget>();
    for (const sb of sandboxes) {
      const uid = sb.labels[POD_UID_LABEL];
      if (!uid || sb.state !== 'ready') continue;
      targets.set(uid, {
        uid,
        name: sb.labels[POD_NAME_LABEL] ?? sb.name,
        namespace: sb.labels[POD_NAMESPACE_LABEL] ?? 'default',
        startTime: sb.createdAt,
        cgroup: sb.cgroupParent,
        containers: [],
      });
    }
    for (const c of containers) {
      const name = c.labels[CONTAINER_NAME_LABEL];
      const target = targets.get(c.labels[POD_UID_LABEL] ?? '');
      if (!name || !target || c.status !== 'running') continue;
      target.containers.push({ id: c.id, name, startTime: c.startedAt ?? c.createdAt });
    }
    const atMs = Date.now();
    const [nodeCpuNanos, nodeMemory, pods] = await Promise.all([
      (this.#o.readNodeCpuNanos ?? readNodeCpuNanos)(),
      (this.#o.readNodeMemory ?? readNodeMemory)(),
      Promise.all([...targets.values()].map(async (target) => {
        // Containers first, then their pod: the parent's counters, read later, cover the children's.
        const containers = await Promise.all(target.containers.map(async (c) => ({ ...c, stats: await this.#containerStats(c.id) })));
        return { target, containers, stats: await readCgroupStats(target.cgroup) };
      })),
    ]);
    return { atMs, time: new Date(atMs).toISOString(), nodeCpuNanos, nodeMemory, pods };
  }

  async #containerStats(id: string): Promise<CgroupStats> {
    try {
      return await this.#o.engine.containers.stats(id);
    } catch {
      return {}; // removed between the listing and now
    }
  }

  #cpuSamples(snap: Snapshot): Array<[string, number]> {
    const out: Array<[string, number]> = [];
    if (snap.nodeCpuNanos !== undefined) out.push([NODE_KEY, snap.nodeCpuNanos]);
    for (const p of snap.pods) {
      if (p.stats.cpuUsageNanos !== undefined) out.push([podKey(p.target.cgroup), p.stats.cpuUsageNanos]);
      for (const c of p.containers) if (c.stats.cpuUsageNanos !== undefined) out.push([containerKey(c.id), c.stats.cpuUsageNanos]);
    }
    return out;
  }

  #missingBaseline(snap: Snapshot): boolean {
    return this.#cpuSamples(snap).some(([key]) => !this.#cpu.hasBaseline(key, snap.atMs));
  }

  #record(snap: Snapshot, forgetOthers: boolean): void {
    const samples = this.#cpuSamples(snap);
    for (const [key, usageNanos] of samples) this.#cpu.record(key, { atMs: snap.atMs, usageNanos });
    if (forgetOthers) this.#cpu.retain(new Set(samples.map(([key]) => key)));
  }

  #cpuStats(key: string, usageNanos: number | undefined, snap: Snapshot): CPUStats | undefined {
    if (usageNanos === undefined) return undefined;
    const rate = this.#cpu.rate(key, { atMs: snap.atMs, usageNanos });
    return { time: snap.time, ...(rate !== undefined ? { usageNanoCores: rate } : {}), usageCoreNanoSeconds: usageNanos };
  }

  #build(snap: Snapshot): Summary {
    const pods: PodStats[] = snap.pods.map((p) => {
      const containers: ContainerStats[] = p.containers.map((c) => {
        const cpu = this.#cpuStats(containerKey(c.id), c.stats.cpuUsageNanos, snap);
        const memory = cgroupMemory(c.stats, snap.time);
        return { name: c.name, startTime: c.startTime, ...(cpu ? { cpu } : {}), ...(memory ? { memory } : {}) };
      });
      const cpu = this.#cpuStats(podKey(p.target.cgroup), p.stats.cpuUsageNanos, snap);
      const memory = cgroupMemory(p.stats, snap.time);
      return {
        podRef: { name: p.target.name, namespace: p.target.namespace, uid: p.target.uid },
        startTime: p.target.startTime,
        containers,
        ...(cpu ? { cpu } : {}),
        ...(memory ? { memory } : {}),
      };
    });
    const nodeCpu = this.#cpuStats(NODE_KEY, snap.nodeCpuNanos, snap);
    const m = snap.nodeMemory;
    return {
      node: {
        nodeName: this.#o.nodeName,
        startTime: this.#startTime,
        ...(nodeCpu ? { cpu: nodeCpu } : {}),
        memory: { time: snap.time, availableBytes: m.availableBytes, usageBytes: m.usageBytes, workingSetBytes: m.workingSetBytes },
      },
      pods,
    };
  }
}

/** A cgroup's memory as the Summary API has it: available only under a limit (cadvisor_stats_provider.go). */
function cgroupMemory(s: CgroupStats, time: string): MemoryStats | undefined {
  if (s.memoryUsageBytes === undefined) return undefined;
  const ws = s.memoryWorkingSetBytes ?? s.memoryUsageBytes;
  const limited = s.memoryLimitBytes !== undefined && Number.isFinite(s.memoryLimitBytes);
  return {
    time,
    usageBytes: s.memoryUsageBytes,
    workingSetBytes: ws,
    ...(limited ? { availableBytes: Math.max(0, s.memoryLimitBytes! - ws) } : {}),
  };
}
