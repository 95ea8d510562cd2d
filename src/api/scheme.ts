// The catalogue of built-in resources: which kinds exist, under which group-versions, how they are
// named, scoped and stored (the role of k8s.io/kubernetes/pkg/api/legacyscheme plus the REST
// storage maps in pkg/registry/*/rest). Everything else (discovery, routing, tables, OpenAPI,
// validation) keys off this list.

export interface ResourceInfo {
  group: string; // '' for core
  version: string;
  resource: string; // plural, lower case
  singular: string;
  kind: string;
  listKind: string;
  namespaced: boolean;
  shortNames?: string[];
  categories?: string[];
  /** Subresources served besides the main resource. */
  subresources: Array<'status' | 'scale' | 'binding' | 'eviction' | 'log' | 'exec' | 'attach' | 'portforward' | 'proxy' | 'finalize' | 'ephemeralcontainers' | 'token' | 'approval'>;
  /** Group/resource whose storage this version shares (several versions, one store). */
  storage: { group: string; resource: string };
  /** The version objects are kept in at rest; other versions are converted on the way in and out. */
  storageVersion: string;
  /** False for versions served but not preferred in discovery. */
  preferred: boolean;
  /** Set for a resource a CustomResourceDefinition defines (see setCustomResources). */
  custom?: CustomResourceInfo;
}

/** What serving a custom resource needs beyond names and scope: the CRD's version, as served. */
export interface CustomResourceInfo {
  /** The CRD's name (plural.group) and uid. */
  crd: string;
  uid: string;
  /** The version's openAPIV3Schema (JSONSchemaProps), undefined without one. */
  schema?: JSONSchemaProps;
  printerColumns: CustomResourceColumnDefinition[];
  scale?: CustomResourceSubresourceScale;
  /** The CRD's resourceVersion: changes whenever the definition does. */
  generation: string;
  /** The schema has defaults: objects read from storage are defaulted too. */
  defaultsOnRead?: boolean;
  /** The CRD is being deleted: its objects are going, no new ones are created. */
  terminating?: boolean;
}

import type { CustomResourceColumnDefinition, CustomResourceSubresourceScale, JSONSchemaProps } from './types/apiextensions-v1.ts';

export const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'] as const;

interface Def {
  r: string; k: string; ns: boolean; sn?: string[]; cat?: string[];
  sub?: ResourceInfo['subresources']; singular?: string;
}

function defs(group: string, version: string, list: Def[], opts: { preferred?: boolean; storage?: (d: Def) => { group: string; resource: string; version: string } } = {}): ResourceInfo[] {
  return list.map((d) => {
    const st = opts.storage?.(d) ?? { group, resource: d.r, version };
    const info: ResourceInfo = {
      group, version, resource: d.r, singular: d.singular ?? d.k.toLowerCase(), kind: d.k, listKind: `${d.k}List`,
      namespaced: d.ns, subresources: d.sub ?? [], storage: { group: st.group, resource: st.resource },
      storageVersion: st.version, preferred: opts.preferred ?? true,
    };
    if (d.sn) info.shortNames = d.sn;
    if (d.cat) info.categories = d.cat;
    return info;
  });
}

const ALL = ['all'];

