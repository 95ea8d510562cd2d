// x-kubernetes-validations: CEL rules on a structural schema, evaluated with `self` (the value at
// the rule's node) and, for transition rules, `oldSelf` (the value there before an update), as
// apiextensions-apiserver pkg/apiserver/schema/cel/validation.go does: a failed rule is a field
// error at the node (or its fieldPath) with the rule's message, messageExpression or
// "failed rule: <rule>", its reason choosing the error type; the bad value shown is the node's type.
import type { FieldError } from '../../../api/errors.ts';
import type { JSONSchemaProps, ValidationRule } from '../../../api/types/apiextensions-v1.ts';
import { CelEvaluationError, compileExpression, CostBudget, evaluate, toCelValue, tryCompile } from '../../../cel/index.ts';

type Obj = Record<string, unknown>;

const VARIABLES = ['self', 'oldSelf'];

/** A rule that reads oldSelf is a transition rule: only evaluated on updates where an old value exists. */
export function isTransitionRule(rule: string): boolean {
  return /\boldSelf\b/.test(rule);
}

/** Errors of the rules of a schema (compilation), at CRD creation or update. */
export function validateRuleDefinitions(s: JSONSchemaProps, path: string, out: FieldError[] = []): FieldError[] {
  (s['x-kubernetes-validations'] ?? []).forEach((r, i) => {
    const p = `${path}.x-kubernetes-validations[${i}]`;
    if (!r.rule?.trim()) { out.push({ type: 'FieldValueRequired', field: `${p}.rule`, detail: '' }); return; }
    const compiled = tryCompile(r.rule, { variables: VARIABLES, returnType: 'bool' });
    if (compiled.error) out.push({ type: 'FieldValueInvalid', field: `${p}.rule`, badValue: r.rule, detail: compiled.error.message });
    if (r.messageExpression) {
      const m = tryCompile(r.messageExpression, { variables: VARIABLES, returnType: 'string' });
      if (m.error) out.push({ type: 'FieldValueInvalid', field: `${p}.messageExpression`, badValue: r.messageExpression, detail: `messageExpression ${m.error.message}` });
    }
    if (r.reason !== undefined && !['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'].includes(r.reason)) {
      out.push({ type: 'FieldValueNotSupported', field: `${p}.reason`, badValue: r.reason, detail: 'supported values: "FieldValueDuplicate", "FieldValueForbidden", "FieldValueInvalid", "FieldValueRequired"' });
    }
    if (r.optionalOldSelf && !isTransitionRule(r.rule)) out.push({ type: 'FieldValueForbidden', field: `${p}.optionalOldSelf`, detail: 'may not be set if rule does not use oldSelf' });
  });
  for (const [k, v] of Object.entries(s.properties ?? {})) validateRuleDefinitions(v, `${path}.properties[${k}]`, out);
  if (s.items) validateRuleDefinitions(s.items, `${path}.items`, out);
  if (typeof s.additionalProperties === 'object') validateRuleDefinitions(s.additionalProperties, `${path}.additionalProperties`, out);
  return out;
}

/** True when the schema has a rule anywhere (objects of CRDs without rules skip the walk). */
export function hasRules(s: JSONSchemaProps | undefined): boolean {
  if (!s) return false;
  if (s['x-kubernetes-validations']?.length) return true;
  return Object.values(s.properties ?? {}).some(hasRules) || hasRules(s.items) || (typeof s.additionalProperties === 'object' && hasRules(s.additionalProperties));
}

function typeOf(s: JSONSchemaProps): string {
  return s.type ?? (s['x-kubernetes-int-or-string'] ? 'integer-or-string' : '');
}

function joinFieldPath(path: string, fieldPath: string | undefined): string {
  if (!fieldPath) return path;
  return fieldPath.startsWith('[') ? `${path}${fieldPath}` : `${path}${fieldPath.startsWith('.') ? '' : '.'}${fieldPath}`.replace(/^\./, '');
}

