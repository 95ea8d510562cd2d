// Server-side Table output for `kubectl get` (Accept: application/json;as=Table;v=v1;g=meta.k8s.io),
// the role of pkg/printers/storage.TableConvertor plus the row.object handling in
// k8s.io/apiserver/pkg/endpoints/handlers/response.go. Like upstream, the server always prints
// "wide": every column is filled and kubectl hides priority ≥ 1 columns unless asked for -o wide.
import type { KubeObject, ObjectMeta } from '../../api/meta.ts';
import type { ResourceInfo } from '../../api/scheme.ts';
import { apiVersionOf } from '../../api/scheme.ts';
import { printerFor } from './printers.ts';
import type { IncludeObject, PartialObjectMetadata, Table, TableColumnDefinition, TableMeta, TableOptions, TableRow } from './types.ts';

export type {
  ColumnType, IncludeObject, PartialObjectMetadata, Table, TableColumnDefinition, TableMeta, TableOptions, TableRow, TableRowCondition,
} from './types.ts';
export { humanDuration } from './human-duration.ts';

/** The columns of a resource's table, fresh copies the caller may keep or change. */
export function tableColumns(info: ResourceInfo): TableColumnDefinition[] {
  return printerFor(info).columns.map((c) => ({ ...c }));
}

function metadataOnly(meta: ObjectMeta): ObjectMeta {
  const { managedFields: _dropped, ...rest } = meta;
  return rest;
}

function rowObject(info: ResourceInfo, obj: KubeObject, include: IncludeObject): PartialObjectMetadata | KubeObject | undefined {
  if (include === 'None') return undefined;
  if (include === 'Metadata') return { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: metadataOnly(obj.metadata) };
  return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(info), kind: obj.kind ?? info.kind };
}

function tableMeta(items: KubeObject[], listMeta: TableMeta | undefined): TableMeta {
  const out: TableMeta = {};
  // A single object's table carries that object's resourceVersion, as upstream's does.
  const rv = listMeta ? listMeta.resourceVersion : items.length === 1 ? items[0]?.metadata.resourceVersion : undefined;
  if (rv !== undefined) out.resourceVersion = rv;
  if (listMeta?.continue) out.continue = listMeta.continue;
  if (listMeta?.remainingItemCount !== undefined) out.remainingItemCount = listMeta.remainingItemCount;
  return out;
}

/** One Table for a list of objects (or a single object) of one resource. */
export function toTable(info: ResourceInfo, items: KubeObject[], opts: TableOptions): Table {
  const printer = printerFor(info);
  const rows = items.map((obj): TableRow => {
    const row: TableRow = { cells: printer.cells(obj, opts.now) };
    const conditions = printer.conditions?.(obj);
    if (conditions) row.conditions = conditions;
    const object = rowObject(info, obj, opts.includeObject);
    if (object) row.object = object;
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: tableMeta(items, opts.listMeta),
    columnDefinitions: tableColumns(info),
    rows,
  };
}

/**
 * The one-row Table a watch event carries. Upstream sends column definitions with the first event
 * only; later events have an empty list and kubectl keeps the first one's header.
 */
export function watchEventTable(info: ResourceInfo, obj: KubeObject, opts: { now: number; includeObject: IncludeObject; withColumns: boolean }): Table {
  const t = toTable(info, [obj], { now: opts.now, includeObject: opts.includeObject });
  if (!opts.withColumns) t.columnDefinitions = [];
  return t;
}

/** A per-watch encoder: the first table it returns has column definitions, the rest do not. */
export function tableWatchEncoder(info: ResourceInfo, includeObject: IncludeObject, clock: () => number = Date.now): (obj: KubeObject) => Table {
  let first = true;
  return (obj) => {
    const t = watchEventTable(info, obj, { now: clock(), includeObject, withColumns: first });
    first = false;
    return t;
  };
}
