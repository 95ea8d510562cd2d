// Field selectors: the `fieldSelector` query parameter (k8s.io/apimachinery/pkg/fields/selector.go).
import type { ResourceInfo } from '../scheme.ts';
import { supportedFieldLabels } from './field-sets.ts';
import { SelectorParseError } from './selector-error.ts';

export { selectableFields, supportedFieldLabels } from './field-sets.ts';
export { SelectorParseError, isSelectorParseError } from './selector-error.ts';

export type FieldOperator = '=' | '==' | '!=';

export interface FieldRequirement {
  field: string;
  operator: FieldOperator;
  value: string;
}

/** All requirements must hold; none selects everything. */
export interface FieldSelectorExpr {
  requirements: FieldRequirement[];
}

const OPERATORS: FieldOperator[] = ['!=', '==', '='];

// Split on commas not escaped by a backslash.
function splitTerms(text: string): string[] {
  if (text === '') return [];
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\') i++;
    else if (text[i] === ',') { terms.push(text.slice(start, i)); start = i + 1; }
  }
  terms.push(text.slice(start));
  return terms;
}

// The first unescaped operator splits a term into field and value.
function splitTerm(term: string): [string, FieldOperator, string] | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') { i++; continue; }
    for (const op of OPERATORS) if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
  }
  return undefined;
}

/** Undo `\\`, `\,` and `\=`; other backslashes and bare ',' or '=' are errors. */
export function unescapeFieldValue(value: string): string {
  if (!/[\\,=]/.test(value)) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i]!;
    if (c === '\\') {
      const n = value[i + 1];
      if (n !== '\\' && n !== ',' && n !== '=') throw new SelectorParseError(`invalid field selector: invalid escape sequence: \\${n ?? ''}`);
      out += n;
      i++;
    } else if (c === ',' || c === '=') {
      throw new SelectorParseError(`invalid field selector: unescaped character in value: ${c}`);
    } else {
      out += c;
    }
  }
  return out;
}

export function escapeFieldValue(value: string): string {
  return value.replace(/[\\,=]/g, (c) => `\\${c}`);
}

export function parseFieldSelector(text: string): FieldSelectorExpr {
  const requirements: FieldRequirement[] = [];
  for (const term of splitTerms(text)) {
    if (term === '') continue;
    const parts = splitTerm(term);
    if (!parts) throw new SelectorParseError(`invalid selector: '${text}'; can't understand '${term}'`);
    const [field, operator, raw] = parts;
    requirements.push({ field: field.trim(), operator, value: unescapeFieldValue(raw) });
  }
  return { requirements };
}

export function matchesFields(expr: FieldSelectorExpr, fields: Record<string, string>): boolean {
  return expr.requirements.every((r) => {
    const v = Object.hasOwn(fields, r.field) ? fields[r.field] : '';
    return r.operator === '!=' ? v !== r.value : v === r.value;
  });
}

/** Reject fields the resource cannot be selected by, as upstream's field label conversion does. */
export function validateFieldSelector(info: ResourceInfo, expr: FieldSelectorExpr): void {
  const supported = supportedFieldLabels(info);
  for (const r of expr.requirements) {
    if (!supported.has(r.field)) throw new SelectorParseError(`field label not supported: ${r.field}`);
  }
}
