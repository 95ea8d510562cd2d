// The hard resource limits of this process, read from /proc/self/limits, so specs never ask a
// runtime for more than the host allows (raising a hard limit needs CAP_SYS_RESOURCE).
import { readFileSync } from 'node:fs';

const NAMES: Readonly<Record<string, string>> = {
  'Max cpu time': 'RLIMIT_CPU',
  'Max file size': 'RLIMIT_FSIZE',
  'Max data size': 'RLIMIT_DATA',
  'Max stack size': 'RLIMIT_STACK',
  'Max core file size': 'RLIMIT_CORE',
  'Max resident set': 'RLIMIT_RSS',
  'Max processes': 'RLIMIT_NPROC',
  'Max open files': 'RLIMIT_NOFILE',
  'Max locked memory': 'RLIMIT_MEMLOCK',
  'Max address space': 'RLIMIT_AS',
  'Max file locks': 'RLIMIT_LOCKS',
  'Max pending signals': 'RLIMIT_SIGPENDING',
  'Max msgqueue size': 'RLIMIT_MSGQUEUE',
  'Max nice priority': 'RLIMIT_NICE',
  'Max realtime priority': 'RLIMIT_RTPRIO',
  'Max realtime timeout': 'RLIMIT_RTTIME',
};

export function parseHardLimits(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of text.split('\n').slice(1)) {
    const label = Object.keys(NAMES).find((l) => line.startsWith(l));
    if (!label) continue;
    const fields = line.slice(label.length).trim().split(/\s+/);
    const hard = fields[1];
    if (hard === undefined) continue;
    out[NAMES[label] as string] = hard === 'unlimited' ? Number.POSITIVE_INFINITY : Number(hard);
  }
  return out;
}

export function readHostHardLimits(): Record<string, number> {
  return parseHardLimits(readFileSync('/proc/self/limits', 'utf8'));
}
