// The parts of core/v1 Service and discovery.k8s.io/v1 EndpointSlice the service proxy reads
// (k8s.io/api/core/v1/types.go, k8s.io/api/discovery/v1/types.go), as plain JSON shapes.
import type { KubeObject, ObjectMeta } from '../api/meta.ts';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ServicePort {
  name?: string;
  protocol?: Protocol;
  port: number;
  targetPort?: number | string;
  nodePort?: number;
}

export interface ServiceSpec {
  type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
  selector?: Record<string, string> | null;
  ports?: ServicePort[];
  clusterIP?: string;
  clusterIPs?: string[];
  externalIPs?: string[];
  sessionAffinity?: 'None' | 'ClientIP';
  sessionAffinityConfig?: { clientIP?: { timeoutSeconds?: number } };
  externalTrafficPolicy?: 'Cluster' | 'Local';
  internalTrafficPolicy?: 'Cluster' | 'Local';
  externalName?: string;
}

export interface ServiceStatus {
  loadBalancer?: { ingress?: Array<{ ip?: string; hostname?: string }> };
}

export interface Service extends KubeObject {
  metadata: ObjectMeta;
  spec?: ServiceSpec;
  status?: ServiceStatus;
}

export interface Endpoint {
  addresses: string[];
  conditions?: { ready?: boolean | null; serving?: boolean | null; terminating?: boolean | null };
  nodeName?: string;
}

export interface EndpointPort {
  name?: string | null;
  protocol?: Protocol;
  port?: number | null;
}

export interface EndpointSlice extends KubeObject {
  metadata: ObjectMeta;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints?: Endpoint[] | null;
  ports?: EndpointPort[] | null;
}

/** The label tying an EndpointSlice to its Service (k8s.io/api/discovery/v1/well_known_labels.go). */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** Upstream's default ClientIP affinity timeout (core/v1 DefaultClientIPServiceAffinitySeconds). */
export const DEFAULT_AFFINITY_SECONDS = 10_800;
