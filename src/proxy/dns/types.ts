// The parts of core/v1 Service and discovery.k8s.io/v1 EndpointSlice the cluster DNS reads
// (k8s.io/api/core/v1/types.go, k8s.io/api/discovery/v1/types.go), as plain JSON shapes.
import type { KubeObject, ObjectMeta } from '../../api/meta.ts';

export interface DnsServicePort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port: number;
}

export interface DnsService extends KubeObject {
  metadata: ObjectMeta;
  spec?: {
    type?: 'ClusterIP' | 'NodePort' | 'LoadBalancer' | 'ExternalName';
    clusterIP?: string;
    clusterIPs?: string[];
    externalName?: string;
    ports?: DnsServicePort[];
    publishNotReadyAddresses?: boolean;
  };
}

export interface DnsEndpoint {
  addresses: string[];
  conditions?: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  nodeName?: string;
  targetRef?: { kind?: string; namespace?: string; name?: string; uid?: string };
}

export interface DnsEndpointPort {
  name?: string;
  protocol?: 'TCP' | 'UDP' | 'SCTP';
  port?: number;
}

export interface DnsEndpointSlice extends KubeObject {
  metadata: ObjectMeta;
  addressType: 'IPv4' | 'IPv6' | 'FQDN';
  endpoints: DnsEndpoint[];
  ports?: DnsEndpointPort[] | null;
}

/** The label tying an EndpointSlice to its Service (k8s.io/api/discovery/v1/well_known_labels.go). */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
