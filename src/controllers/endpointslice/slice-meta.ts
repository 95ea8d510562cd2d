// What a controller-managed slice carries besides its endpoints: labels, owner, name prefix and the
// trigger-time annotation (staging/src/k8s.io/endpointslice/utils.go newEndpointSlice,
// setEndpointSliceLabels, ownedBy).
import type { OwnerReference } from '../../api/meta.ts';
import { ANNOTATION_TRIGGER_TIME, CONTROLLER_NAME, LABEL_HEADLESS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, type EndpointPort, type EndpointSlice, type Service } from './types.ts';

/** The service's own labels, then the two that tie the slice to it; headless services say so. */
export function desiredSliceLabels(svc: Service): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) {
    if (k === LABEL_SERVICE_NAME || k === LABEL_MANAGED_BY || k === LABEL_HEADLESS) continue;
    labels[k] = v;
  }
  if (svc.spec?.clusterIP === 'None') labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = svc.metadata.name ?? '';
  labels[LABEL_MANAGED_BY] = CONTROLLER_NAME;
  return labels;
}

export function serviceOwnerRef(svc: Service): OwnerReference {
  return { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name ?? '', uid: svc.metadata.uid ?? '', controller: true, blockOwnerDeletion: true };
}

export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === svc.metadata.uid && o.kind === 'Service' && o.controller === true);
}

export function newSlice(svc: Service, ports: EndpointPort[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: { generateName: `${svc.metadata.name}-`, namespace: svc.metadata.namespace ?? '', labels: desiredSliceLabels(svc), ownerReferences: [serviceOwnerRef(svc)] },
    addressType: 'IPv4', endpoints: [], ports,
  };
}

/** Go's time.RFC3339Nano: fractional seconds without trailing zeros. */
export function formatTriggerTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0*Z$/, 'Z');
}

export function setTriggerTime(slice: { metadata: { annotations?: Record<string, string> } }, triggerMs: number | undefined): void {
  const annotations = { ...(slice.metadata.annotations ?? {}) };
  if (triggerMs !== undefined) annotations[ANNOTATION_TRIGGER_TIME] = formatTriggerTime(triggerMs);
  else delete annotations[ANNOTATION_TRIGGER_TIME];
  if (Object.keys(annotations).length > 0) slice.metadata.annotations = annotations;
  else delete slice.metadata.annotations;
}

export function labelsEqual(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b ?? {}).length) return false;
  return ka.every((k) => b?.[k] === a?.[k]);
}
