// The pod-template-hash a Deployment's ReplicaSets are named and labelled with
// (pkg/controller/controller_utils.go ComputeHash; deployment/util EqualIgnoreHash). Upstream hashes
// Go's spew dump of the template, which cannot be reproduced outside Go; skiff hashes a canonical
// JSON form instead, with the same FNV-32a, collision-count suffix and rendering, so names look
// like upstream's (`web-7d9c5b8f6`) and stay stable across restarts and key orders.
import type { PodTemplateSpec } from '../util/workload-types.ts';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** k8s.io/apimachinery/pkg/util/rand: vowels and look-alike characters left out. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each byte mapped onto the safe alphabet. */
export function safeEncodeString(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i += 1) out += SAFE_ALPHABET[s.charCodeAt(i) % SAFE_ALPHABET.length];
  return out;
}

/** FNV-1a, 32 bits (hash/fnv New32a), over bytes. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/**
 * A value with its meaningless differences removed: object keys sorted, null/undefined and empty
 * lists or maps dropped (apimachinery's semantic equality treats nil and empty alike).
 */
export function canonical(v: unknown): unknown {
  if (Array.isArray(v)) {
    const items = v.map(canonical);
    return items.length ? items : undefined;
  }
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const c = canonical((v as Record<string, unknown>)[k]);
      if (c !== undefined) out[k] = c;
    }
    return Object.keys(out).length ? out : undefined;
  }
  return v ?? undefined;
}

export function computeHash(template: PodTemplateSpec, collisionCount?: number): string {
  const text = JSON.stringify(canonical(template) ?? {});
  let bytes = new TextEncoder().encode(text);
  if (collisionCount !== undefined) {
    // Upstream writes an 8-byte buffer holding the count as a little-endian uint32.
    const tail = new Uint8Array(8);
    new DataView(tail.buffer).setUint32(0, collisionCount >>> 0, true);
    const all = new Uint8Array(bytes.length + 8);
    all.set(bytes);
    all.set(tail, bytes.length);
    bytes = all;
  }
  return safeEncodeString(String(fnv32a(bytes)));
}

/** The template with the pod-template-hash label taken out (a copy). */
function withoutHash(t: PodTemplateSpec | undefined): PodTemplateSpec {
  const copy = structuredClone(t ?? {});
  if (copy.metadata?.labels) delete copy.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return copy;
}

/** Two templates are the same but for the pod-template-hash label (deployment/util EqualIgnoreHash). */
export function equalIgnoreHash(a: PodTemplateSpec | undefined, b: PodTemplateSpec | undefined): boolean {
  return JSON.stringify(canonical(withoutHash(a)) ?? {}) === JSON.stringify(canonical(withoutHash(b)) ?? {});
}
