// ConfigMaps and Secrets (pkg/apis/core/validation/validation.go ValidateConfigMap, ValidateSecret
// and their Update variants).
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../meta.ts';
import { forbidden, immutable, invalid, invalidEach, key, pushAll, required, tooLong } from './field-errors.ts';
import { isConfigMapKey } from './names.ts';
import { asObj, isSet, jsonEqual } from './util.ts';

export const MAX_DATA_SIZE = 1024 * 1024;
const IMMUTABLE_MSG = 'field is immutable when `immutable` is set';

const base64Length = (s: string): number => Buffer.from(s, 'base64').length;

function validateKeys(data: unknown, path: string, errs: FieldError[], size: (v: unknown) => number): number {
  let total = 0;
  for (const [k, v] of Object.entries(asObj(data))) {
    pushAll(errs, invalidEach(key(path, k), k, isConfigMapKey(k)));
    total += size(v);
  }
  return total;
}

export function validateConfigMapData(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  let total = validateKeys(obj.data, 'data', errs, (v) => Buffer.byteLength(typeof v === 'string' ? v : ''));
  total += validateKeys(obj.binaryData, 'binaryData', errs, (v) => base64Length(typeof v === 'string' ? v : ''));
  const binary = asObj(obj.binaryData);
  for (const k of Object.keys(asObj(obj.data))) {
    if (Object.hasOwn(binary, k)) errs.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
  }
  if (total > MAX_DATA_SIZE) errs.push(tooLong('data', MAX_DATA_SIZE));
  return errs;
}

// Keys each built-in secret type requires (pkg/apis/core/types.go).
const REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
};

export function validateSecretData(obj: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const total = validateKeys(obj.data, 'data', errs, (v) => base64Length(typeof v === 'string' ? v : ''));
  for (const [k, v] of Object.entries(asObj(obj.data))) {
    if (typeof v !== 'string' || !/^[A-Za-z0-9+/]*={0,2}$/.test(v) || v.length % 4 === 1) errs.push(invalid(key('data', k), '<secret data>', 'illegal base64 data'));
  }
  for (const k of Object.keys(asObj(obj.stringData))) pushAll(errs, invalidEach(key('stringData', k), k, isConfigMapKey(k)));
  if (total > MAX_DATA_SIZE) errs.push(tooLong('data', MAX_DATA_SIZE));
  const type = typeof obj.type === 'string' ? obj.type : 'Opaque';
  const data = { ...asObj(obj.data), ...asObj(obj.stringData) };
  for (const k of REQUIRED_KEYS[type] ?? []) if (!Object.hasOwn(data, k)) errs.push(required(key('data', k)));
  if (type === 'kubernetes.io/basic-auth' && !Object.hasOwn(data, 'username') && !Object.hasOwn(data, 'password')) errs.push(required(key('data', 'username')));
  if (type === 'kubernetes.io/service-account-token' && !obj.metadata.annotations?.['kubernetes.io/service-account.name']) {
    errs.push(required(key('metadata.annotations', 'kubernetes.io/service-account.name')));
  }
  return errs;
}

/** Once `immutable: true`, data and the flag itself are frozen; a Secret's type never changes. */
export function validateConfigUpdate(obj: KubeObject, old: KubeObject, fields: readonly string[], typeImmutable: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (old.immutable === true) {
    if (obj.immutable !== true) errs.push(forbidden('immutable', IMMUTABLE_MSG));
    for (const f of fields) if (!jsonEqual(obj[f] ?? {}, old[f] ?? {})) errs.push(forbidden(f, IMMUTABLE_MSG));
  }
  if (typeImmutable && isSet(old.type) && obj.type !== old.type) errs.push(immutable('type', obj.type));
  return errs;
}
