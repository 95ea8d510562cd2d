// Table output of custom resources: NAME, the CRD's additionalPrinterColumns (each a JSONPath
// over the object) and, without any, AGE (apiextensions-apiserver pkg/registry/customresource/tableconvertor).
import type { KubeObject } from '../../api/meta.ts';
import type { CustomResourceColumnDefinition } from '../../api/types/apiextensions-v1.ts';
import { NAME as NAME_COLUMN } from '../table/columns.ts';
import { humanDuration, parseTime } from '../table/human-duration.ts';
import type { ColumnType, Printer, TableColumnDefinition } from '../table/types.ts';

const AGE_COLUMN: CustomResourceColumnDefinition = { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: 'Time since the object was created.' };

/**
 * The values a JSONPath (kubectl's dialect, the subset printer columns use: `.a.b`, `.a[0]`,
 * `.a[*].b`, `.a['k.x']`) selects from a value.
 */
export function jsonPathValues(path: string, root: unknown): unknown[] {
  let cur: unknown[] = [root];
  const p = path.trim().replace(/^\{|\}$/g, '').replace(/^\$/, '');
  const re = /\.([^.[\]]+)|\[(\*|-?\d+|'[^']*'|"[^"]*")\]/g;
  let m: RegExpExecArray | null;
  let consumed = 0;
  while ((m = re.exec(p)) !== null) {
    if (m.index !== consumed) return [];
    consumed = re.lastIndex;
    const next: unknown[] = [];
    for (const v of cur) {
      if (v === null || typeof v !== 'object') continue;
      if (m[1] !== undefined) {
        if (!Array.isArray(v) && Object.hasOwn(v, m[1])) next.push((v as Record<string, unknown>)[m[1]]);
      } else if (m[2] === '*') {
        next.push(...(Array.isArray(v) ? v : Object.values(v)));
      } else if (/^-?\d+$/.test(m[2]!)) {
        if (Array.isArray(v)) {
          const i = Number(m[2]);
          const item = v[i < 0 ? v.length + i : i];
          if (item !== undefined) next.push(item);
        }
      } else {
        const key = m[2]!.slice(1, -1);
        if (!Array.isArray(v) && Object.hasOwn(v, key)) next.push((v as Record<string, unknown>)[key]);
      }
    }
    cur = next;
  }
  return consumed === p.length ? cur : [];
}

function cell(col: CustomResourceColumnDefinition, obj: KubeObject, now: number): unknown {
  const vals = jsonPathValues(col.jsonPath, obj);
  if (vals.length === 0) return null;
  const v = vals.length === 1 ? vals[0] : vals;
  if (col.type === 'date') {
    const t = parseTime(v);
    return t === undefined ? '<invalid>' : humanDuration(now - t);
  }
  if (col.type === 'integer' && typeof v === 'number') return Math.trunc(v);
  if (col.type === 'string' && typeof v !== 'string') return Array.isArray(v) ? vals.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ') : JSON.stringify(v);
  return v;
}

export function customPrinter(columns: readonly CustomResourceColumnDefinition[]): Printer {
  const cols = columns.length ? columns : [AGE_COLUMN];
  return {
    columns: [NAME_COLUMN, ...cols.map((c): TableColumnDefinition => ({
      name: c.name, type: c.type as ColumnType, format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0,
    }))],
    cells: (obj, now) => [obj.metadata.name ?? '', ...cols.map((c) => cell(c, obj, now))],
  };
}
