// Liveness of host processes by pid, robust against zombies and pid reuse.
import { readFileSync } from 'node:fs';

function statFields(pid: number): string[] | undefined {
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

/** The kernel's start time of `pid` (field 22 of /proc/PID/stat), a stable identity with the pid. */
export function processStartTime(pid: number): string | undefined {
  return statFields(pid)?.[19];
}

/** True while `pid` runs (not a zombie) and, if given, still is the process started at `startTime`. */
export function isProcessAlive(pid: number, startTime?: string): boolean {
  const fields = statFields(pid);
  if (!fields) return false;
  const state = fields[0];
  if (state === 'Z' || state === 'X') return false;
  return startTime === undefined || fields[19] === startTime;
}

export function processName(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return undefined;
  }
}
