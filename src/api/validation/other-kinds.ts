// Minimal spec checks for the remaining kinds: the required fields and enums upstream enforces in
// pkg/apis/{core,coordination,events,discovery,networking,autoscaling,policy,storage,node}/validation.
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../meta.ts';
import { validateProtocol } from './containers.ts';
import { child, forbidden, index, invalid, invalidEach, key, notSupported, pushAll, required } from './field-errors.ts';
import { validateLabelSelector } from './label-selector.ts';
import { isDNS1123Label, isQualifiedName, isValidIP, isValidPortNum } from './names.ts';
import { nonNegative } from './workloads.ts';
import { tryParseQuantity } from './quantity.ts';
import { asArr, asObj, isObj, isSet, safeNumber, safeString, type Obj } from './util.ts';
import { VOLUME_SOURCES } from './volumes.ts';

const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

function finalizerErrors(list: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(list).forEach((f, i) => {
    const name = typeof f === 'string' ? f : '';
    const msgs = isQualifiedName(name);
    if (msgs.length) pushAll(errs, invalidEach(index(path, i), f, msgs));
    else if (!name.includes('/') && name !== 'kubernetes') errs.push(invalid(index(path, i), name, 'name is neither a standard finalizer name nor is it fully qualified'));
  });
  return errs;
}

export const validateNamespace = (o: KubeObject): FieldError[] => finalizerErrors(asObj(o.spec).finalizers, 'spec.finalizers');

function quantities(list: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(asObj(list))) {
    const q = tryParseQuantity(v);
    if (q === undefined) errs.push(invalid(key(path, k), v, "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"));
    else if (q < 0) errs.push(invalid(key(path, k), v, 'must be greater than or equal to 0'));
  }
  return errs;
}

export function validateNode(o: KubeObject): FieldError[] {
  const spec = asObj(o.spec);
  const errs: FieldError[] = [];
  asArr(spec.taints).forEach((t, i) => {
    const taint = asObj(t);
    const p = index('spec.taints', i);
    pushAll(errs, invalidEach(child(p, 'key'), taint.key, isQualifiedName(typeof taint.key === 'string' ? taint.key : '')));
    if (!['NoSchedule', 'PreferNoSchedule', 'NoExecute'].includes(safeString(taint.effect))) {
      errs.push(isSet(taint.effect) ? notSupported(child(p, 'effect'), taint.effect, ['NoSchedule', 'PreferNoSchedule', 'NoExecute']) : required(child(p, 'effect')));
    }
  });
  const status = asObj(o.status);
  pushAll(errs, quantities(status.capacity, 'status.capacity'));
  pushAll(errs, quantities(status.allocatable, 'status.allocatable'));
  return errs;
}

export function validateLease(o: KubeObject): FieldError[] {
  const spec = asObj(o.spec);
  const errs: FieldError[] = [];
  if (isSet(spec.leaseDurationSeconds) && !(safeNumber(spec.leaseDurationSeconds) > 0)) errs.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  pushAll(errs, nonNegative(spec, 'leaseTransitions', 'spec'));
  return errs;
}

export function validateEvent(o: KubeObject, eventsAPI: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const type = o.type;
  if (isSet(type) && type !== '' && type !== 'Normal' && type !== 'Warning') errs.push(notSupported('type', type, ['Normal', 'Warning']));
  if (eventsAPI) {
    for (const f of ['reportingController', 'reportingInstance', 'action', 'reason', 'eventTime']) if (!o[f]) errs.push(required(f));
    if (!isSet(type) || type === '') errs.push(required('type'));
    return errs;
  }
  const inv = asObj(o.involvedObject);
  const ns = o.metadata.namespace ?? '';
  if (typeof inv.namespace === 'string' && inv.namespace !== '' && inv.namespace !== ns) errs.push(invalid('involvedObject.namespace', inv.namespace, 'does not match event.namespace'));
  return errs;
}

function accessModes(modes: unknown, path: string): FieldError[] {
  const list = asArr(modes);
  if (list.length === 0) return [required(path, 'at least 1 access mode is required')];
  return list.filter((m) => !ACCESS_MODES.includes(safeString(m))).map((m) => notSupported(path, m, ACCESS_MODES));
}