export const RESOURCES: readonly ResourceInfo[] = [
  ...defs('', 'v1', [
    { r: 'bindings', k: 'Binding', ns: true },
    { r: 'componentstatuses', k: 'ComponentStatus', ns: false, sn: ['cs'] },
    { r: 'configmaps', k: 'ConfigMap', ns: true, sn: ['cm'] },
    { r: 'endpoints', k: 'Endpoints', ns: true, sn: ['ep'], singular: 'endpoints' },
    { r: 'events', k: 'Event', ns: true, sn: ['ev'] },
    { r: 'limitranges', k: 'LimitRange', ns: true, sn: ['limits'] },
    { r: 'namespaces', k: 'Namespace', ns: false, sn: ['ns'], sub: ['status', 'finalize'] },
    { r: 'nodes', k: 'Node', ns: false, sn: ['no'], sub: ['status', 'proxy'] },
    { r: 'persistentvolumeclaims', k: 'PersistentVolumeClaim', ns: true, sn: ['pvc'], sub: ['status'] },
    { r: 'persistentvolumes', k: 'PersistentVolume', ns: false, sn: ['pv'], sub: ['status'] },
    { r: 'pods', k: 'Pod', ns: true, sn: ['po'], cat: ALL, sub: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy', 'ephemeralcontainers'] },
    { r: 'replicationcontrollers', k: 'ReplicationController', ns: true, sn: ['rc'], cat: ALL, sub: ['status', 'scale'] },
    { r: 'resourcequotas', k: 'ResourceQuota', ns: true, sn: ['quota'], sub: ['status'] },
    { r: 'secrets', k: 'Secret', ns: true },
    { r: 'serviceaccounts', k: 'ServiceAccount', ns: true, sn: ['sa'], sub: ['token'] },
    { r: 'services', k: 'Service', ns: true, sn: ['svc'], cat: ALL, sub: ['status', 'proxy'] },
  ]),
  ...defs('apps', 'v1', [
    { r: 'controllerrevisions', k: 'ControllerRevision', ns: true },
    { r: 'daemonsets', k: 'DaemonSet', ns: true, sn: ['ds'], cat: ALL, sub: ['status'] },
    { r: 'deployments', k: 'Deployment', ns: true, sn: ['deploy'], cat: ALL, sub: ['status', 'scale'] },
    { r: 'replicasets', k: 'ReplicaSet', ns: true, sn: ['rs'], cat: ALL, sub: ['status', 'scale'] },
    { r: 'statefulsets', k: 'StatefulSet', ns: true, sn: ['sts'], cat: ALL, sub: ['status', 'scale'] },
  ]),
  ...defs('batch', 'v1', [
    { r: 'cronjobs', k: 'CronJob', ns: true, sn: ['cj'], cat: ALL, sub: ['status'] },
    { r: 'jobs', k: 'Job', ns: true, cat: ALL, sub: ['status'] },
  ]),
  ...defs('autoscaling', 'v2', [
    { r: 'horizontalpodautoscalers', k: 'HorizontalPodAutoscaler', ns: true, sn: ['hpa'], cat: ALL, sub: ['status'] },
  ]),
  ...defs('autoscaling', 'v1', [
    { r: 'horizontalpodautoscalers', k: 'HorizontalPodAutoscaler', ns: true, sn: ['hpa'], cat: ALL, sub: ['status'] },
  ], { preferred: false, storage: (d) => ({ group: 'autoscaling', resource: d.r, version: 'v2' }) }),
  ...defs('coordination.k8s.io', 'v1', [{ r: 'leases', k: 'Lease', ns: true }]),
  ...defs('discovery.k8s.io', 'v1', [{ r: 'endpointslices', k: 'EndpointSlice', ns: true }]),
  ...defs('events.k8s.io', 'v1', [{ r: 'events', k: 'Event', ns: true, sn: ['ev'] }],
    { storage: () => ({ group: '', resource: 'events', version: 'v1' }) }),
  ...defs('networking.k8s.io', 'v1', [
    { r: 'ingressclasses', k: 'IngressClass', ns: false },
    { r: 'ingresses', k: 'Ingress', ns: true, sn: ['ing'], sub: ['status'] },
    { r: 'networkpolicies', k: 'NetworkPolicy', ns: true, sn: ['netpol'] },
  ]),
  ...defs('node.k8s.io', 'v1', [{ r: 'runtimeclasses', k: 'RuntimeClass', ns: false }]),
  ...defs('policy', 'v1', [{ r: 'poddisruptionbudgets', k: 'PodDisruptionBudget', ns: true, sn: ['pdb'], sub: ['status'] }]),
  ...defs('scheduling.k8s.io', 'v1', [{ r: 'priorityclasses', k: 'PriorityClass', ns: false, sn: ['pc'] }]),
  ...defs('storage.k8s.io', 'v1', [{ r: 'storageclasses', k: 'StorageClass', ns: false, sn: ['sc'] }]),
  ...defs('admissionregistration.k8s.io', 'v1', [
    { r: 'mutatingwebhookconfigurations', k: 'MutatingWebhookConfiguration', ns: false, cat: ['api-extensions'] },
    { r: 'validatingwebhookconfigurations', k: 'ValidatingWebhookConfiguration', ns: false, cat: ['api-extensions'] },
    { r: 'validatingadmissionpolicies', k: 'ValidatingAdmissionPolicy', ns: false, sub: ['status'], cat: ['api-extensions'] },
    { r: 'validatingadmissionpolicybindings', k: 'ValidatingAdmissionPolicyBinding', ns: false, cat: ['api-extensions'] },
  ]),
  ...defs('apiextensions.k8s.io', 'v1', [
    { r: 'customresourcedefinitions', k: 'CustomResourceDefinition', ns: false, sn: ['crd', 'crds'], cat: ['api-extensions'], sub: ['status'] },
  ]),
  ...defs('rbac.authorization.k8s.io', 'v1', [
    { r: 'clusterrolebindings', k: 'ClusterRoleBinding', ns: false },
    { r: 'clusterroles', k: 'ClusterRole', ns: false },
    { r: 'rolebindings', k: 'RoleBinding', ns: true },
    { r: 'roles', k: 'Role', ns: true },
  ]),
  ...defs('certificates.k8s.io', 'v1', [{ r: 'certificatesigningrequests', k: 'CertificateSigningRequest', ns: false, sn: ['csr'], sub: ['status', 'approval'] }]),
  ...defs('authentication.k8s.io', 'v1', [{ r: 'selfsubjectreviews', k: 'SelfSubjectReview', ns: false }]),
  // kubectl before 1.28 asks v1beta1 for `auth whoami`.
  ...defs('authentication.k8s.io', 'v1beta1', [{ r: 'selfsubjectreviews', k: 'SelfSubjectReview', ns: false }], { preferred: false }),
  ...defs('authorization.k8s.io', 'v1', [
    { r: 'localsubjectaccessreviews', k: 'LocalSubjectAccessReview', ns: true },
    { r: 'selfsubjectaccessreviews', k: 'SelfSubjectAccessReview', ns: false },
    { r: 'selfsubjectrulesreviews', k: 'SelfSubjectRulesReview', ns: false },
    { r: 'subjectaccessreviews', k: 'SubjectAccessReview', ns: false },
  ]),
];

/** The create-only reviews of authentication.k8s.io and authorization.k8s.io (pkg/registry/authorization, authentication). */
export const REVIEW_RESOURCES: ReadonlySet<string> = new Set(['selfsubjectreviews', 'localsubjectaccessreviews', 'selfsubjectaccessreviews', 'selfsubjectrulesreviews', 'subjectaccessreviews']);

/** Resources that are not stored objects (bindings, componentstatuses, the reviews): served by special handlers. */
export const VIRTUAL_RESOURCES = new Set(['bindings', 'componentstatuses', ...REVIEW_RESOURCES]);

export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}

