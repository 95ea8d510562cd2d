// Services and EndpointSlices for the proxy's tests and benchmark.
import type { Endpoint, EndpointSlice, Service, ServicePort, ServiceSpec } from './types.ts';

export function service(name: string, spec: ServiceSpec & { ports?: ServicePort[] }, namespace = 'default', lbIPs: string[] = []): Service {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { namespace, name },
    spec,
    ...(lbIPs.length > 0 ? { status: { loadBalancer: { ingress: lbIPs.map((ip) => ({ ip })) } } } : {}),
  };
}

export interface EndpointSpec {
  ip: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
  nodeName?: string;
}

export function slice(serviceName: string, sliceName: string, ports: Array<{ name?: string; port: number; protocol?: 'TCP' | 'UDP' | 'SCTP' }>, eps: EndpointSpec[], namespace = 'default'): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { namespace, name: sliceName, labels: { 'kubernetes.io/service-name': serviceName } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: eps.map((e): Endpoint => ({
      addresses: [e.ip],
      conditions: {
        ready: e.ready ?? true,
        ...(e.serving === undefined ? {} : { serving: e.serving }),
        ...(e.terminating === undefined ? {} : { terminating: e.terminating }),
      },
      ...(e.nodeName === undefined ? {} : { nodeName: e.nodeName }),
    })),
  };
}
