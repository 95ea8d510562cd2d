// Plain JSON shapes of networking.k8s.io/v1 Ingress and IngressClass
// (k8s.io/api/networking/v1/types.go). Only the fields skiff's Ingress controller acts on are
// spelled out; every object still carries whatever else the API stored.
import type { KubeObject, ObjectMeta } from '../meta.ts';

export type PathType = 'Exact' | 'Prefix' | 'ImplementationSpecific';

/** A Service port by number or by name; exactly one is set. */
export interface ServiceBackendPort {
  name?: string;
  number?: number;
}

export interface IngressServiceBackend {
  name: string;
  port?: ServiceBackendPort;
}

export interface TypedLocalObjectReference {
  apiGroup?: string;
  kind: string;
  name: string;
}

export interface IngressBackend {
  service?: IngressServiceBackend;
  resource?: TypedLocalObjectReference;
}

export interface HTTPIngressPath {
  path?: string;
  pathType: PathType;
  backend: IngressBackend;
}

export interface HTTPIngressRuleValue {
  paths: HTTPIngressPath[];
}

export interface IngressRule {
  /** A DNS name, possibly with a leading `*.` label; empty or absent matches every host. */
  host?: string;
  http?: HTTPIngressRuleValue;
}

export interface IngressTLS {
  hosts?: string[];
  secretName?: string;
}

export interface IngressSpec {
  ingressClassName?: string;
  defaultBackend?: IngressBackend;
  tls?: IngressTLS[];
  rules?: IngressRule[];
}

export interface IngressPortStatus {
  port: number;
  protocol: 'TCP' | 'UDP' | 'SCTP';
  error?: string;
}

export interface IngressLoadBalancerIngress {
  ip?: string;
  hostname?: string;
  ports?: IngressPortStatus[];
}

export interface IngressStatus {
  loadBalancer?: { ingress?: IngressLoadBalancerIngress[] };
}

export interface Ingress extends KubeObject {
  metadata: ObjectMeta;
  spec?: IngressSpec;
  status?: IngressStatus;
}

export interface IngressClassSpec {
  controller?: string;
  parameters?: { apiGroup?: string; kind: string; name: string; scope?: 'Cluster' | 'Namespace'; namespace?: string };
}

export interface IngressClass extends KubeObject {
  metadata: ObjectMeta;
  spec?: IngressClassSpec;
}

/** The annotation that makes an IngressClass the cluster's default (k8s.io/api/networking/v1/well_known_annotations.go). */
export const ANNOTATION_DEFAULT_INGRESS_CLASS = 'ingressclass.kubernetes.io/is-default-class';
/** The class annotation Ingresses used before spec.ingressClassName; still honoured by controllers. */
export const ANNOTATION_INGRESS_CLASS = 'kubernetes.io/ingress.class';
