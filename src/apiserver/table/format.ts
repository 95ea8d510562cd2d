// Small cell formatters shared by several printers (pkg/printers/internalversion/printers.go and
// pkg/apis/core/helper).

export interface ContainerLike {
  name?: string;
  image?: string;
}

/** Container names and images, each comma-joined, for the wide CONTAINERS and IMAGES columns. */
export function containerCells(containers: ContainerLike[] | undefined): [string, string] {
  const list = containers ?? [];
  return [list.map((c) => c.name ?? '').join(','), list.map((c) => c.image ?? '').join(',')];
}

/** "True"/"False" for a set flag, "<unset>" otherwise. */
export function boolPtr(v: boolean | undefined): string {
  if (v === undefined) return '<unset>';
  return v ? 'True' : 'False';
}

/** A resource.Quantity as served (already canonical); the zero quantity when absent. */
export function quantity(v: unknown): string {
  if (typeof v === 'string' && v !== '') return v;
  if (typeof v === 'number') return String(v);
  return '0';
}

/** net.JoinHostPort: brackets around IPv6 literals. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The first `max` items, then " + N more..."; "<unset>" when the list is empty. */
export function listWithMore(list: string[], count: number, max: number): string {
  const shown = list.slice(0, max).join(',');
  if (count > max) return `${shown} + ${count - max} more...`;
  return shown === '' ? '<unset>' : shown;
}

const ACCESS_MODES: Array<[string, string]> = [
  ['ReadWriteOnce', 'RWO'], ['ReadOnlyMany', 'ROX'], ['ReadWriteMany', 'RWX'], ['ReadWriteOncePod', 'RWOP'],
];

/** "RWO,RWX" in a fixed order, duplicates dropped (helper.GetAccessModesAsString). */
export function accessModes(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  return ACCESS_MODES.filter(([m]) => set.has(m)).map(([, s]) => s).join(',');
}

/** Distinct values, sorted, comma-joined (sets.String.List()). */
export function sortedUnique(values: string[]): string {
  return [...new Set(values)].sort().join(',');
}
