// The API types the cluster DNS reads, and the labels it reads and writes
// (k8s.io/api/discovery/v1/well_known_labels.go).
export type { Service, ServicePort } from '../../api/types/core-v1.ts';
export type { Endpoint, EndpointPort, EndpointSlice } from '../../api/types/discovery-v1.ts';

/** Ties an EndpointSlice to its Service. */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
