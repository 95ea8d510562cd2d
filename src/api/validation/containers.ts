// Containers of a pod spec (pkg/apis/core/validation/validation.go validateContainers,
// validateContainerPorts, ValidateEnv, ValidateVolumeMounts, validateProbe).
import type { FieldError } from '../errors.ts';
import { child, duplicate, forbidden, index, invalid, invalidEach, notFound, notSupported, pushAll, required } from './field-errors.ts';
import { inclusiveRangeError, isConfigMapKey, isDNS1123Label, isEnvVarName, isValidPortName, isValidPortNum } from './names.ts';
import { validateResourceRequirements } from './resources.ts';
import { asArr, asObj, isObj, isSet, safeNumber, safeString, type Obj } from './util.ts';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];

export function validateProtocol(v: unknown, path: string): FieldError[] {
  if (!isSet(v) || v === '') return [required(path)];
  return PROTOCOLS.includes(safeString(v)) ? [] : [notSupported(path, v, PROTOCOLS)];
}

function validatePorts(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  asArr(ports).forEach((x, i) => {
    const port = asObj(x);
    const p = index(path, i);
    if (isSet(port.name) && port.name !== '') {
      const name = safeString(port.name);
      pushAll(errs, invalidEach(child(p, 'name'), name, isValidPortName(name)));
      if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
      names.add(name);
    }
    if (!isSet(port.containerPort) || port.containerPort === 0) errs.push(required(child(p, 'containerPort')));
    else pushAll(errs, invalidEach(child(p, 'containerPort'), port.containerPort, isValidPortNum(safeNumber(port.containerPort))));
    if (isSet(port.hostPort) && port.hostPort !== 0) pushAll(errs, invalidEach(child(p, 'hostPort'), port.hostPort, isValidPortNum(safeNumber(port.hostPort))));
    pushAll(errs, validateProtocol(port.protocol, child(p, 'protocol')));
  });
  return errs;
}

function validateEnvVarSource(src: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const kinds = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef', 'fileKeyRef'].filter((k) => isSet(src[k]));
  if (kinds.length === 0) errs.push(invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  if (kinds.length > 1) errs.push(invalid(path, '', 'may not have more than one field specified at a time'));
  for (const k of ['configMapKeyRef', 'secretKeyRef']) {
    const ref = src[k];
    if (!isObj(ref)) continue;
    const kp = child(path, k);
    if (!ref.key) errs.push(required(child(kp, 'key')));
    else pushAll(errs, invalidEach(child(kp, 'key'), ref.key, isConfigMapKey(safeString(ref.key))));
  }
  const fieldRef = src.fieldRef;
  if (isObj(fieldRef)) {
    if (!fieldRef.fieldPath) errs.push(required(child(path, 'fieldRef', 'fieldPath')));
    if (!fieldRef.apiVersion) errs.push(required(child(path, 'fieldRef', 'apiVersion')));
  }
  const resRef = src.resourceFieldRef;
  if (isObj(resRef) && !resRef.resource) errs.push(required(child(path, 'resourceFieldRef', 'resource')));
  return errs;
}

function validateEnv(env: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(env).forEach((x, i) => {
    const e = asObj(x);
    const p = index(path, i);
    const name = typeof e.name === 'string' ? e.name : '';
    if (!name) errs.push(required(child(p, 'name')));
    else pushAll(errs, invalidEach(child(p, 'name'), name, isEnvVarName(name)));
    if (isObj(e.valueFrom)) {
      if (typeof e.value === 'string' && e.value !== '') errs.push(invalid(child(p, 'valueFrom'), '', 'may not be specified when `value` is not empty'));
      pushAll(errs, validateEnvVarSource(e.valueFrom, child(p, 'valueFrom')));
    }
  });
  return errs;
}

function validateVolumeMounts(mounts: unknown, path: string, volumes: ReadonlySet<string>): FieldError[] {
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  asArr(mounts).forEach((x, i) => {
    const m = asObj(x);
    const p = index(path, i);
    const name = typeof m.name === 'string' ? m.name : '';
    if (!name) errs.push(required(child(p, 'name')));
    else if (!volumes.has(name)) errs.push(notFound(child(p, 'name'), name));
    const mountPath = typeof m.mountPath === 'string' ? m.mountPath : '';
    if (!mountPath) errs.push(required(child(p, 'mountPath')));
    else if (seen.has(mountPath)) errs.push(invalid(child(p, 'mountPath'), mountPath, 'must be unique'));
    seen.add(mountPath);
    if (typeof m.subPath === 'string' && (m.subPath.startsWith('/') || m.subPath.split('/').includes('..'))) {
      errs.push(invalid(child(p, 'subPath'), m.subPath, m.subPath.startsWith('/') ? 'must be a relative path' : "must not contain '..'"));
    }
  });
  return errs;
}

function positive(o: Obj, field: string, path: string, min: number): FieldError[] {
  const v = o[field];
  if (!isSet(v)) return [];
  return typeof v === 'number' && Number.isInteger(v) && v >= min ? [] : [invalid(child(path, field), v, min === 0 ? 'must be greater than or equal to 0' : inclusiveRangeError(min, 2147483647))];
}

function validateProbe(probe: unknown, path: string, isLiveness: boolean): FieldError[] {
  if (!isSet(probe)) return [];
  const p = asObj(probe);
  const errs: FieldError[] = [];
  const handlers = ['exec', 'httpGet', 'tcpSocket', 'grpc'].filter((k) => isSet(p[k]));
  if (handlers.length === 0) errs.push(required(path, 'must specify a handler type'));
  else if (handlers.length > 1) errs.push(forbidden(child(path, handlers[1]!), 'may not specify more than 1 handler type'));
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) pushAll(errs, positive(p, f, path, 0));
  if ((isLiveness || path.endsWith('startupProbe')) && isSet(p.successThreshold) && p.successThreshold !== 1) {
    errs.push(invalid(child(path, 'successThreshold'), p.successThreshold, 'must be 1'));
  }
  const get = p.httpGet;
  if (isObj(get) && !isSet(get.port)) errs.push(required(child(path, 'httpGet', 'port')));
  const tcp = p.tcpSocket;
  if (isObj(tcp) && !isSet(tcp.port)) errs.push(required(child(path, 'tcpSocket', 'port')));
  return errs;
}

