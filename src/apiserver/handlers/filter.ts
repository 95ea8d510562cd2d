// labelSelector and fieldSelector query parameters → a predicate over stored objects.
import { badRequest } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { ResourceInfo } from '../../api/scheme.ts';
import { matchesLabels, parseLabelSelector } from '../../api/selectors/labels.ts';
import { matchesFields, parseFieldSelector, selectableFields, validateFieldSelector } from '../../api/selectors/fields.ts';

export type ObjectFilter = (obj: KubeObject) => boolean;

export function buildFilter(info: ResourceInfo, query: URLSearchParams): ObjectFilter | undefined {
  const ls = query.get('labelSelector') ?? '';
  const fs = query.get('fieldSelector') ?? '';
  if (!ls.trim() && !fs.trim()) return undefined;
  let labelExpr: ReturnType<typeof parseLabelSelector> | undefined;
  let fieldExpr: ReturnType<typeof parseFieldSelector> | undefined;
  try {
    if (ls.trim()) labelExpr = parseLabelSelector(ls);
  } catch (err) {
    throw badRequest(`unable to parse requirement: ${(err as Error).message}`.replace('unable to parse requirement: unable to parse requirement: ', 'unable to parse requirement: '));
  }
  try {
    if (fs.trim()) fieldExpr = parseFieldSelector(fs);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  if (fieldExpr) {
    try {
      validateFieldSelector(info, fieldExpr);
    } catch (err) {
      throw badRequest((err as Error).message);
    }
  }
  return (obj) => {
    if (labelExpr && !matchesLabels(labelExpr, obj.metadata.labels)) return false;
    if (fieldExpr && !matchesFields(fieldExpr, selectableFields(info, obj))) return false;
    return true;
  };
}
