// The machine's CPU and memory use, computed the way the kubelet's node-level stats are (the root
// cgroup as cAdvisor sees it): cumulative CPU time from the root cgroup (/proc/stat when the
// hierarchy has no counter at its root), memory from /proc/meminfo with working set = usage minus
// inactive file pages, and available = capacity minus working set
// (pkg/kubelet/eviction/helpers.go makeSignalObservations uses the same memory.available).
import { readFile } from 'node:fs/promises';
import { readCgroupStats } from '../../runtime/cgroups.ts';

/** USER_HZ: the unit of /proc/stat on every Linux architecture skiff runs on. */
const USER_HZ = 100;

export interface NodeMemoryUsage {
  capacityBytes: number;
  usageBytes: number;
  workingSetBytes: number;
  availableBytes: number;
}

export function parseMeminfo(text: string): NodeMemoryUsage {
  const kb = (name: string): number => {
    const m = new RegExp(`^${name.replace(/[()]/g, '\\$&')}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  const capacityBytes = kb('MemTotal');
  const usageBytes = Math.max(0, capacityBytes - kb('MemFree'));
  const workingSetBytes = Math.max(0, usageBytes - kb('Inactive(file)'));
  return { capacityBytes, usageBytes, workingSetBytes, availableBytes: Math.max(0, capacityBytes - workingSetBytes) };
}

/** CPU time of every CPU in every mode but idle and iowait, nanoseconds. */
export function parseProcStatCpu(text: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return undefined;
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user + nice + system + irq + softirq + steal) * 1e9) / USER_HZ;
}

export async function readNodeMemory(): Promise<NodeMemoryUsage> {
  return parseMeminfo(await readFile('/proc/meminfo', 'utf8'));
}

export async function readNodeCpuNanos(): Promise<number | undefined> {
  const root = await readCgroupStats('/');
  if (root.cpuUsageNanos !== undefined && root.cpuUsageNanos > 0) return root.cpuUsageNanos;
  return parseProcStatCpu(await readFile('/proc/stat', 'utf8'));
}
