// Pod volumes (pkg/apis/core/validation/validation.go ValidateVolumes, validateVolumeSource).
import type { FieldError } from '../errors.ts';
import { child, duplicate, forbidden, index, invalid, invalidEach, notSupported, pushAll, required } from './field-errors.ts';
import { isDNS1123Label, isDNS1123Subdomain } from './names.ts';
import { asArr, asObj, isObj, isSet, safeString, type Obj } from './util.ts';

export const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
] as const;

const HOST_PATH_TYPES = ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'];
const MODE_MSG = 'must be a number between 0 and 0777 (octal), both inclusive';

function validateMode(v: unknown, path: string): FieldError[] {
  if (!isSet(v)) return [];
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0o777 ? [] : [invalid(path, v, MODE_MSG)];
}

function validateKeyToPaths(items: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(items).forEach((it, i) => {
    const item = asObj(it);
    const p = index(path, i);
    const k = typeof item.key === 'string' ? item.key : '';
    if (!k) errs.push(required(child(p, 'key')));
    const target = typeof item.path === 'string' ? item.path : '';
    if (!target) errs.push(required(child(p, 'path')));
    else if (target.startsWith('/')) errs.push(invalid(child(p, 'path'), target, 'must be a relative path'));
    else if (target.split('/').includes('..')) errs.push(invalid(child(p, 'path'), target, "must not contain '..'"));
    pushAll(errs, validateMode(item.mode, child(p, 'mode')));
  });
  return errs;
}

function validateSource(kind: string, src: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  switch (kind) {
    case 'configMap':
      if (!src.name) errs.push(required(child(path, 'name')));
      else pushAll(errs, invalidEach(child(path, 'name'), src.name, isDNS1123Subdomain(safeString(src.name))));
      pushAll(errs, validateMode(src.defaultMode, child(path, 'defaultMode')));
      pushAll(errs, validateKeyToPaths(src.items, child(path, 'items')));
      break;
    case 'secret':
      if (!src.secretName) errs.push(required(child(path, 'secretName')));
      else pushAll(errs, invalidEach(child(path, 'secretName'), src.secretName, isDNS1123Subdomain(safeString(src.secretName))));
      pushAll(errs, validateMode(src.defaultMode, child(path, 'defaultMode')));
      pushAll(errs, validateKeyToPaths(src.items, child(path, 'items')));
      break;
    case 'persistentVolumeClaim':
      if (!src.claimName) errs.push(required(child(path, 'claimName')));
      break;
    case 'hostPath':
      if (!src.path) errs.push(required(child(path, 'path')));
      if (isSet(src.type) && !HOST_PATH_TYPES.includes(safeString(src.type))) {
        errs.push(notSupported(child(path, 'type'), src.type, HOST_PATH_TYPES));
      }
      break;
    case 'nfs':
      if (!src.server) errs.push(required(child(path, 'server')));
      if (!src.path) errs.push(required(child(path, 'path')));
      else if (!safeString(src.path).startsWith('/')) errs.push(invalid(child(path, 'path'), src.path, 'must be an absolute path'));
      break;
    case 'downwardAPI':
    case 'projected':
      pushAll(errs, validateMode(src.defaultMode, child(path, 'defaultMode')));
      break;
    case 'csi':
      if (!src.driver) errs.push(required(child(path, 'driver')));
      break;
    case 'image':
      if (!src.reference) errs.push(required(child(path, 'reference')));
      break;
    case 'ephemeral':
      if (!isObj(src.volumeClaimTemplate)) errs.push(required(child(path, 'volumeClaimTemplate')));
      break;
    default:
      break;
  }
  return errs;
}

/** Validate `volumes` and return the names declared, for volumeMount checks. */
export function validateVolumes(volumes: unknown, path: string, errs: FieldError[]): Set<string> {
  const names = new Set<string>();
  asArr(volumes).forEach((v, i) => {
    const vol = asObj(v);
    const p = index(path, i);
    const name = typeof vol.name === 'string' ? vol.name : '';
    if (!name) errs.push(required(child(p, 'name')));
    else pushAll(errs, invalidEach(child(p, 'name'), name, isDNS1123Label(name)));
    if (name && names.has(name)) errs.push(duplicate(child(p, 'name'), name));
    if (name) names.add(name);
    const present = VOLUME_SOURCES.filter((k) => isSet(vol[k]));
    if (present.length === 0) errs.push(required(p, 'must specify a volume type'));
    for (const [n, k] of present.entries()) {
      if (n > 0) errs.push(forbidden(child(p, k), 'may not specify more than 1 volume type'));
      else pushAll(errs, validateSource(k, asObj(vol[k]), child(p, k)));
    }
  });
  return names;
}