export function validatePersistentVolumeClaimSpec(spec: Obj, path: string): FieldError[] {
  const errs = accessModes(spec.accessModes, child(path, 'accessModes'));
  const storage = asObj(asObj(spec.resources).requests).storage;
  if (!isSet(storage) && !isSet(spec.dataSourceRef) && !isSet(spec.dataSource)) errs.push(required(key(child(path, 'resources'), 'storage')));
  else if (isSet(storage)) {
    const q = tryParseQuantity(storage);
    if (q === undefined || q <= 0) errs.push(invalid(key(child(path, 'resources', 'requests'), 'storage'), storage, 'must be greater than zero'));
  }
  if (isSet(spec.volumeMode) && !['Block', 'Filesystem'].includes(safeString(spec.volumeMode))) errs.push(notSupported(child(path, 'volumeMode'), spec.volumeMode, ['Block', 'Filesystem']));
  return errs;
}

export function validatePersistentVolume(o: KubeObject): FieldError[] {
  const spec = asObj(o.spec);
  const errs = accessModes(spec.accessModes, 'spec.accessModes');
  if (!isObj(spec.capacity) || !isSet(spec.capacity.storage)) errs.push(required('spec.capacity'));
  else pushAll(errs, quantities(spec.capacity, 'spec.capacity'));
  const sources = [...VOLUME_SOURCES, 'local'].filter((k) => isSet(spec[k]));
  if (sources.length === 0) errs.push(required('spec', 'must specify a volume type'));
  else if (sources.length > 1) errs.push(forbidden(`spec.${sources[1]!}`, 'may not specify more than 1 volume type'));
  const policy = spec.persistentVolumeReclaimPolicy;
  if (isSet(policy) && !['Delete', 'Recycle', 'Retain'].includes(safeString(policy))) errs.push(notSupported('spec.persistentVolumeReclaimPolicy', policy, ['Delete', 'Recycle', 'Retain']));
  return errs;
}

function portList(ports: unknown, path: string): FieldError[] {
  const errs: FieldError[] = [];
  asArr(ports).forEach((x, i) => {
    const p = asObj(x);
    const pp = index(path, i);
    if (isSet(p.port)) pushAll(errs, invalidEach(child(pp, 'port'), p.port, isValidPortNum(safeNumber(p.port))));
    if (isSet(p.protocol)) pushAll(errs, validateProtocol(p.protocol, child(pp, 'protocol')));
    if (typeof p.name === 'string' && p.name !== '') pushAll(errs, invalidEach(child(pp, 'name'), p.name, isDNS1123Label(p.name)));
  });
  return errs;
}

export function validateEndpoints(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  asArr(o.subsets).forEach((s, i) => {
    const subset = asObj(s);
    const p = index('subsets', i);
    for (const field of ['addresses', 'notReadyAddresses']) {
      asArr(subset[field]).forEach((a, j) => {
        const ip = asObj(a).ip;
        if (typeof ip !== 'string' || !isValidIP(ip)) errs.push(invalid(child(index(child(p, field), j), 'ip'), ip ?? '', 'must be a valid IP address'));
      });
    }
    pushAll(errs, portList(subset.ports, child(p, 'ports')));
  });
  return errs;
}

export function validateEndpointSlice(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const types = ['IPv4', 'IPv6', 'FQDN'];
  if (!types.includes(safeString(o.addressType))) errs.push(isSet(o.addressType) ? notSupported('addressType', o.addressType, types) : required('addressType'));
  asArr(o.endpoints).forEach((e, i) => {
    const addrs = asArr(asObj(e).addresses);
    if (addrs.length === 0) errs.push(required(child(index('endpoints', i), 'addresses'), 'must contain at least 1 address'));
  });
  pushAll(errs, portList(o.ports, 'ports'));
  return errs;
}

export function validateIngress(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  const spec = asObj(o.spec);
  const pathTypes = ['Exact', 'ImplementationSpecific', 'Prefix'];
  asArr(spec.rules).forEach((r, i) => {
    const http = asObj(asObj(r).http);
    asArr(http.paths).forEach((x, j) => {
      const p = asObj(x);
      const pp = index(child(index('spec.rules', i), 'http.paths'), j);
      if (!isSet(p.pathType)) errs.push(required(child(pp, 'pathType'), 'pathType must be specified'));
      else if (!pathTypes.includes(safeString(p.pathType))) errs.push(notSupported(child(pp, 'pathType'), p.pathType, pathTypes));
      if (!isObj(p.backend)) errs.push(required(child(pp, 'backend')));
    });
    if (asArr(http.paths).length === 0 && isObj(asObj(r).http)) errs.push(required(child(index('spec.rules', i), 'http.paths')));
  });
  if (!isSet(spec.defaultBackend) && asArr(spec.rules).length === 0) errs.push(invalid('spec.rules', [], 'either `defaultBackend` or `rules` must be specified'));
  return errs;
}

