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
}

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
  ...defs('rbac.authorization.k8s.io', 'v1', [
    { r: 'clusterrolebindings', k: 'ClusterRoleBinding', ns: false },
    { r: 'clusterroles', k: 'ClusterRole', ns: false },
    { r: 'rolebindings', k: 'RoleBinding', ns: true },
    { r: 'roles', k: 'Role', ns: true },
  ]),
  ...defs('storage.k8s.io', 'v1', [{ r: 'storageclasses', k: 'StorageClass', ns: false, sn: ['sc'] }]),
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

const byGVR = new Map<string, ResourceInfo>(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.resource}`, r]));
const byGVK = new Map<string, ResourceInfo>(RESOURCES.map((r) => [`${r.group}/${r.version}/${r.kind}`, r]));

export function lookupResource(group: string, version: string, resource: string): ResourceInfo | undefined {
  return byGVR.get(`${group}/${version}/${resource}`);
}

export function lookupKind(group: string, version: string, kind: string): ResourceInfo | undefined {
  return byGVK.get(`${group}/${version}/${kind}`);
}

/** The groups in discovery order, each with its versions, preferred first. */
export function servedGroups(): Array<{ group: string; versions: string[]; preferred: string }> {
  const out: Array<{ group: string; versions: string[]; preferred: string }> = [];
  for (const r of RESOURCES) {
    let g = out.find((x) => x.group === r.group);
    if (!g) { g = { group: r.group, versions: [], preferred: '' }; out.push(g); }
    if (!g.versions.includes(r.version)) {
      if (r.preferred) { g.versions.unshift(r.version); g.preferred = r.version; } else g.versions.push(r.version);
    }
  }
  return out;
}

export function resourcesIn(group: string, version: string): ResourceInfo[] {
  return RESOURCES.filter((r) => r.group === group && r.version === version);
}
