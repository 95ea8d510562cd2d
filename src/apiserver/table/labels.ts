// Label maps and selectors as kubectl shows them (k8s.io/apimachinery/pkg/labels Set.String and
// Requirement.String, metav1.FormatLabelSelector).

export interface LabelSelectorRequirement {
  key?: string;
  operator?: string;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

const byKey = (a: [string, string], b: [string, string]): number => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

/** "a=b,c=d" sorted by key, or "<none>". */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const s = Object.entries(labels ?? {}).sort(byKey).map(([k, v]) => `${k}=${v}`).join(',');
  return s === '' ? '<none>' : s;
}

/**
 * The selector's canonical string ("app=web,tier in (a,b),!legacy"); "" for a nil or empty
 * selector; undefined when it cannot be parsed (an unknown operator, In without values).
 */
export function selectorString(sel: LabelSelector | undefined | null): string | undefined {
  if (!sel) return '';
  const reqs: Array<[string, string]> = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push([k, `${k}=${v}`]);
  for (const e of sel.matchExpressions ?? []) {
    const key = e.key ?? '';
    const values = [...(e.values ?? [])].sort();
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) return undefined;
        reqs.push([key, `${key} ${e.operator === 'In' ? 'in' : 'notin'} (${values.join(',')})`]);
        break;
      case 'Exists':
        if (values.length > 0) return undefined;
        reqs.push([key, key]);
        break;
      case 'DoesNotExist':
        if (values.length > 0) return undefined;
        reqs.push([key, `!${key}`]);
        break;
      default:
        return undefined;
    }
  }
  return reqs.sort(byKey).map((r) => r[1]).join(',');
}

/** metav1.FormatLabelSelector: "<none>" when empty, "<error>" when unparsable. */
export function formatLabelSelector(sel: LabelSelector | undefined | null): string {
  const s = selectorString(sel);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}