export function validateNetworkPolicy(o: KubeObject): FieldError[] {
  const spec = asObj(o.spec);
  const errs = validateLabelSelector(spec.podSelector, 'spec.podSelector');
  asArr(spec.policyTypes).forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') errs.push(notSupported(index('spec.policyTypes', i), t, ['Ingress', 'Egress']));
  });
  for (const dir of ['ingress', 'egress']) {
    asArr(spec[dir]).forEach((r, i) => {
      asArr(asObj(r).ports).forEach((x, j) => {
        const p = asObj(x);
        const pp = index(child(index(`spec.${dir}`, i), 'ports'), j);
        if (isSet(p.protocol)) pushAll(errs, validateProtocol(p.protocol, child(pp, 'protocol')));
        if (typeof p.port === 'number') pushAll(errs, invalidEach(child(pp, 'port'), p.port, isValidPortNum(p.port)));
      });
    });
  }
  return errs;
}

export function validateHorizontalPodAutoscaler(o: KubeObject): FieldError[] {
  const spec = asObj(o.spec);
  const errs: FieldError[] = [];
  const ref = asObj(spec.scaleTargetRef);
  if (!ref.kind) errs.push(required('spec.scaleTargetRef.kind'));
  if (!ref.name) errs.push(required('spec.scaleTargetRef.name'));
  const min = typeof spec.minReplicas === 'number' ? spec.minReplicas : 1;
  if (min < 1) errs.push(invalid('spec.minReplicas', min, 'must be greater than or equal to 1'));
  if (typeof spec.maxReplicas !== 'number' || spec.maxReplicas < 1) errs.push(invalid('spec.maxReplicas', spec.maxReplicas ?? 0, 'must be greater than 0'));
  else if (spec.maxReplicas < min) errs.push(invalid('spec.maxReplicas', spec.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  return errs;
}

export function validatePodDisruptionBudget(o: KubeObject): FieldError[] {
  const spec = asObj(o.spec);
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  if (isSet(spec.minAvailable) && isSet(spec.maxUnavailable)) errs.push(invalid('spec', spec, 'minAvailable and maxUnavailable cannot be both set'));
  return errs;
}

export function validateStorageClass(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  if (!o.provisioner) errs.push(required('provisioner'));
  else pushAll(errs, invalidEach('provisioner', o.provisioner, isQualifiedName(safeString(o.provisioner).toLowerCase())));
  if (isSet(o.reclaimPolicy) && !['Delete', 'Retain'].includes(safeString(o.reclaimPolicy))) errs.push(notSupported('reclaimPolicy', o.reclaimPolicy, ['Delete', 'Retain']));
  if (isSet(o.volumeBindingMode) && !['Immediate', 'WaitForFirstConsumer'].includes(safeString(o.volumeBindingMode))) {
    errs.push(notSupported('volumeBindingMode', o.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer']));
  }
  return errs;
}

export function validateRuntimeClass(o: KubeObject): FieldError[] {
  const handler = typeof o.handler === 'string' ? o.handler : '';
  return handler ? invalidEach('handler', handler, isDNS1123Label(handler)) : [required('handler')];
}

export function validateIngressClass(o: KubeObject): FieldError[] {
  const controller = asObj(o.spec).controller;
  return typeof controller === 'string' && controller !== '' ? [] : [required('spec.controller')];
}

export function validateResourceQuota(o: KubeObject): FieldError[] {
  return quantities(asObj(o.spec).hard, 'spec.hard');
}

export function validateLimitRange(o: KubeObject): FieldError[] {
  const errs: FieldError[] = [];
  asArr(asObj(o.spec).limits).forEach((l, i) => {
    const item = asObj(l);
    const p = index('spec.limits', i);
    if (!item.type) errs.push(required(child(p, 'type')));
    for (const f of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) pushAll(errs, quantities(item[f], child(p, f)));
  });
  return errs;
}

export function validateControllerRevision(o: KubeObject): FieldError[] {
  return typeof o.revision === 'number' && o.revision >= 0 ? [] : [invalid('revision', o.revision ?? 0, 'must be greater than or equal to 0')];
}
