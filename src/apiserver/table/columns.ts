// Column-definition builders; descriptions are skiff's own words.
import type { ColumnType, TableColumnDefinition } from './types.ts';

export function col(name: string, type: ColumnType, description: string, priority = 0): TableColumnDefinition {
  return { name, type, format: '', description, priority };
}

export function wide(name: string, type: ColumnType, description: string): TableColumnDefinition {
  return col(name, type, description, 1);
}

export const NAME: TableColumnDefinition = {
  name: 'Name', type: 'string', format: 'name', description: 'Name of the object, unique within its namespace or, for cluster-scoped kinds, the cluster.', priority: 0,
};

export const AGE: TableColumnDefinition = col('Age', 'string', 'Time since the object was created.');

export const CONTAINERS: TableColumnDefinition = wide('Containers', 'string', 'Names of the containers in the pod template.');
export const IMAGES: TableColumnDefinition = wide('Images', 'string', 'Images used by the containers in the pod template.');
export const SELECTOR: TableColumnDefinition = wide('Selector', 'string', 'Label selector for the pods this object manages.');
