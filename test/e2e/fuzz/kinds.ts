// The kinds the fuzzer sends, each with a small valid object to start from, and where they live
// (from the scheme, so paths follow the server's own catalogue).
import { lookupKind, type ResourceInfo } from '../../../src/api/scheme.ts';
import { definitionNameFor } from '../../../src/api/schema/index.ts';

export interface FuzzKind {
  info: ResourceInfo;
  defName: string;
  apiVersion: string;
  /** A valid object named `name` (in namespace `ns` when namespaced). */
  valid(name: string, ns: string): Record<string, any>;
}

/** The namespace the fuzz requests write into, one sentinels live in, and one for collection deletes. */
export const NS = 'fuzz';
export const SENTINEL_NS = 'fuzz-sentinel';
export const COLLECTION_NS = 'fuzz-coll';
/** Path and method fuzzing aims here: every object in it is a sentinel, so a misrouted DELETE shows. */
export const PATH_NS = 'fuzz-paths';

const podSpec = (restartPolicy = 'Always'): Record<string, any> => ({
  restartPolicy,
  containers: [{
    name: 'c', image: 'registry.k8s.io/pause:3.9', command: ['/pause'], args: ['-v'],
    env: [{ name: 'A', value: '1' }], ports: [{ containerPort: 8080, name: 'http', protocol: 'TCP' }],
    resources: { limits: { cpu: '100m', memory: '64Mi' } },
  }],
});

const meta = (name: string, ns: string, namespaced: boolean): Record<string, any> => ({
  name, ...(namespaced ? { namespace: ns } : {}), labels: { app: 'fuzz' }, annotations: { note: 'fuzz' },
});

const builders: Record<string, (name: string, ns: string) => Record<string, any>> = {
  Pod: (name, ns) => ({ metadata: meta(name, ns, true), spec: podSpec() }),
  ConfigMap: (name, ns) => ({ metadata: meta(name, ns, true), data: { k: 'v' }, binaryData: { b: 'AAEC' } }),
  Secret: (name, ns) => ({ metadata: meta(name, ns, true), type: 'Opaque', data: { k: 'dg==' }, stringData: { s: 'x' } }),
  Service: (name, ns) => ({
    metadata: meta(name, ns, true),
    spec: { selector: { app: 'fuzz' }, ports: [{ name: 'http', port: 80, targetPort: 8080, protocol: 'TCP' }] },
  }),
  Deployment: (name, ns) => ({
    metadata: meta(name, ns, true),
    spec: { replicas: 0, selector: { matchLabels: { app: name } }, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } }, template: { metadata: { labels: { app: name } }, spec: podSpec() } },
  }),
  Namespace: (name) => ({ metadata: meta(name, '', false) }),
  Node: (name) => ({ metadata: meta(name, '', false), spec: { unschedulable: true, taints: [{ key: 'fuzz', effect: 'NoSchedule' }] } }),
  Job: (name, ns) => ({
    metadata: meta(name, ns, true),
    spec: { suspend: true, backoffLimit: 1, template: { metadata: { labels: { app: name } }, spec: podSpec('Never') } },
  }),
  CronJob: (name, ns) => ({
    metadata: meta(name, ns, true),
    spec: { schedule: '0 0 1 1 *', suspend: true, jobTemplate: { spec: { template: { spec: podSpec('OnFailure') } } } },
  }),
  Lease: (name, ns) => ({ metadata: meta(name, ns, true), spec: { holderIdentity: 'fuzz', leaseDurationSeconds: 15, leaseTransitions: 0 } }),
  Event: (name, ns) => ({
    metadata: meta(name, ns, true),
    involvedObject: { kind: 'Pod', namespace: ns, name: 'p', apiVersion: 'v1' },
    reason: 'Fuzz', message: 'fuzz', type: 'Normal', count: 1, source: { component: 'fuzz' },
    firstTimestamp: '2024-01-01T00:00:00Z', lastTimestamp: '2024-01-01T00:00:00Z',
  }),
  ServiceAccount: (name, ns) => ({ metadata: meta(name, ns, true), automountServiceAccountToken: false }),
  StatefulSet: (name, ns) => ({
    metadata: meta(name, ns, true),
    spec: { replicas: 0, serviceName: name, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: podSpec() } },
  }),
};

const GVK: Array<[string, string, string]> = [
  ['', 'v1', 'Pod'], ['', 'v1', 'ConfigMap'], ['', 'v1', 'Secret'], ['', 'v1', 'Service'], ['apps', 'v1', 'Deployment'],
  ['', 'v1', 'Namespace'], ['', 'v1', 'Node'], ['batch', 'v1', 'Job'], ['batch', 'v1', 'CronJob'],
  ['coordination.k8s.io', 'v1', 'Lease'], ['', 'v1', 'Event'], ['', 'v1', 'ServiceAccount'], ['apps', 'v1', 'StatefulSet'],
];

export const KINDS: readonly FuzzKind[] = GVK.map(([group, version, kind]) => {
  const info = lookupKind(group, version, kind);
  const defName = definitionNameFor(group, version, kind);
  const build = builders[kind];
  if (!info || !defName || !build) throw new Error(`fuzz kind ${group}/${version}/${kind} is not served or has no schema`);
  const apiVersion = group ? `${group}/${version}` : version;
  return { info, defName, apiVersion, valid: (name, ns) => ({ apiVersion, kind, ...build(name, ns) }) };
});

/** The API path of a kind's collection (in `ns` when namespaced), or of one object. */
export function pathOf(k: FuzzKind, ns: string, name?: string, sub?: string): string {
  const base = k.info.group ? `/apis/${k.info.group}/${k.info.version}` : `/api/${k.info.version}`;
  const coll = k.info.namespaced ? `${base}/namespaces/${ns}/${k.info.resource}` : `${base}/${k.info.resource}`;
  return name === undefined ? coll : `${coll}/${name}${sub ? `/${sub}` : ''}`;
}

/** The object every kind keeps in the fuzz namespace for updates and patches to aim at. */
export function targetName(k: FuzzKind): string {
  return k.info.namespaced ? `target-${k.info.singular}` : `fuzz-target-${k.info.singular}`;
}

/** Objects created before fuzzing that no fuzz request names: they must all survive. */
export function sentinelName(k: FuzzKind): string {
  return k.info.namespaced ? `sentinel-${k.info.singular}` : `fuzz-sentinel-${k.info.singular}`;
}

/** The object path and method fuzzing aims at (in PATH_NS): no request may delete it. */
export function pathTargetName(k: FuzzKind): string {
  return k.info.namespaced ? `target-${k.info.singular}` : `fuzz-path-${k.info.singular}`;
}
