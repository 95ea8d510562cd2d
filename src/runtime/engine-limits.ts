// Resource flags as docker spells them: `--memory 64m`, `--cpus 0.5`, `--pids-limit 100`.
import { InvalidRunRequest } from './engine-errors.ts';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Bytes of a memory size like `64m`, `1g`, `512k`, `1048576`. */
export function parseMemory(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?$/i.exec(text.trim());
  const unit = m ? UNITS[m[2]!.toLowerCase()] : undefined;
  if (!m || unit === undefined) throw new InvalidRunRequest(`invalid memory limit "${text}": use a number with an optional unit b, k, m, g (e.g. 64m)`);
  const bytes = Math.floor(Number(m[1]) * unit);
  if (bytes < 6 * 1024 * 1024) throw new InvalidRunRequest(`invalid memory limit "${text}": the minimum is 6m`);
  return bytes;
}

/** CFS quota for a number of CPUs, over the default 100 ms period. */
export function parseCpus(text: string): { cpuQuota: number; cpuPeriod: number } {
  const n = Number(text);
  if (!/^\d*\.?\d+$/.test(text.trim()) || !Number.isFinite(n) || n <= 0) throw new InvalidRunRequest(`invalid cpus "${text}": use a positive number such as 0.5`);
  const cpuPeriod = 100_000;
  return { cpuQuota: Math.max(1000, Math.round(n * cpuPeriod)), cpuPeriod };
}

export function parsePidsLimit(text: string): number {
  if (!/^\d+$/.test(text.trim()) || Number(text) < 1) throw new InvalidRunRequest(`invalid pids limit "${text}": use a positive integer`);
  return Number(text);
}
