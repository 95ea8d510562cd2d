// Conversion between a served version and the version kept at rest, for the resources that are
// served under more than one group-version (autoscaling/v1 ↔ v2 HPAs, events.k8s.io ↔ core events).
import type { KubeObject } from '../../api/meta.ts';
import { apiVersionOf, groupVersion, type ResourceInfo } from '../../api/scheme.ts';
import { applySchemaDefaults } from '../apiextensions/schema/defaults.ts';

type Obj = Record<string, any>;

function hpaV1ToV2(o: Obj): Obj {
  const { targetCPUUtilizationPercentage, ...spec } = (o.spec ?? {}) as Obj;
  const out: Obj = { ...o, apiVersion: 'autoscaling/v2', spec: { ...spec } };
  if (targetCPUUtilizationPercentage !== undefined) {
    out.spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetCPUUtilizationPercentage } } }];
  }
  if (o.status) {
    const { currentCPUUtilizationPercentage, ...status } = o.status as Obj;
    out.status = { ...status };
    if (currentCPUUtilizationPercentage !== undefined) {
      out.status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: currentCPUUtilizationPercentage } } }];
    }
  }
  return out;
}

function hpaV2ToV1(o: Obj): Obj {
  const { metrics, behavior: _b, ...spec } = (o.spec ?? {}) as Obj;
  const out: Obj = { ...o, apiVersion: 'autoscaling/v1', spec: { ...spec } };
  const cpu = (metrics as Obj[] | undefined)?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource?.target?.type === 'Utilization');
  if (cpu) out.spec.targetCPUUtilizationPercentage = cpu.resource.target.averageUtilization;
  if (o.status) {
    const { currentMetrics, conditions: _c, ...status } = o.status as Obj;
    out.status = { ...status };
    const cur = (currentMetrics as Obj[] | undefined)?.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
    if (cur?.resource?.current?.averageUtilization !== undefined) out.status.currentCPUUtilizationPercentage = cur.resource.current.averageUtilization;
  }
  return out;
}

function eventsV1ToCore(o: Obj): Obj {
  const { regarding, note, deprecatedSource, deprecatedFirstTimestamp, deprecatedLastTimestamp, deprecatedCount, reportingController, ...rest } = o;
  const out: Obj = { ...rest, apiVersion: 'v1', kind: 'Event' };
  if (regarding !== undefined) out.involvedObject = regarding;
  if (note !== undefined) out.message = note;
  if (deprecatedSource !== undefined) out.source = deprecatedSource;
  if (deprecatedFirstTimestamp !== undefined) out.firstTimestamp = deprecatedFirstTimestamp;
  if (deprecatedLastTimestamp !== undefined) out.lastTimestamp = deprecatedLastTimestamp;
  if (deprecatedCount !== undefined) out.count = deprecatedCount;
  if (reportingController !== undefined) out.reportingComponent = reportingController;
  out.involvedObject ??= {};
  return out;
}

function coreEventToV1(o: Obj): Obj {
  const { involvedObject, message, source, firstTimestamp, lastTimestamp, count, reportingComponent, ...rest } = o;
  const out: Obj = { ...rest, apiVersion: 'events.k8s.io/v1', kind: 'Event' };
  if (involvedObject !== undefined) out.regarding = involvedObject;
  if (message !== undefined) out.note = message;
  if (source !== undefined) out.deprecatedSource = source;
  if (firstTimestamp !== undefined) out.deprecatedFirstTimestamp = firstTimestamp;
  if (lastTimestamp !== undefined) out.deprecatedLastTimestamp = lastTimestamp;
  if (count !== undefined) out.deprecatedCount = count;
  if (reportingComponent !== undefined) out.reportingController = reportingComponent;
  return out;
}

/** True when objects of this served version are kept as they are. */
export function isStorageVersion(info: ResourceInfo): boolean {
  // Defaulted on the way out: never served as stored.
  if (info.custom?.defaultsOnRead) return false;
  return info.group === info.storage.group && info.version === info.storageVersion;
}

export function toStorage(info: ResourceInfo, obj: KubeObject): KubeObject {
  if (isStorageVersion(info)) return obj;
  // Custom resources convert with strategy None: only apiVersion changes.
  if (info.custom) return { ...obj, apiVersion: groupVersion(info.group, info.storageVersion) };
  if (info.resource === 'horizontalpodautoscalers') return hpaV1ToV2(obj) as KubeObject;
  if (info.group === 'events.k8s.io') return eventsV1ToCore(obj) as KubeObject;
  return obj;
}

export function fromStorage(info: ResourceInfo, obj: KubeObject): KubeObject {
  if (isStorageVersion(info)) return obj;
  if (info.custom) {
    // Defaults added to the schema since the object was written show on reads (as upstream's
    // storage decoder defaults custom resources).
    const out = { ...structuredClone(obj), apiVersion: apiVersionOf(info) };
    applySchemaDefaults(info.custom.schema, out);
    return out;
  }
  if (info.resource === 'horizontalpodautoscalers') return hpaV2ToV1(obj) as KubeObject;
  if (info.group === 'events.k8s.io') return coreEventToV1(obj) as KubeObject;
  return { ...obj, apiVersion: apiVersionOf(info) };
}
