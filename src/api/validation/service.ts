// Services (pkg/apis/core/validation/validation.go ValidateService, ValidateServiceUpdate).
import type { FieldError } from '../errors.ts';
import { validateProtocol } from './containers.ts';
import { child, duplicate, forbidden, immutable, index, invalid, invalidEach, notSupported, pushAll, required } from './field-errors.ts';
import { isDNS1123Label, isDNS1123Subdomain, isValidIP, isValidPortName, isValidPortNum } from './names.ts';
import { validateLabels } from './object-meta.ts';
import { asArr, asObj, isSet, safeNumber, safeString, type Obj } from './util.ts';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const IP_MSG = 'must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)';

function validatePorts(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const ports = asArr(spec.ports);
  const names = new Set<string>();
  const keys = new Set<string>();
  ports.forEach((x, i) => {
    const port = asObj(x);
    const p = index(path, i);
    const name = typeof port.name === 'string' ? port.name : '';
    if (!name) {
      if (ports.length > 1) errs.push(required(child(p, 'name')));
    } else {
      pushAll(errs, invalidEach(child(p, 'name'), name, isDNS1123Label(name)));
      if (names.has(name)) errs.push(duplicate(child(p, 'name'), name));
      names.add(name);
    }
    pushAll(errs, invalidEach(child(p, 'port'), port.port, isValidPortNum(safeNumber(port.port))));
    pushAll(errs, validateProtocol(port.protocol, child(p, 'protocol')));
    const target = port.targetPort;
    if (typeof target === 'string') pushAll(errs, invalidEach(child(p, 'targetPort'), target, isValidPortName(target)));
    else if (isSet(target)) pushAll(errs, invalidEach(child(p, 'targetPort'), target, isValidPortNum(safeNumber(target))));
    if (isSet(port.nodePort) && port.nodePort !== 0) {
      if (spec.type === 'ClusterIP') errs.push(forbidden(child(p, 'nodePort'), "may not be used when `type` is 'ClusterIP'"));
      else pushAll(errs, invalidEach(child(p, 'nodePort'), port.nodePort, isValidPortNum(safeNumber(port.nodePort))));
    }
    const key = `${safeString(port.port)}/${safeString(port.protocol)}`;
    if (keys.has(key)) errs.push(duplicate(p, { port: port.port, protocol: port.protocol }));
    keys.add(key);
  });
  return errs;
}

export function validateServiceSpec(spec: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const type = spec.type;
  if (!TYPES.includes(safeString(type))) errs.push(isSet(type) ? notSupported(child(path, 'type'), type, TYPES) : required(child(path, 'type')));
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    const ext = typeof spec.externalName === 'string' ? spec.externalName.replace(/\.$/, '') : '';
    if (!ext) errs.push(required(child(path, 'externalName')));
    else pushAll(errs, invalidEach(child(path, 'externalName'), spec.externalName, isDNS1123Subdomain(ext)));
    if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '') errs.push(forbidden(child(path, 'clusterIP'), 'may not be set for ExternalName services'));
  } else if (asArr(spec.ports).length === 0 && !headless) {
    errs.push(required(child(path, 'ports')));
  }
  if (headless && (type === 'NodePort' || type === 'LoadBalancer')) errs.push(invalid(child(path, 'clusterIPs', '0'), 'None', `may not be set to 'None' for ${safeString(type)} services`));
  if (typeof spec.clusterIP === 'string' && spec.clusterIP !== '' && !headless && !isValidIP(spec.clusterIP)) {
    errs.push(invalid(child(path, 'clusterIPs[0]'), spec.clusterIP, IP_MSG));
  }
  asArr(spec.externalIPs).forEach((ip, i) => {
    if (typeof ip !== 'string' || !isValidIP(ip)) errs.push(invalid(index(child(path, 'externalIPs'), i), ip, IP_MSG));
  });
  pushAll(errs, validatePorts(spec, child(path, 'ports')));
  pushAll(errs, validateLabels(spec.selector, child(path, 'selector')));
  if (isSet(spec.sessionAffinity) && !['ClientIP', 'None'].includes(safeString(spec.sessionAffinity))) {
    errs.push(notSupported(child(path, 'sessionAffinity'), spec.sessionAffinity, ['ClientIP', 'None']));
  }
  for (const f of ['externalTrafficPolicy', 'internalTrafficPolicy']) {
    if (isSet(spec[f]) && !['Cluster', 'Local'].includes(safeString(spec[f]))) errs.push(notSupported(child(path, f), spec[f], ['Cluster', 'Local']));
  }
  if (isSet(spec.ipFamilyPolicy) && !['SingleStack', 'PreferDualStack', 'RequireDualStack'].includes(safeString(spec.ipFamilyPolicy))) {
    errs.push(notSupported(child(path, 'ipFamilyPolicy'), spec.ipFamilyPolicy, ['SingleStack', 'PreferDualStack', 'RequireDualStack']));
  }
  asArr(spec.ipFamilies).forEach((f, i) => {
    if (f !== 'IPv4' && f !== 'IPv6') errs.push(notSupported(index(child(path, 'ipFamilies'), i), f, ['IPv4', 'IPv6']));
  });
  return errs;
}

/** A cluster IP, once allocated, stays (an empty one on update means "keep it"). */
export function validateServiceUpdate(spec: Obj, old: Obj, path: string): FieldError[] {
  const oldIP = typeof old.clusterIP === 'string' ? old.clusterIP : '';
  const newIP = typeof spec.clusterIP === 'string' ? spec.clusterIP : '';
  const needsIP = (s: Obj): boolean => s.type !== 'ExternalName';
  if (needsIP(spec) && needsIP(old) && oldIP && newIP && oldIP !== newIP) return [immutable(child(path, 'clusterIP'), newIP)];
  return [];
}
