// The kinds the endpoint controllers read and write (core/v1 Service and Endpoints,
// discovery.k8s.io/v1 EndpointSlice, in src/api/types) and the labels upstream puts on them.

export type { Protocol, ServicePort, ServiceSpec, Service, EndpointAddress, EndpointSubset, Endpoints } from '../../api/types/core-v1.ts';
export type { EndpointConditions, Endpoint, EndpointPort, EndpointSlice } from '../../api/types/discovery-v1.ts';

/** Labels and annotations upstream puts on what these controllers write (k8s.io/api/discovery/v1/well_known_labels.go). */
export const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
export const LABEL_MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';
export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const LABEL_SKIP_MIRROR = 'endpointslice.kubernetes.io/skip-mirror';
export const LABEL_HEADLESS = 'service.kubernetes.io/headless';
export const ANNOTATION_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
