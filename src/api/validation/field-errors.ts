// Constructors for field errors (k8s.io/apimachinery/pkg/util/validation/field/errors.go).
import type { FieldError } from '../errors.ts';

export const required = (field: string, detail = ''): FieldError => ({ type: 'FieldValueRequired', field, detail });

export const invalid = (field: string, badValue: unknown, detail: string): FieldError => ({ type: 'FieldValueInvalid', field, detail, badValue });

export const duplicate = (field: string, badValue: unknown): FieldError => ({ type: 'FieldValueDuplicate', field, detail: '', badValue });

export const forbidden = (field: string, detail: string): FieldError => ({ type: 'FieldValueForbidden', field, detail });

export const tooLong = (field: string, max: number): FieldError => ({ type: 'FieldValueTooLong', field, detail: `must have at most ${max} bytes` });

export const tooMany = (field: string, actual: number, max: number): FieldError => ({ type: 'FieldValueTooMany', field, detail: `must have at most ${max} items`, badValue: actual });

/**
 * Upstream has a separate NotFound type; FieldError has no such member, so this reports
 * FieldValueInvalid with upstream's wording in the detail.
 */
export const notFound = (field: string, badValue: unknown): FieldError => ({ type: 'FieldValueInvalid', field, detail: 'not found', badValue });

export function notSupported(field: string, badValue: unknown, supported: readonly string[]): FieldError {
  const detail = supported.length ? `supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}` : '';
  return { type: 'FieldValueNotSupported', field, detail, badValue };
}

/**
 * Append `more` to `into` one by one: `into.push(...more)` passes every element as an argument and
 * overflows the stack past ~120,000 (a pod of 200,000 bad env vars).
 */
export function pushAll(into: FieldError[], more: readonly FieldError[]): void {
  for (const e of more) into.push(e);
}

/** One Invalid error per message, as upstream loops over the string checks. */
export function invalidEach(field: string, value: unknown, messages: string[]): FieldError[] {
  return messages.map((m) => invalid(field, value, m));
}

export const immutable = (field: string, value: unknown): FieldError => invalid(field, value, 'field is immutable');

/** The JSON-path child of a field path ('' is the root). */
export const child = (base: string, ...names: string[]): string => [base, ...names].filter(Boolean).join('.');
export const index = (base: string, i: number): string => `${base}[${i}]`;
export const key = (base: string, k: string): string => `${base}[${k}]`;
