// discovery.k8s.io/v1: EndpointSlices, the scalable successor of Endpoints. Mirrors
// staging/src/k8s.io/api/discovery/v1/types.go.
import type { Definitions, GVK } from './dsl.ts';
import { arr, bool, enumStr, int, kind, listKind, obj, ref, str, strMap } from './dsl.ts';

const P = 'io.k8s.api.discovery.v1';
const gvk = (k: string): GVK[] => [{ group: 'discovery.k8s.io', version: 'v1', kind: k }];

export const definitions: Definitions = {
  [`${P}.EndpointSlice`]: kind(gvk('EndpointSlice'), {
    addressType: enumStr(['IPv4', 'IPv6', 'FQDN'], 'Kind of address every endpoint in the slice carries; immutable.'),
    endpoints: arr(ref(`${P}.Endpoint`), { d: 'The endpoints; at most 1000.', listType: 'atomic' }),
    ports: arr(ref(`${P}.EndpointPort`), { d: 'Ports every endpoint exposes; empty means none are known.', listType: 'atomic' }),
  }, { d: 'A subset of the endpoints backing a service.', required: ['addressType', 'endpoints'] }),
  [`${P}.EndpointSliceList`]: listKind(gvk('EndpointSliceList'), `${P}.EndpointSlice`),
  [`${P}.Endpoint`]: obj({
    addresses: arr(str(), { d: 'Addresses of the endpoint, all fungible; consumers usually take the first.', listType: 'set' }),
    conditions: ref(`${P}.EndpointConditions`, 'Readiness of the endpoint.'),
    hostname: str('Hostname of the endpoint, for DNS.'),
    targetRef: ref('io.k8s.api.core.v1.ObjectReference', 'Object behind the endpoint, usually a pod.'),
    deprecatedTopology: strMap('Legacy topology labels; use nodeName and zone instead.'),
    nodeName: str('Node the endpoint runs on.'),
    zone: str('Zone the endpoint runs in.'),
    hints: ref(`${P}.EndpointHints`, 'Routing hints for topology-aware proxies.'),
  }, { d: 'One backend of a service.', required: ['addresses'] }),
  [`${P}.EndpointConditions`]: obj({
    ready: bool('Whether the endpoint should receive traffic; unset means ready.'),
    serving: bool('Whether the endpoint can answer, even while terminating.'),
    terminating: bool('Whether the endpoint is shutting down.'),
  }, { d: 'Readiness of an endpoint.' }),
  [`${P}.EndpointHints`]: obj({
    forZones: arr(ref(`${P}.ForZone`), { d: 'Zones that should send traffic here.', listType: 'atomic' }),
    forNodes: arr(ref(`${P}.ForNode`), { d: 'Nodes that should send traffic here.', listType: 'atomic' }),
  }, { d: 'Where traffic to an endpoint should come from.' }),
  [`${P}.ForZone`]: obj({ name: str('Zone name.') }, { d: 'A zone named in a hint.', required: ['name'] }),
  [`${P}.ForNode`]: obj({ name: str('Node name.') }, { d: 'A node named in a hint.', required: ['name'] }),
  [`${P}.EndpointPort`]: obj({
    name: str('Port name; must match the service port name.'),
    protocol: enumStr(['TCP', 'UDP', 'SCTP'], 'IP protocol; defaults to TCP.'),
    port: int('Port number; unset means all ports.'),
    appProtocol: str('Application protocol, e.g. http or a prefixed custom name.'),
  }, { d: 'A port exposed by the endpoints of a slice.', extra: { 'x-kubernetes-map-type': 'atomic' } }),
};