export function apiVersionOf(info: Pick<ResourceInfo, 'group' | 'version'>): string {
  return groupVersion(info.group, info.version);
}

export function parseApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

// The catalogue is RESOURCES plus what CustomResourceDefinitions add while the process runs
// (upstream keeps the two apart: kube-apiserver's built-in REST storage and the apiextensions
// server's crdHandler, chained by the delegating handler). Built-ins win a name clash.
const custom = new Map<string, ResourceInfo[]>();
let all: readonly ResourceInfo[] = RESOURCES;
let byGVR = new Map<string, ResourceInfo>();
let byGVK = new Map<string, ResourceInfo>();
const listeners = new Set<() => void>();

function reindex(): void {
  all = [...RESOURCES, ...[...custom.values()].flat()];
  byGVR = new Map();
  byGVK = new Map();
  for (const r of all) {
    const rk = `${r.group}/${r.version}/${r.resource}`;
    const kk = `${r.group}/${r.version}/${r.kind}`;
    if (!byGVR.has(rk)) byGVR.set(rk, r);
    if (!byGVK.has(kk)) byGVK.set(kk, r);
  }
}
reindex();

/** Every served resource: built-in, then those of CustomResourceDefinitions. */
export function allResources(): readonly ResourceInfo[] {
  return all;
}

/** Set (or, with an empty list, drop) the resources one CRD defines; listeners hear of it. */
export function setCustomResources(crd: string, infos: ResourceInfo[]): void {
  if (infos.length) custom.set(crd, infos);
  else if (!custom.delete(crd)) return;
  reindex();
  for (const fn of listeners) fn();
}

/** The served versions of one CRD, as set last. */
export function customResourcesOf(crd: string): readonly ResourceInfo[] {
  return custom.get(crd) ?? [];
}

/** Called after every change of the catalogue; returns the unsubscribe. */
export function onResourcesChanged(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

export function lookupResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return byGVR.get(`${group}/${version}/${resource}`);
}

export function lookupKind(group: string, version: string, kind: string): ResourceInfo | undefined {
  return byGVK.get(`${group}/${version}/${kind}`);
}

/** The groups in discovery order, each with its versions, preferred first. */
export function servedGroups(): Array<{ group: string; versions: string[]; preferred: string }> {
  const out: Array<{ group: string; versions: string[]; preferred: string }> = [];
  for (const r of all) {
    let g = out.find((x) => x.group === r.group);
    if (!g) { g = { group: r.group, versions: [], preferred: '' }; out.push(g); }
    if (!g.versions.includes(r.version)) {
      if (r.preferred && !g.preferred) { g.versions.unshift(r.version); g.preferred = r.version; } else g.versions.push(r.version);
    }
  }
  return out;
}

export function resourcesIn(group: string, version: string): ResourceInfo[] {
  return all.filter((r) => r.group === group && r.version === version);
}
