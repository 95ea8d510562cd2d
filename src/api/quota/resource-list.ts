// Resource lists as quota arithmetic sees them (k8s.io/apiserver/pkg/quota/v1/resources.go):
// add, subtract, mask to a set of names, compare against hard limits, print for messages.
import type { ResourceList } from '../types/core-v1.ts';
import { add as addQ, cmp, format, sub, tryParse, ZERO, type Quantity } from './quantity.ts';

export type Usage = Map<string, Quantity>;

/** A stored ResourceList parsed; entries that are not quantities are left out. */
export function parseList(list: ResourceList | undefined): Usage {
  const out: Usage = new Map();
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = tryParse(v);
    if (q) out.set(k, q);
  }
  return out;
}

/** The canonical JSON form, keys sorted as Go's map encoding writes them. */
export function formatList(u: Usage): ResourceList {
  const out: ResourceList = {};
  for (const k of [...u.keys()].sort()) out[k] = format(u.get(k)!);
  return out;
}

export function add(a: Usage, b: Usage): Usage {
  const out: Usage = new Map(a);
  for (const [k, v] of b) out.set(k, addQ(out.get(k) ?? { ...ZERO, format: v.format }, v));
  return out;
}

/** a - b, with keys of a only and no value below zero (SubtractWithNonNegativeResult). */
export function subtractNonNegative(a: Usage, b: Usage): Usage {
  const out: Usage = new Map();
  for (const [k, v] of a) {
    const other = b.get(k);
    const d = other ? sub(v, other) : v;
    out.set(k, d.nanos < 0n ? { ...ZERO, format: d.format } : d);
  }
  return out;
}

export function mask(u: Usage, names: Iterable<string>): Usage {
  const keep = new Set(names);
  const out: Usage = new Map();
  for (const [k, v] of u) if (keep.has(k)) out.set(k, v);
  return out;
}

export function removeZeros(u: Usage): Usage {
  const out: Usage = new Map();
  for (const [k, v] of u) if (v.nanos !== 0n) out.set(k, v);
  return out;
}

export function equals(a: Usage, b: Usage): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) {
    const o = b.get(k);
    if (!o || cmp(v, o) !== 0) return false;
  }
  return true;
}

/** The names whose value in `a` is above the same name's limit in `b` (names absent from b pass). */
export function exceeded(a: Usage, b: Usage): string[] {
  const out: string[] = [];
  for (const [k, v] of a) {
    const limit = b.get(k);
    if (limit && cmp(v, limit) > 0) out.push(k);
  }
  return out;
}

export function negativeNames(u: Usage): string[] {
  return [...u].filter(([, v]) => v.nanos < 0n).map(([k]) => k);
}

/** `a=1,b=2`, names sorted (the quota plugin's prettyPrint). */
export function prettyPrint(u: Usage): string {
  return [...u.keys()].sort().map((k) => `${k}=${format(u.get(k)!)}`).join(',');
}
