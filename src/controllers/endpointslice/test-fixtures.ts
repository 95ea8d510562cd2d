// Small builders of pods and services for the unit tests of the endpoint controllers.
import type { Container, Pod } from '../../api/types/core-v1.ts';
import type { Service, ServicePort } from './types.ts';

export interface PodOptions {
  ip?: string;
  ready?: boolean;
  terminating?: boolean;
  phase?: 'Pending' | 'Running' | 'Succeeded' | 'Failed';
  node?: string;
  labels?: Record<string, string>;
  containers?: Container[];
  hostname?: string;
  subdomain?: string;
  readySince?: string;
}

export function pod(name: string, o: PodOptions = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' }, ...(o.terminating ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
    spec: {
      containers: o.containers ?? [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }],
      ...(o.node ? { nodeName: o.node } : {}), ...(o.hostname ? { hostname: o.hostname } : {}), ...(o.subdomain ? { subdomain: o.subdomain } : {}),
    },
    status: {
      phase: o.phase ?? 'Running',
      ...(o.ip === '' ? {} : { podIP: o.ip ?? '10.0.0.1', podIPs: [{ ip: o.ip ?? '10.0.0.1' }] }),
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: o.readySince ?? '2024-01-01T00:00:00Z' }],
    },
  };
}

export function service(ports: ServicePort[] = [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }], extra: Partial<NonNullable<Service['spec']>> = {}): Service {
  return {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'web', namespace: 'ns', uid: 'svc-uid', labels: { team: 'a' }, creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { selector: { app: 'web' }, ports, clusterIP: '10.96.0.10', ...extra },
  };
}
