// The API types the service proxy reads (core/v1 Service, discovery.k8s.io/v1 EndpointSlice) and
// the constants it needs from them.
export type { Protocol, Service, ServicePort, ServiceSpec } from '../api/types/core-v1.ts';
export type { Endpoint, EndpointPort, EndpointSlice } from '../api/types/discovery-v1.ts';

/** The label tying an EndpointSlice to its Service (k8s.io/api/discovery/v1/well_known_labels.go). */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
/** Upstream's default ClientIP affinity timeout (core/v1 DefaultClientIPServiceAffinitySeconds). */
export const DEFAULT_AFFINITY_SECONDS = 10_800;
