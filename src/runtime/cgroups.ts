// Container cgroups seen from the host: where a cgroup path lives in each mounted hierarchy (v1
// controllers and the unified one), usage statistics, and removal. Runtimes create and delete the
// leaf; the parents (pod level) are the engine's to remove (shared/HOST-NOTES.md), including the
// copy runc creates in the cgroup2 hierarchy of a hybrid host.
import { readFileSync } from 'node:fs';
import { readFile, readdir, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, posix } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CgroupHierarchy {
  mountPoint: string;
  version: 1 | 2;
  /** v1 controllers (and `name=` hierarchies) bound to this mount; empty for cgroup2. */
  controllers: string[];
}

let hostHierarchies: CgroupHierarchy[] | undefined;

/**
 * The mounted cgroup hierarchies. Without an argument, this host's, read once: cgroup mounts are
 * set up at boot, and /proc/self/mountinfo grows with every container's mounts.
 */
export function cgroupHierarchies(mountinfo?: string): CgroupHierarchy[] {
  if (mountinfo === undefined) return (hostHierarchies ??= parseCgroupHierarchies(readFileSync('/proc/self/mountinfo', 'utf8')));
  return parseCgroupHierarchies(mountinfo);
}

function parseCgroupHierarchies(text: string): CgroupHierarchy[] {
  const out: CgroupHierarchy[] = [];
  for (const line of text.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    const fields = pre.split(' ');
    const [fstype, , superOpts] = post.split(' ');
    const root = fields[3];
    const mountPoint = fields[4];
    if (root !== '/' || mountPoint === undefined) continue;
    if (fstype === 'cgroup2') out.push({ mountPoint, version: 2, controllers: [] });
    else if (fstype === 'cgroup') {
      const opts = (superOpts ?? '').split(',');
      const controllers = opts.filter((o) => !['rw', 'ro', 'relatime', 'noexec', 'nosuid', 'nodev', 'clone_children', 'noprefix'].includes(o) && !o.startsWith('release_agent') && !o.startsWith('xattr'));
      out.push({ mountPoint, version: 1, controllers });
    }
  }
  return out;
}

function hierarchyFor(controller: string, hierarchies: CgroupHierarchy[]): CgroupHierarchy | undefined {
  const v1 = hierarchies.find((h) => h.version === 1 && h.controllers.includes(controller));
  if (v1) return v1;
  return hierarchies.find((h) => h.version === 2);
}

/** Host directory of `cgroupPath` for `controller` (v1) or in the unified hierarchy. */
export function cgroupDir(controller: string, cgroupPath: string, hierarchies = cgroupHierarchies()): string | undefined {
  const h = hierarchyFor(controller, hierarchies);
  return h ? join(h.mountPoint, cgroupPath) : undefined;
}

/** Every host directory `cgroupPath` may occupy, one per mounted hierarchy. */
export function cgroupDirs(cgroupPath: string, hierarchies = cgroupHierarchies()): string[] {
  return hierarchies.map((h) => join(h.mountPoint, cgroupPath));
}

async function hasChildCgroups(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir, { withFileTypes: true })).some((e) => e.isDirectory());
  } catch {
    return false;
  }
}

async function rmdirRetry(dir: string): Promise<'removed' | 'absent' | 'busy'> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rmdir(dir);
      return 'removed';
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return 'absent';
      // A cgroup whose last task just exited stays busy for a moment.
      // (v1 answers EBUSY for child cgroups too: those will not go away by waiting.)
      if (code === 'EBUSY' && attempt < 20 && !(await hasChildCgroups(dir))) {
        await sleep(25);
        continue;
      }
      if (code === 'EBUSY' || code === 'ENOTEMPTY') return 'busy';
      throw err;
    }
  }
}

/**
 * Removes `cgroupPath` from every hierarchy, then each parent up to and including `stopAt`
 * (an ancestor path such as `/skiff`) while empty. A parent still holding other containers stays.
 */
export async function removeCgroup(cgroupPath: string, stopAt: string, hierarchies = cgroupHierarchies()): Promise<void> {
  const limit = posix.normalize(stopAt);
  for (const h of hierarchies) {
    const leaf = join(h.mountPoint, cgroupPath);
    const result = await rmdirRetry(leaf);
    if (result === 'busy') continue;
    let parent = posix.dirname(posix.normalize(cgroupPath));
    while (parent !== '/' && (parent === limit || parent.startsWith(`${limit}/`))) {
      const r = await rmdirRetry(join(h.mountPoint, parent));
      if (r === 'busy') break;
      parent = posix.dirname(parent);
    }
  }
}

/** Limits for a cgroup the engine manages itself (a pod's): what OCI gives a container's. */
export interface CgroupLimits {
  memoryLimitBytes?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
}

/**
 * Writes `limits` into the existing cgroup `cgroupPath`: cgroup v1 files where the controller has
 * a v1 hierarchy, else the unified one's (cpu.weight converted from shares as runc does).
 */
