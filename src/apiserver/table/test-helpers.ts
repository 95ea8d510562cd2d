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
export function obj(name: string, age: number, fields: Record<string, unknown> = {}, meta: KubeObject['metadata'] = {}): KubeObject {
  return { metadata: { name, namespace: 'default', creationTimestamp: ago(age), ...meta }, ...fields };
}
