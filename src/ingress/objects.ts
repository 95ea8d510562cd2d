// The kinds the Ingress controller reads besides Ingresses, and the well-known names it relies on.
export type { Secret, Service, ServicePort } from '../api/types/core-v1.ts';
export type { EndpointSlice } from '../api/types/discovery-v1.ts';

/** The label tying an EndpointSlice to its Service (k8s.io/api/discovery/v1/well_known_labels.go). */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const SECRET_TYPE_TLS = 'kubernetes.io/tls';