export async function setCgroupLimits(cgroupPath: string, limits: CgroupLimits, hierarchies = cgroupHierarchies()): Promise<void> {
  const cpu = hierarchyFor('cpu', hierarchies);
  const memory = hierarchyFor('memory', hierarchies);
  const put = (h: CgroupHierarchy, file: string, value: string | number): Promise<void> => writeFile(join(h.mountPoint, cgroupPath, file), String(value));
  if (cpu?.version === 1) {
    if (limits.cpuShares !== undefined) await put(cpu, 'cpu.shares', limits.cpuShares);
    if (limits.cpuQuota !== undefined) {
      await put(cpu, 'cpu.cfs_period_us', limits.cpuPeriod ?? 100_000);
      await put(cpu, 'cpu.cfs_quota_us', limits.cpuQuota);
    }
  } else if (cpu) {
    if (limits.cpuShares !== undefined) await put(cpu, 'cpu.weight', 1 + Math.floor(((limits.cpuShares - 2) * 9999) / 262142));
    if (limits.cpuQuota !== undefined) await put(cpu, 'cpu.max', `${limits.cpuQuota} ${limits.cpuPeriod ?? 100_000}`);
  }
  if (limits.memoryLimitBytes !== undefined && memory) {
    await put(memory, memory.version === 1 ? 'memory.limit_in_bytes' : 'memory.max', limits.memoryLimitBytes);
  }
}

export interface CgroupStats {
  /** Total CPU time consumed, nanoseconds. */
  cpuUsageNanos?: number;
  memoryUsageBytes?: number;
  /** Working set as the kubelet computes it: usage minus inactive file pages. */
  memoryWorkingSetBytes?: number;
  memoryLimitBytes?: number;
  pids?: number;
  pidsLimit?: number;
}

async function readNumber(path: string): Promise<number | undefined> {
  try {
    const text = (await readFile(path, 'utf8')).trim();
    if (text === 'max') return Number.POSITIVE_INFINITY;
    const n = Number(text);
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

async function readKeyed(path: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  try {
    for (const line of (await readFile(path, 'utf8')).split('\n')) {
      const [k, v] = line.split(' ');
      if (k && v) out.set(k, Number(v));
    }
  } catch {
    // controller not mounted
  }
  return out;
}

export async function readCgroupStats(cgroupPath: string, hierarchies = cgroupHierarchies()): Promise<CgroupStats> {
  const stats: CgroupStats = {};
  const set = <K extends keyof CgroupStats>(k: K, v: number | undefined): void => {
    if (v !== undefined) stats[k] = v;
  };
  const cpu = hierarchyFor('cpuacct', hierarchies);
  if (cpu?.version === 1) set('cpuUsageNanos', await readNumber(join(cpu.mountPoint, cgroupPath, 'cpuacct.usage')));
  else if (cpu) {
    const usec = (await readKeyed(join(cpu.mountPoint, cgroupPath, 'cpu.stat'))).get('usage_usec');
    set('cpuUsageNanos', usec === undefined ? undefined : usec * 1000);
  }
  const mem = hierarchyFor('memory', hierarchies);
  if (mem?.version === 1) {
    const dir = join(mem.mountPoint, cgroupPath);
    const usage = await readNumber(join(dir, 'memory.usage_in_bytes'));
    set('memoryUsageBytes', usage);
    const limit = await readNumber(join(dir, 'memory.limit_in_bytes'));
    // v1 reports "no limit" as a huge page-aligned number.
    set('memoryLimitBytes', limit !== undefined && limit >= 2 ** 62 ? Number.POSITIVE_INFINITY : limit);
    const inactive = (await readKeyed(join(dir, 'memory.stat'))).get('total_inactive_file') ?? 0;
    if (usage !== undefined) set('memoryWorkingSetBytes', Math.max(0, usage - inactive));
  } else if (mem) {
    const dir = join(mem.mountPoint, cgroupPath);
    const usage = await readNumber(join(dir, 'memory.current'));
    set('memoryUsageBytes', usage);
    set('memoryLimitBytes', await readNumber(join(dir, 'memory.max')));
    const inactive = (await readKeyed(join(dir, 'memory.stat'))).get('inactive_file') ?? 0;
    if (usage !== undefined) set('memoryWorkingSetBytes', Math.max(0, usage - inactive));
  }
  const pids = hierarchyFor('pids', hierarchies);
  if (pids) {
    set('pids', await readNumber(join(pids.mountPoint, cgroupPath, 'pids.current')));
    set('pidsLimit', await readNumber(join(pids.mountPoint, cgroupPath, 'pids.max')));
  }
  return stats;
}

/** True when `memory.oom_control` (v1) or `memory.events` (v2) counted an OOM kill. */
export async function cgroupSawOomKill(cgroupPath: string, hierarchies = cgroupHierarchies()): Promise<boolean> {
  const mem = hierarchyFor('memory', hierarchies);
  if (!mem) return false;
  const file = mem.version === 1 ? 'memory.oom_control' : 'memory.events';
  const kills = (await readKeyed(join(mem.mountPoint, cgroupPath, file))).get('oom_kill');
  return (kills ?? 0) > 0;
}

export const parentCgroup = (cgroupPath: string): string => dirname(cgroupPath);
