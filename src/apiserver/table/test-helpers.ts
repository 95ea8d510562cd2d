// Shared fixtures for this folder's tests: a fixed clock and timestamps relative to it.
import type { KubeObject } from '../../api/meta.ts';

export const NOW = Date.parse('2026-01-01T00:00:00Z');

/** An RFC 3339 timestamp `ms` milliseconds before NOW. */
export function ago(ms: number): string {
  return new Date(NOW - ms).toISOString().replace('.000Z', 'Z');
}

export const SEC = 1000;
export const MIN = 60 * SEC;
export const HOUR = 60 * MIN;
export const DAY = 24 * HOUR;

/** A minimal object of some kind, created `age` ago. */
/** An object aged `age` ms; `namespace: undefined` in meta makes it cluster-scoped. */
export function obj(name: string, age: number, fields: Record<string, unknown> = {}, meta: { [K in keyof KubeObject['metadata']]?: KubeObject['metadata'][K] | undefined } = {}): KubeObject {
  const m = { name, namespace: 'default', creationTimestamp: ago(age), ...meta } as KubeObject['metadata'];
  if (m.namespace === undefined) delete m.namespace;
  return { metadata: m, ...fields };
}
