// Defaults of the remaining kinds (pkg/apis/core/v1/defaults.go, pkg/apis/storage/v1/defaults.go,
// pkg/apis/autoscaling/v2/defaults.go) and the namespace finalizer the namespace strategy adds.
import { def, ensureObj, isObj, objAt, type Obj } from './obj.ts';

export function defaultNamespace(o: Obj): void {
  const meta = ensureObj(o, 'metadata');
  const name = typeof meta.name === 'string' ? meta.name : '';
  if (name) ensureObj(meta, 'labels')['kubernetes.io/metadata.name'] = name;
  const spec = ensureObj(o, 'spec');
  if (!Array.isArray(spec.finalizers)) spec.finalizers = ['kubernetes'];
  def(ensureObj(o, 'status'), 'phase', 'Active');
}

export function defaultSecret(o: Obj): void {
  def(o, 'type', 'Opaque');
  // stringData is write-only: upstream conversion folds it into data (base64), stringData winning.
  const stringData = objAt(o, 'stringData');
  if (stringData) {
    const data = ensureObj(o, 'data');
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v)).toString('base64');
    delete o.stringData;
  }
}

export function defaultPersistentVolumeClaim(o: Obj): void {
  def(ensureObj(o, 'spec'), 'volumeMode', 'Filesystem');
  def(ensureObj(o, 'status'), 'phase', 'Pending');
}

export function defaultPersistentVolume(o: Obj): void {
  const spec = ensureObj(o, 'spec');
  def(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  def(spec, 'volumeMode', 'Filesystem');
  def(ensureObj(o, 'status'), 'phase', 'Pending');
}

export function defaultNode(o: Obj): void {
  // Allocatable defaults to capacity (SetDefaults_NodeStatus).
  const status = objAt(o, 'status');
  if (status && isObj(status.capacity) && !isObj(status.allocatable)) status.allocatable = { ...status.capacity };
}

export function defaultStorageClass(o: Obj): void {
  def(o, 'reclaimPolicy', 'Delete');
  def(o, 'volumeBindingMode', 'Immediate');
}

function scaleRules(rules: Obj | undefined, up: boolean): Obj {
  const r: Obj = rules ?? {};
  def(r, 'stabilizationWindowSeconds', up ? 0 : 300);
  def(r, 'selectPolicy', 'Max');
  if (!Array.isArray(r.policies) || r.policies.length === 0) {
    r.policies = up
      ? [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }]
      : [{ type: 'Percent', value: 100, periodSeconds: 15 }];
  }
  return r;
}

export function defaultHorizontalPodAutoscaler(o: Obj, version: string): void {
  const spec = ensureObj(o, 'spec');
  def(spec, 'minReplicas', 1);
  if (version !== 'v2') return;
  if (!Array.isArray(spec.metrics) || spec.metrics.length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  const behavior = objAt(spec, 'behavior');
  if (behavior) {
    behavior.scaleUp = scaleRules(objAt(behavior, 'scaleUp'), true);
    behavior.scaleDown = scaleRules(objAt(behavior, 'scaleDown'), false);
  }
}

export function defaultLimitRange(o: Obj): void {
  // A container limit's max defaults the default limit; default limits default the requests.
  const spec = objAt(o, 'spec');
  for (const item of Array.isArray(spec?.limits) ? spec.limits.filter(isObj) : []) {
    if (item.type !== 'Container') continue;
    const max = objAt(item, 'max');
    if (max) {
      const dflt = ensureObj(item, 'default');
      for (const [k, v] of Object.entries(max)) if (dflt[k] === undefined) dflt[k] = v;
    }
    const dflt = objAt(item, 'default');
    if (dflt) {
      const req = ensureObj(item, 'defaultRequest');
      for (const [k, v] of Object.entries(dflt)) if (req[k] === undefined) req[k] = v;
    }
  }
}
