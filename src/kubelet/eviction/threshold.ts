// Hard eviction thresholds as the kubelet's --eviction-hard takes them
// (pkg/kubelet/eviction/helpers.go ParseThresholdConfig): `memory.available<100Mi` or
// `memory.available<5%`. Only the memory signal is acted on here.
import { formatBytes } from '../../api/quantity-format.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';

export const MEMORY_AVAILABLE = 'memory.available';
export const DEFAULT_EVICTION_HARD = `${MEMORY_AVAILABLE}<100Mi`;

export interface MemoryThreshold {
  /** As written: the quantity (`100Mi`) or percentage (`5%`). */
  text: string;
  bytes?: number;
  /** Fraction of capacity, 0–1. */
  percentage?: number;
}

export class InvalidEvictionThreshold extends Error {
  readonly code = 'InvalidEvictionThreshold';
}

export function parseEvictionHard(spec: string): MemoryThreshold {
  const m = /^\s*([a-z.]+)\s*<\s*(\S+)\s*$/.exec(spec);
  if (!m) throw new InvalidEvictionThreshold(`invalid eviction threshold "${spec}": expected SIGNAL<QUANTITY, e.g. ${DEFAULT_EVICTION_HARD}`);
  const [, signal, value] = m as unknown as [string, string, string];
  if (signal !== MEMORY_AVAILABLE) throw new InvalidEvictionThreshold(`unsupported eviction signal "${signal}": only ${MEMORY_AVAILABLE} is supported`);
  if (value.endsWith('%')) {
    const pct = Number(value.slice(0, -1));
    if (!Number.isFinite(pct) || pct <= 0 || pct > 100) throw new InvalidEvictionThreshold(`invalid eviction threshold "${spec}": a percentage must be in (0%, 100%]`);
    return { text: value, percentage: pct / 100 };
  }
  let bytes: number;
  try {
    bytes = parseQuantity(value);
  } catch (err) {
    throw new InvalidEvictionThreshold(`invalid eviction threshold "${spec}": ${(err as Error).message}`, { cause: err });
  }
  if (bytes < 0) throw new InvalidEvictionThreshold(`invalid eviction threshold "${spec}": must not be negative`);
  return { text: value, bytes };
}

/** The threshold in bytes for a node of `capacityBytes`. */
export function thresholdBytes(t: MemoryThreshold, capacityBytes: number): number {
  return t.bytes ?? Math.floor(capacityBytes * (t.percentage ?? 0));
}

/** The threshold as the eviction message shows it (a percentage becomes the quantity it stands for). */
export function thresholdQuantity(t: MemoryThreshold, capacityBytes: number): string {
  return t.bytes !== undefined ? t.text : formatBytes(thresholdBytes(t, capacityBytes));
}