export interface ContainerContext {
  volumes: ReadonlySet<string>;
  /** Names already used by containers of the pod (init, regular and ephemeral share one namespace). */
  names: Set<string>;
  init: boolean;
}

export function validateContainer(c: Obj, path: string, ctx: ContainerContext): FieldError[] {
  const errs: FieldError[] = [];
  const name = typeof c.name === 'string' ? c.name : '';
  if (!name) errs.push(required(child(path, 'name')));
  else {
    pushAll(errs, invalidEach(child(path, 'name'), name, isDNS1123Label(name)));
    if (ctx.names.has(name)) errs.push(duplicate(child(path, 'name'), name));
    ctx.names.add(name);
  }
  if (typeof c.image !== 'string' || c.image.length === 0) errs.push(required(child(path, 'image')));
  else if (c.image.trim() !== c.image) errs.push(invalid(child(path, 'image'), c.image, 'must not have leading or trailing whitespace'));
  if (!isSet(c.imagePullPolicy) || c.imagePullPolicy === '') errs.push(required(child(path, 'imagePullPolicy')));
  else if (!PULL_POLICIES.includes(safeString(c.imagePullPolicy))) errs.push(notSupported(child(path, 'imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES));
  if (isSet(c.terminationMessagePolicy) && !TERMINATION_MESSAGE_POLICIES.includes(safeString(c.terminationMessagePolicy))) {
    errs.push(notSupported(child(path, 'terminationMessagePolicy'), c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES));
  }
  pushAll(errs, validatePorts(c.ports, child(path, 'ports')));
  pushAll(errs, validateEnv(c.env, child(path, 'env')));
  pushAll(errs, validateVolumeMounts(c.volumeMounts, child(path, 'volumeMounts'), ctx.volumes));
  pushAll(errs, validateResourceRequirements(c.resources, child(path, 'resources')));
  if (ctx.init && !isSet(c.restartPolicy)) {
    for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (isSet(c[k])) errs.push(forbidden(child(path, k), 'may not be set for init containers without restartPolicy=Always'));
    }
  } else {
    pushAll(errs, validateProbe(c.livenessProbe, child(path, 'livenessProbe'), true));
    pushAll(errs, validateProbe(c.readinessProbe, child(path, 'readinessProbe'), false));
    pushAll(errs, validateProbe(c.startupProbe, child(path, 'startupProbe'), false));
  }
  if (isSet(c.restartPolicy)) {
    if (!ctx.init) errs.push(forbidden(child(path, 'restartPolicy'), 'may not be set for non-init containers'));
    else if (c.restartPolicy !== 'Always') errs.push(notSupported(child(path, 'restartPolicy'), c.restartPolicy, ['Always']));
  }
  return errs;
}
