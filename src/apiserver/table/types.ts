// The shapes of meta.k8s.io/v1 Table (k8s.io/apimachinery/pkg/apis/meta/v1/types.go: Table,
// TableColumnDefinition, TableRow, TableRowCondition) and the printer contract behind them.
import type { KubeObject, ObjectMeta } from '../../api/meta.ts';

/** OpenAPI type of a column's cells; 'date' only appears in the default convertor's "Created At". */
export type ColumnType = 'string' | 'integer' | 'number' | 'boolean' | 'date';

export interface TableColumnDefinition {
  name: string;
  type: ColumnType;
  /** 'name' marks the column holding the object's name; otherwise empty. */
  format: string;
  description: string;
  /** 0: always shown; 1 and above: shown by kubectl only with -o wide. */
  priority: number;
}

export interface TableRowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface PartialObjectMetadata {
  kind: 'PartialObjectMetadata';
  apiVersion: 'meta.k8s.io/v1';
  metadata: ObjectMeta;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: PartialObjectMetadata | KubeObject;
}

export interface TableMeta {
  resourceVersion?: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: TableMeta;
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export interface TableOptions {
  /** Milliseconds since the epoch; ages and durations are measured against it. */
  now: number;
  includeObject: IncludeObject;
  listMeta?: TableMeta;
}

/** Turns one kind's objects into cells. `cells` returns exactly one value per column. */
export interface Printer {
  columns: readonly TableColumnDefinition[];
  cells(obj: KubeObject, now: number): unknown[];
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
}