function ruleError(rule: ValidationRule, s: JSONSchemaProps, path: string, message: string): FieldError {
  const field = joinFieldPath(path, rule.fieldPath) || '<nil>';
  switch (rule.reason) {
    case 'FieldValueForbidden': return { type: 'FieldValueForbidden', field, detail: message };
    case 'FieldValueRequired': return { type: 'FieldValueRequired', field, detail: message };
    case 'FieldValueDuplicate': return { type: 'FieldValueDuplicate', field, detail: '', badValue: typeOf(s) };
    default: return { type: 'FieldValueInvalid', field, detail: message, badValue: typeOf(s) };
  }
}

function evaluateRules(s: JSONSchemaProps, value: unknown, old: unknown, path: string, budget: CostBudget, out: FieldError[]): void {
  const rules = s['x-kubernetes-validations'];
  if (!rules?.length) return;
  const self = toCelValue(value, s);
  const oldSelf = old === undefined ? null : toCelValue(old, s);
  for (const rule of rules) {
    if (isTransitionRule(rule.rule) && old === undefined && !rule.optionalOldSelf) continue;
    try {
      const program = compileExpression(rule.rule, { variables: VARIABLES, returnType: 'bool' });
      if (evaluate(program, { self, oldSelf }, { budget }) === true) continue;
      let message = rule.message?.trim() ? rule.message : `failed rule: ${rule.rule.trim()}`;
      if (rule.messageExpression) {
        try {
          const m = evaluate(compileExpression(rule.messageExpression, { variables: VARIABLES, returnType: 'string' }), { self, oldSelf }, { budget });
          if (typeof m === 'string' && m.trim() && !m.includes('\n')) message = m;
        } catch (err) {
          if (!(err instanceof CelEvaluationError)) throw err;
        }
      }
      out.push(ruleError(rule, s, path, message));
    } catch (err) {
      if (!(err instanceof CelEvaluationError) && !(err instanceof Error && err.name === 'CelCompileError')) throw err;
      out.push({ type: 'FieldValueInvalid', field: path || '<nil>', badValue: typeOf(s), detail: err.message });
    }
  }
}

function walk(s: JSONSchemaProps, value: unknown, old: unknown, path: string, budget: CostBudget, out: FieldError[]): void {
  if (value === undefined || value === null) return;
  evaluateRules(s, value, old, path, budget, out);
  if (Array.isArray(value)) {
    if (!s.items || !hasRules(s.items)) return;
    const keys = s['x-kubernetes-list-type'] === 'map' ? s['x-kubernetes-list-map-keys'] ?? [] : undefined;
    const oldList = Array.isArray(old) ? old as unknown[] : [];
    value.forEach((item, i) => {
      // Items correlate with old items only in map lists (by key) and sets (by value).
      let prev: unknown;
      if (keys) prev = oldList.find((o) => o !== null && typeof o === 'object' && keys.every((k) => (o as Obj)[k] === (item as Obj | null)?.[k]));
      else if (s['x-kubernetes-list-type'] === 'set') prev = oldList.find((o) => JSON.stringify(o) === JSON.stringify(item));
      walk(s.items!, item, prev, `${path}[${i}]`, budget, out);
    });
    return;
  }
  if (typeof value !== 'object') return;
  const obj = value as Obj;
  const oldObj = old !== null && typeof old === 'object' && !Array.isArray(old) ? old as Obj : undefined;
  for (const [k, v] of Object.entries(obj)) {
    const ps = s.properties?.[k] ?? (typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined);
    if (ps && hasRules(ps)) walk(ps, v, oldObj?.[k], path ? `${path}.${k}` : k, budget, out);
  }
}

/** Evaluate every rule of `schema` over an object (and its old version on update). */
export function validateRules(schema: JSONSchemaProps, obj: unknown, old: unknown): FieldError[] {
  const out: FieldError[] = [];
  if (!hasRules(schema)) return out;
  walk(schema, obj, old, '', new CostBudget(), out);
  return out;
}
