// Label selectors: the `labelSelector` query parameter and metav1.LabelSelector objects
// (k8s.io/apimachinery/pkg/labels/selector.go, pkg/apis/meta/v1/helpers.go LabelSelectorAsSelector).
import { parseRequirements } from './label-parser.ts';
import { newRequirement, requirementMatches, requirementString, type LabelOperator, type LabelRequirement } from './label-requirement.ts';
import { SelectorParseError } from './selector-error.ts';

export type { LabelOperator, LabelRequirement } from './label-requirement.ts';
export { SelectorParseError, isSelectorParseError } from './selector-error.ts';

/** All requirements must hold. `nothing` (a null metav1.LabelSelector) matches no object. */
export interface LabelSelectorExpr {
  requirements: LabelRequirement[];
  nothing?: true;
}

export interface LabelSelectorRequirementMeta {
  key: string;
  operator: string;
  values?: string[];
}

export interface LabelSelectorMeta {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirementMeta[];
}

export function parseLabelSelector(text: string): LabelSelectorExpr {
  return { requirements: parseRequirements(text) };
}

const META_OPERATORS: Record<string, LabelOperator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/** A metav1.LabelSelector as an expression: null matches nothing, {} matches everything. */
export function labelSelectorFromMeta(sel: LabelSelectorMeta | null | undefined): LabelSelectorExpr {
  if (sel === null || sel === undefined) return { requirements: [], nothing: true };
  const reqs: LabelRequirement[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {})) reqs.push(newRequirement(k, '=', [v]));
  for (const e of sel.matchExpressions ?? []) {
    const op = META_OPERATORS[e.operator];
    if (!op) throw new SelectorParseError(`${JSON.stringify(e.operator)} is not a valid label selector operator`);
    reqs.push(newRequirement(e.key, op, op === 'in' || op === 'notin' ? [...(e.values ?? [])] : (e.values ?? [])));
  }
  return { requirements: reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0)) };
}

export function matchesLabels(expr: LabelSelectorExpr, labels: Record<string, string> | undefined): boolean {
  if (expr.nothing) return false;
  return expr.requirements.every((r) => requirementMatches(r, labels));
}

/** True when the selector selects everything (no requirements). */
export function isEmptySelector(expr: LabelSelectorExpr): boolean {
  return !expr.nothing && expr.requirements.length === 0;
}

export function labelSelectorString(expr: LabelSelectorExpr): string {
  return expr.requirements.map(requirementString).join(',');
}
