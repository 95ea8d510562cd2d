// The fields each resource can be selected by: the ToSelectableFields / GetAttrs functions of
// pkg/registry/*/strategy.go and the field label conversions in pkg/apis/*/v1/conversion.go.
import type { KubeObject } from '../meta.ts';
import type { ResourceInfo } from '../scheme.ts';

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (typeof v === 'object' && v !== null && !Array.isArray(v) ? v as Obj : {});
const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

type Extract = (obj: KubeObject) => Record<string, string>;

function podFields(obj: KubeObject): Record<string, string> {
  const spec = o(obj.spec);
  const status = o(obj.status);
  const ips = Array.isArray(status.podIPs) ? status.podIPs : [];
  return {
    'spec.nodeName': s(spec.nodeName),
    'spec.restartPolicy': s(spec.restartPolicy),
    'spec.schedulerName': s(spec.schedulerName),
    'spec.serviceAccountName': s(spec.serviceAccountName),
    'spec.hostNetwork': spec.hostNetwork === true ? 'true' : 'false',
    'status.phase': s(status.phase),
    // Upstream selects on the first of status.podIPs; podIP mirrors it.
    'status.podIP': s(o(ips[0]).ip ?? status.podIP),
    'status.nominatedNodeName': s(status.nominatedNodeName),
  };
}

// Core v1 events and events.k8s.io/v1 events share storage; read both shapes.
function eventFields(obj: KubeObject): Record<string, string> {
  const inv = o(obj.involvedObject ?? obj.regarding);
  const source = o(obj.source ?? obj.deprecatedSource);
  return {
    'involvedObject.kind': s(inv.kind),
    'involvedObject.namespace': s(inv.namespace),
    'involvedObject.name': s(inv.name),
    'involvedObject.uid': s(inv.uid),
    'involvedObject.apiVersion': s(inv.apiVersion),
    'involvedObject.resourceVersion': s(inv.resourceVersion),
    'involvedObject.fieldPath': s(inv.fieldPath),
    reason: s(obj.reason),
    reportingComponent: s(obj.reportingComponent ?? obj.reportingController),
    source: s(source.component),
    type: s(obj.type),
  };
}

const replicas: Extract = (obj) => ({ 'status.replicas': s(o(obj.status).replicas ?? 0) });

// Keyed by storage group/resource so every served version shares one table.
const BY_RESOURCE: Record<string, Extract> = {
  '/pods': podFields,
  '/events': eventFields,
  '/secrets': (obj) => ({ type: s(obj.type) }),
  '/namespaces': (obj) => ({ 'status.phase': s(o(obj.status).phase), name: s(obj.metadata.name) }),
  '/nodes': (obj) => ({ 'spec.unschedulable': o(obj.spec).unschedulable === true ? 'true' : 'false' }),
  '/replicationcontrollers': replicas,
  'apps/replicasets': replicas,
  'batch/jobs': (obj) => ({ 'status.successful': s(o(obj.status).succeeded ?? 0) }),
};

/** The field set an object can be selected by: metadata.name and metadata.namespace, plus its kind's own. */
export function selectableFields(info: ResourceInfo, obj: KubeObject): Record<string, string> {
  const base: Record<string, string> = {
    'metadata.name': obj.metadata.name ?? '',
    'metadata.namespace': info.namespaced ? obj.metadata.namespace ?? '' : '',
  };
  const extra = BY_RESOURCE[`${info.storage.group}/${info.storage.resource}`];
  return extra ? { ...base, ...extra(obj) } : base;
}

const EMPTY = { metadata: {} } as KubeObject;

/** The field labels a resource supports. */
export function supportedFieldLabels(info: ResourceInfo): Set<string> {
  return new Set(Object.keys(selectableFields(info, EMPTY)));
}
