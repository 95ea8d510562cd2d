// The parts of Services, EndpointSlices and Secrets the Ingress controller reads
// (k8s.io/api/core/v1/types.go, k8s.io/api/discovery/v1/types.go). Kept here so the controller
// depends on the API's shapes, not on another component's.
import type { KubeObject, ObjectMeta } from '../api/meta.ts';

export interface ServicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port: number;
  targetPort?: number | string;
}

export interface Service extends KubeObject {
  metadata: ObjectMeta;
  spec?: { type?: string; ports?: ServicePort[]; externalName?: string };
}

export interface EndpointSlice extends KubeObject {
  metadata: ObjectMeta;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: Array<{ addresses: string[]; conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean } }> | null;
  ports?: Array<{ name?: string; protocol?: string; port?: number }> | null;
}

export interface Secret extends KubeObject {
  metadata: ObjectMeta;
  type?: string;
  data?: Record<string, string>;
}

/** The label tying an EndpointSlice to its Service (k8s.io/api/discovery/v1/well_known_labels.go). */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const SECRET_TYPE_TLS = 'kubernetes.io/tls';
