// networking.k8s.io/v1: NetworkPolicy, Ingress and IngressClass. Mirrors
// staging/src/k8s.io/api/networking/v1/types.go.
import type { Definitions, GVK } from './dsl.ts';
import {
  arr, enumStr, int, intOrString, kind, LABEL_SELECTOR, listKind, obj, ref, str,
} from './dsl.ts';

const P = 'io.k8s.api.networking.v1';
const gvk = (k: string): GVK[] => [{ group: 'networking.k8s.io', version: 'v1', kind: k }];
const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];

export const definitions: Definitions = {
  // NetworkPolicy
  [`${P}.NetworkPolicy`]: kind(gvk('NetworkPolicy'), {
    spec: ref(`${P}.NetworkPolicySpec`, 'Which pods the policy selects and what traffic it allows.'),
  }, { d: 'Allowed network traffic for a set of pods.' }),
  [`${P}.NetworkPolicyList`]: listKind(gvk('NetworkPolicyList'), `${P}.NetworkPolicy`),
  [`${P}.NetworkPolicySpec`]: obj({
    podSelector: ref(LABEL_SELECTOR, 'Pods in the namespace the policy applies to; empty selects all.'),
    ingress: arr(ref(`${P}.NetworkPolicyIngressRule`), { d: 'Allowed incoming traffic; any rule matching is enough.', listType: 'atomic' }),
    egress: arr(ref(`${P}.NetworkPolicyEgressRule`), { d: 'Allowed outgoing traffic; any rule matching is enough.', listType: 'atomic' }),
    policyTypes: arr(enumStr(['Ingress', 'Egress']), { d: 'Directions the policy governs.', listType: 'atomic' }),
  }, { d: 'Desired behaviour of a NetworkPolicy.' }),
  [`${P}.NetworkPolicyIngressRule`]: obj({
    ports: arr(ref(`${P}.NetworkPolicyPort`), { d: 'Destination ports allowed; empty means all.', listType: 'atomic' }),
    from: arr(ref(`${P}.NetworkPolicyPeer`), { d: 'Sources allowed; empty means any.', listType: 'atomic' }),
  }, { d: 'Incoming traffic that matches both ports and from.' }),
  [`${P}.NetworkPolicyEgressRule`]: obj({
    ports: arr(ref(`${P}.NetworkPolicyPort`), { d: 'Destination ports allowed; empty means all.', listType: 'atomic' }),
    to: arr(ref(`${P}.NetworkPolicyPeer`), { d: 'Destinations allowed; empty means any.', listType: 'atomic' }),
  }, { d: 'Outgoing traffic that matches both ports and to.' }),
  [`${P}.NetworkPolicyPeer`]: obj({
    podSelector: ref(LABEL_SELECTOR, 'Pods to match, in the namespaces chosen by namespaceSelector or the policy\'s own.'),
    namespaceSelector: ref(LABEL_SELECTOR, 'Namespaces to match.'),
    ipBlock: ref(`${P}.IPBlock`, 'An address range; cannot be combined with the selectors.'),
  }, { d: 'A traffic source or destination.' }),
  [`${P}.IPBlock`]: obj({
    cidr: str('Range to allow, e.g. 192.168.1.0/24.'),
    except: arr(str(), { d: 'Sub-ranges to exclude.', listType: 'atomic' }),
  }, { d: 'An address range with exceptions.', required: ['cidr'] }),
  [`${P}.NetworkPolicyPort`]: obj({
    protocol: enumStr(PROTOCOLS, 'Protocol; defaults to TCP.'),
    port: intOrString('Port number or named container port; unset means all.'),
    endPort: int('Last port of a range starting at port.'),
  }, { d: 'A port, or range of ports, to allow.' }),

  // Ingress
  [`${P}.Ingress`]: kind(gvk('Ingress'), {
    spec: ref(`${P}.IngressSpec`, 'Routing rules.'),
    status: ref(`${P}.IngressStatus`, 'Observed state.'),
  }, { d: 'HTTP routing from outside the cluster to services.' }),
  [`${P}.IngressList`]: listKind(gvk('IngressList'), `${P}.Ingress`),
  [`${P}.IngressSpec`]: obj({
    ingressClassName: str('IngressClass that should serve this Ingress.'),
    defaultBackend: ref(`${P}.IngressBackend`, 'Backend for requests no rule matches.'),
    tls: arr(ref(`${P}.IngressTLS`), { d: 'TLS settings per set of hosts.', listType: 'atomic' }),
    rules: arr(ref(`${P}.IngressRule`), { d: 'Host and path rules.', listType: 'atomic' }),
  }, { d: 'Desired behaviour of an Ingress.' }),
  [`${P}.IngressTLS`]: obj({
    hosts: arr(str(), { d: 'Hosts the certificate covers.', listType: 'atomic' }),
    secretName: str('Secret holding the certificate and key.'),
  }, { d: 'TLS termination for some hosts.' }),
  [`${P}.IngressRule`]: obj({
    host: str('Host to match, possibly with a leading wildcard label; empty matches all.'),
    http: ref(`${P}.HTTPIngressRuleValue`, 'HTTP paths under the host.'),
  }, { d: 'Routing for one host.' }),
  [`${P}.HTTPIngressRuleValue`]: obj({
    paths: arr(ref(`${P}.HTTPIngressPath`), { d: 'Paths and their backends.', listType: 'atomic' }),
  }, { d: 'HTTP routes of a rule.', required: ['paths'] }),
  [`${P}.HTTPIngressPath`]: obj({
    path: str('Path to match, starting with /.'),
    pathType: enumStr(['Exact', 'Prefix', 'ImplementationSpecific'], 'How path is matched.'),
    backend: ref(`${P}.IngressBackend`, 'Where matching requests go.'),
  }, { d: 'One path route.', required: ['pathType', 'backend'] }),
  [`${P}.IngressBackend`]: obj({
    service: ref(`${P}.IngressServiceBackend`, 'A service backend.'),
    resource: ref('io.k8s.api.core.v1.TypedLocalObjectReference', 'Another object as backend; excludes service.'),
  }, { d: 'Where requests are sent.' }),
  [`${P}.IngressServiceBackend`]: obj({
    name: str('Service name.'),
    port: ref(`${P}.ServiceBackendPort`, 'Service port.'),
  }, { d: 'A service and port as backend.', required: ['name'] }),
  [`${P}.ServiceBackendPort`]: obj({
    name: str('Port name; excludes number.'),
    number: int('Port number; excludes name.'),
  }, { d: 'A service port, by name or number.', extra: { 'x-kubernetes-map-type': 'atomic' } }),
  [`${P}.IngressStatus`]: obj({
    loadBalancer: ref(`${P}.IngressLoadBalancerStatus`, 'Load balancer addresses.'),
  }, { d: 'Observed state of an Ingress.' }),
  [`${P}.IngressLoadBalancerStatus`]: obj({
    ingress: arr(ref(`${P}.IngressLoadBalancerIngress`), { d: 'Load balancer entry points.', listType: 'atomic' }),
  }, { d: 'Status of the Ingress load balancer.' }),
  [`${P}.IngressLoadBalancerIngress`]: obj({
    ip: str('IP address of the entry point.'),
    hostname: str('Hostname of the entry point.'),
    ports: arr(ref(`${P}.IngressPortStatus`), { d: 'Port status of the entry point.', listType: 'atomic' }),
  }, { d: 'One load balancer entry point.' }),
  [`${P}.IngressPortStatus`]: obj({
    port: int('Port number.'),
    protocol: enumStr(PROTOCOLS, 'Port protocol.'),
    error: str('CamelCase problem with the port, if any.'),
  }, { d: 'Status of one port.', required: ['port', 'protocol'] }),

  // IngressClass
  [`${P}.IngressClass`]: kind(gvk('IngressClass'), {
    spec: ref(`${P}.IngressClassSpec`, 'Controller and parameters of the class.'),
  }, { d: 'A kind of ingress controller that Ingresses can ask for.' }),
  [`${P}.IngressClassList`]: listKind(gvk('IngressClassList'), `${P}.IngressClass`),
  [`${P}.IngressClassSpec`]: obj({
    controller: str('Name of the controller that implements the class, e.g. example.com/ingress.'),
    parameters: ref(`${P}.IngressClassParametersReference`, 'Object with controller-specific settings.'),
  }, { d: 'Desired behaviour of an IngressClass.' }),
  [`${P}.IngressClassParametersReference`]: obj({
    apiGroup: str('API group of the object; empty for the core group.'),
    kind: str('Kind of the object.'),
    name: str('Name of the object.'),
    scope: enumStr(['Cluster', 'Namespace'], 'Whether the object is cluster- or namespace-scoped.'),
    namespace: str('Namespace of the object when scope is Namespace.'),
  }, { d: 'Points at the parameters object of an IngressClass.', required: ['kind', 'name'] }),
};
