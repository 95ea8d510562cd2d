// The fallback for kinds without a printer, as the generic apiserver's default table convertor
// (k8s.io/apiserver/pkg/registry/rest/table.go): the name and the creation time as RFC 3339.
import { NAME, col } from './columns.ts';
import { parseTime } from './human-duration.ts';
import type { Printer } from './types.ts';

/** RFC 3339 in UTC without fractional seconds; Go's zero time when the object has none. */
export function createdAt(ts: unknown): string {
  const t = parseTime(ts);
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const defaultPrinter: Printer = {
  columns: [NAME, col('Created At', 'date', 'When the object was created.')],
  cells: (obj) => [obj.metadata.name ?? '', createdAt(obj.metadata.creationTimestamp)],
};
