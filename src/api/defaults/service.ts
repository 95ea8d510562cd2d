// Service defaults (pkg/apis/core/v1/defaults.go SetDefaults_Service), plus the IP family fields
// the service registry fills for a single-stack IPv4 cluster (pkg/registry/core/service/storage).
import { def, ensureObj, objAt, objsAt, type Obj } from './obj.ts';

export function defaultService(o: Obj): void {
  const spec = ensureObj(o, 'spec');
  def(spec, 'sessionAffinity', 'None');
  def(spec, 'type', 'ClusterIP');
  for (const p of objsAt(spec, 'ports')) {
    def(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const type = spec.type;
  if (type === 'NodePort' || type === 'LoadBalancer') def(spec, 'externalTrafficPolicy', 'Cluster');
  if (type !== 'ExternalName') def(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') def(spec, 'allocateLoadBalancerNodePorts', true);
  if (spec.sessionAffinity === 'ClientIP') {
    const clientIP = ensureObj(ensureObj(spec, 'sessionAffinityConfig'), 'clientIP');
    def(clientIP, 'timeoutSeconds', 10800);
  }
  if (type !== 'ExternalName') {
    def(spec, 'ipFamilyPolicy', 'SingleStack');
    if (!Array.isArray(spec.ipFamilies) || spec.ipFamilies.length === 0) spec.ipFamilies = ['IPv4'];
  }
}

/** Ports in Endpoints subsets and EndpointSlices default to TCP. */
export function defaultEndpoints(o: Obj): void {
  for (const subset of objsAt(o, 'subsets')) for (const p of objsAt(subset, 'ports')) def(p, 'protocol', 'TCP');
}

export function defaultEndpointSlice(o: Obj): void {
  for (const p of objsAt(o, 'ports')) {
    def(p, 'protocol', 'TCP');
    def(p, 'name', '');
  }
}

export function defaultNetworkPolicy(o: Obj): void {
  const spec = ensureObj(o, 'spec');
  for (const dir of ['ingress', 'egress']) {
    for (const rule of objsAt(spec, dir)) for (const p of objsAt(rule, 'ports')) def(p, 'protocol', 'TCP');
  }
  if (!Array.isArray(spec.policyTypes) || spec.policyTypes.length === 0) {
    const types = ['Ingress'];
    if (Array.isArray(spec.egress) && spec.egress.length > 0) types.push('Egress');
    spec.policyTypes = types;
  }
  if (!objAt(spec, 'podSelector')) spec.podSelector = {};
}
