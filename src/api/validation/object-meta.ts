// ObjectMeta checks (k8s.io/apimachinery/pkg/api/validation/objectmeta.go and
// pkg/apis/meta/v1/validation/validation.go ValidateLabels).
import type { FieldError } from '../errors.ts';
import type { ObjectMeta } from '../meta.ts';
import { child, forbidden, index, invalid, invalidEach, pushAll, required, tooLong } from './field-errors.ts';
import { isDNS1123Label, isQualifiedName, isValidLabelValue } from './names.ts';
import { asArr, asObj, isObj, isSet, safeString, type Obj } from './util.ts';

export type NameCheck = (name: string) => string[];

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateLabels(labels: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isSet(labels)) return errs;
  if (!isObj(labels)) return [invalid(path, labels, 'must be a map of strings')];
  for (const [k, v] of Object.entries(labels)) {
    pushAll(errs, invalidEach(path, k, isQualifiedName(k)));
    if (typeof v !== 'string') errs.push(invalid(path, v, 'label values must be strings'));
    else pushAll(errs, invalidEach(path, v, isValidLabelValue(v)));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!isSet(annotations)) return errs;
  if (!isObj(annotations)) return [invalid(path, annotations, 'must be a map of strings')];
  let total = 0;
  for (const [k, v] of Object.entries(annotations)) {
    pushAll(errs, invalidEach(path, k, isQualifiedName(k.toLowerCase())));
    total += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : safeString(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

function validateOwnerReferences(refs: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const controllers: string[] = [];
  for (const r of asArr(refs)) {
    const ref = asObj(r);
    if (!ref.apiVersion) errs.push(invalid(child(path, 'apiVersion'), ref.apiVersion ?? '', 'version must not be empty'));
    if (!ref.kind) errs.push(invalid(child(path, 'kind'), ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) errs.push(invalid(child(path, 'name'), ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) errs.push(invalid(child(path, 'uid'), ref.uid ?? '', 'uid must not be empty'));
    if (ref.controller === true) controllers.push(`${safeString(ref.kind)}/${safeString(ref.name)}`);
  }
  if (controllers.length > 1) {
    errs.push(invalid(path, refs, `Only one reference can have Controller set to true. Found "true" in references for ${controllers.join(' and ')}`));
  }
  return errs;
}

function validateFinalizers(finalizers: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const list = asArr(finalizers);
  list.forEach((f, i) => {
    const name = typeof f === 'string' ? f : '';
    const p = index(path, i);
    const msgs = isQualifiedName(name);
    if (msgs.length) pushAll(errs, invalidEach(p, f, msgs));
    else if (!name.includes('/') && !STANDARD_FINALIZERS.has(name)) errs.push(invalid(p, name, 'name is neither a standard finalizer name nor is it fully qualified'));
  });
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    errs.push(invalid(path, list, "finalizer orphan and foregroundDeletion cannot be both set"));
  }
  return errs;
}

export interface MetaOptions {
  namespaced: boolean;
  nameCheck: NameCheck;
}

/** The checks on metadata every kind shares; `path` is 'metadata' or e.g. 'spec.template.metadata'. */
export function validateObjectMeta(meta: ObjectMeta | undefined, opts: MetaOptions, path = 'metadata'): FieldError[] {
  const m: Obj = asObj(meta);
  const errs: FieldError[] = [];
  const name = typeof m.name === 'string' ? m.name : '';
  if (!name) errs.push(required(child(path, 'name'), 'name or generateName is required'));
  else pushAll(errs, invalidEach(child(path, 'name'), name, opts.nameCheck(name)));
  const ns = typeof m.namespace === 'string' ? m.namespace : '';
  if (opts.namespaced) {
    if (!ns) errs.push(required(child(path, 'namespace')));
    else pushAll(errs, invalidEach(child(path, 'namespace'), ns, isDNS1123Label(ns)));
  } else if (ns) {
    errs.push(forbidden(child(path, 'namespace'), 'not allowed on this type'));
  }
  if (typeof m.generation === 'number' && m.generation < 0) errs.push(invalid(child(path, 'generation'), m.generation, 'must be greater than or equal to 0'));
  pushAll(errs, validateLabels(m.labels, child(path, 'labels')));
  pushAll(errs, validateAnnotations(m.annotations, child(path, 'annotations')));
  pushAll(errs, validateOwnerReferences(m.ownerReferences, child(path, 'ownerReferences')));
  pushAll(errs, validateFinalizers(m.finalizers, child(path, 'finalizers')));
  return errs;
}

/** Template metadata (pod templates): labels and annotations only, no name. */
export function validateTemplateMeta(meta: unknown, path: string): FieldError[] {
  const m = asObj(meta);
  return [...validateLabels(m.labels, child(path, 'labels')), ...validateAnnotations(m.annotations, child(path, 'annotations'))];
}
