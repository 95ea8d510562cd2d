// Objects for the Ingress controller's unit tests.
import type { HTTPIngressPath, Ingress, IngressBackend, IngressClass, IngressRule, IngressTLS } from '../api/types/networking-v1-ingress.ts';
import type { EndpointSlice, Secret, Service, ServicePort } from './objects.ts';
import { skiffIngressClass } from './ingress-class.ts';

let clock = 0;

/** A creation time later than every earlier fixture's. */
function created(): string {
  clock += 1;
  return new Date(Date.UTC(2025, 0, 1, 0, 0, clock)).toISOString();
}

export function backend(service: string, port: number | string): IngressBackend {
  return { service: { name: service, port: typeof port === 'number' ? { number: port } : { name: port } } };
}

export function path(p: string, pathType: HTTPIngressPath['pathType'], service: string, port: number | string = 80): HTTPIngressPath {
  return { path: p, pathType, backend: backend(service, port) };
}

export function ingress(name: string, o: { ns?: string; rules?: IngressRule[]; defaultBackend?: IngressBackend; tls?: IngressTLS[]; className?: string | null; annotations?: Record<string, string> } = {}): Ingress {
  return {
    apiVersion: 'networking.k8s.io/v1', kind: 'Ingress',
    metadata: { name, namespace: o.ns ?? 'default', uid: `uid-${name}`, resourceVersion: '1', creationTimestamp: created(), ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      ...(o.className === null ? {} : { ingressClassName: o.className ?? 'skiff' }),
      ...(o.rules ? { rules: o.rules } : {}),
      ...(o.defaultBackend ? { defaultBackend: o.defaultBackend } : {}),
      ...(o.tls ? { tls: o.tls } : {}),
    },
  };
}

export function service(name: string, ports: ServicePort[], ns = 'default'): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns, uid: `svc-${name}` }, spec: { ports } };
}

export interface SliceEndpoint { ip: string; ready?: boolean }

export function slice(svc: string, ports: Array<{ name?: string; port: number }>, endpoints: Array<string | SliceEndpoint>, ns = 'default', suffix = 'a'): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: `${svc}-${suffix}`, namespace: ns, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ ...(p.name !== undefined ? { name: p.name } : {}), port: p.port, protocol: 'TCP' })),
    endpoints: endpoints.map((e) => {
      const ep = typeof e === 'string' ? { ip: e } : e;
      return { addresses: [ep.ip], ...(ep.ready !== undefined ? { conditions: { ready: ep.ready } } : {}) };
    }),
  };
}

export function tlsSecret(name: string, certPem: string, keyPem: string, ns = 'default', rv = '1'): Secret {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/tls',
    metadata: { name, namespace: ns, uid: `secret-${name}`, resourceVersion: rv },
    data: { 'tls.crt': Buffer.from(certPem).toString('base64'), 'tls.key': Buffer.from(keyPem).toString('base64') },
  };
}

export function classes(): IngressClass[] {
  return [{ ...skiffIngressClass(), metadata: { ...skiffIngressClass().metadata, creationTimestamp: created() } }];
}
