// What exists at first start: the system namespaces (as kube-apiserver's
// pkg/controlplane/controller/systemnamespaces creates them).
import { isAlreadyExists } from '../api/errors.ts';
import { stringify } from 'yaml';
import type { KubeObject } from '../api/meta.ts';
import { SYSTEM_PRIORITY_CLASSES } from '../api/types/scheduling-v1.ts';
import { parseCIDR } from './admission/service-allocator.ts';
import type { Registry, WriteContext } from './registry/registry.ts';

const systemContext = (): WriteContext => ({ user: { name: 'system:apiserver', groups: ['system:masters'] }, manager: 'kube-apiserver', apiVersion: 'v1', dryRun: false, now: new Date() });

/** The `n`th address of a service CIDR: the first is the `kubernetes` Service's, the tenth kube-dns's. */
export function serviceIP(serviceCIDR: string, n: number): string {
  const { base } = parseCIDR(serviceCIDR);
  const v = base + n;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function bootstrap(registries: Map<string, Registry>): Promise<void> {
  const namespaces = registries.get('/namespaces')!;
  const ctx = systemContext();
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await namespaces.create('', { apiVersion: 'v1', kind: 'Namespace', metadata: { name } }, ctx);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
  await ensureSystemPriorityClasses(registries);
}

/**
 * system-node-critical and system-cluster-critical, created when missing and otherwise left as they
 * are (pkg/registry/scheduling/rest/storage_scheduling.go's bootstrap-system-priority-classes hook).
 */
export async function ensureSystemPriorityClasses(registries: Map<string, Registry>): Promise<void> {
  const classes = registries.get('scheduling.k8s.io/priorityclasses')!;
  for (const pc of SYSTEM_PRIORITY_CLASSES) {
    try {
      await classes.create('', structuredClone(pc), systemContext());
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
}

/** default/kubernetes: the Service and Endpoints through which pods reach the API server. */
export async function ensureKubernetesService(registries: Map<string, Registry>, host: string, port: number, clusterIP: string): Promise<void> {
  const ctx = systemContext();
  const labels = { component: 'apiserver', provider: 'kubernetes' };
  const svc: KubeObject = {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'kubernetes', labels },
    spec: { type: 'ClusterIP', clusterIP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: port }], sessionAffinity: 'None' },
  };
  const ip = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  const ep: KubeObject = {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'kubernetes', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip }], ports: [{ name: 'https', port, protocol: 'TCP' }] }],
  };
  // The slice beside the Endpoints, as upstream's endpoint reconciler writes both for the API
  // server (pkg/controlplane/reconcilers); the EndpointSlice controller leaves selectorless
  // services to whoever writes them.
  const slice: KubeObject = {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { name: 'kubernetes', labels: { 'kubernetes.io/service-name': 'kubernetes' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [ip], conditions: { ready: true } }],
    ports: [{ name: 'https', port, protocol: 'TCP' }],
  };
  for (const [key, obj] of [['/services', svc], ['/endpoints', ep], ['discovery.k8s.io/endpointslices', slice]] as const) {
    await registries.get(key)!.update('default', 'kubernetes', (cur) => {
      if (!cur) return structuredClone(obj);
      const next = structuredClone(cur);
      delete next.metadata.resourceVersion;
      if (obj.kind === 'Service') (next.spec as { ports: unknown }).ports = (obj.spec as { ports: unknown }).ports;
      else if (obj.kind === 'Endpoints') next.subsets = obj.subsets;
      else { next.endpoints = obj.endpoints; next.ports = obj.ports; }
      return next;
    }, ctx, { allowCreate: true });
  }
}

/**
 * kube-system/kube-dns: the Service every cluster's pods resolve names through (the cluster DNS
 * addon's Service, with the addresses the kubelet's --cluster-dns gives pods). It has no selector:
 * each node agent serves DNS on its own bridge address and publishes an EndpointSlice for it, and
 * internalTrafficPolicy Local keeps every pod's queries on its own node (as NodeLocal DNSCache).
 */
export async function ensureClusterDnsService(registries: Map<string, Registry>, clusterIP: string): Promise<string | undefined> {
  const ctx = systemContext();
  const svc: KubeObject = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'KubeDNS' } },
    spec: {
      type: 'ClusterIP', clusterIP, internalTrafficPolicy: 'Local', sessionAffinity: 'None',
      ports: [{ name: 'dns', port: 53, protocol: 'UDP', targetPort: 53 }, { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 53 }],
    },
  };
  try {
    await registries.get('/services')!.create('kube-system', svc, ctx);
  } catch (err) {
    // An existing kube-dns is left as the operator changed it; any other refusal (the address
    // taken by another Service) is reported, and the server runs without cluster DNS.
    if (!isAlreadyExists(err)) return (err as Error).message;
  }
  return undefined;
}

/**
 * kube-public/cluster-info: a kubeconfig holding the cluster CA and the server's address, readable
 * without credentials, from which a joining node learns the CA it then checks against its
 * --ca-cert-hash (kubeadm's phases/bootstraptoken/clusterinfo). Rewritten at every start, so a
 * replaced CA shows.
 */
export async function ensureClusterInfo(registries: Map<string, Registry>, caPem: string, server: string): Promise<void> {
  const kubeconfig = stringify({
    apiVersion: 'v1', kind: 'Config',
    clusters: [{ name: '', cluster: { 'certificate-authority-data': Buffer.from(caPem, 'utf8').toString('base64'), server } }],
    contexts: null, 'current-context': '', preferences: {}, users: null,
  });
  await registries.get('/configmaps')!.update('kube-public', 'cluster-info', (cur) => {
    if (cur && (cur.data as Record<string, string> | undefined)?.kubeconfig === kubeconfig) return cur;
    const next: KubeObject = cur ? structuredClone(cur) : { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cluster-info', namespace: 'kube-public' } };
    delete next.metadata.resourceVersion;
    next.data = { ...((cur?.data) ?? {}), kubeconfig };
    return next;
  }, systemContext(), { allowCreate: true });
}
