// The scale subresource of a custom resource: autoscaling/v1 Scale read from and written to the
// paths the CRD names (apiextensions-apiserver pkg/registry/customresource/etcd.go ScaleREST).
import type { KubeObject } from '../../api/meta.ts';
import type { CustomResourceSubresourceScale } from '../../api/types/apiextensions-v1.ts';

type Obj = Record<string, unknown>;

function segments(path: string): string[] {
  return path.replace(/^\./, '').split('.').filter(Boolean);
}

export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const seg of segments(path)) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[seg];
  }
  return cur;
}

export function setPath(obj: Obj, path: string, value: unknown): void {
  const segs = segments(path);
  let cur = obj;
  for (const seg of segs.slice(0, -1)) {
    if (cur[seg] === null || typeof cur[seg] !== 'object') cur[seg] = {};
    cur = cur[seg] as Obj;
  }
  cur[segs[segs.length - 1]!] = value;
}

export function customToScale(paths: CustomResourceSubresourceScale, obj: KubeObject): KubeObject {
  const m = obj.metadata;
  const replicas = getPath(obj, paths.specReplicasPath);
  const statusReplicas = getPath(obj, paths.statusReplicasPath);
  const selector = paths.labelSelectorPath ? getPath(obj, paths.labelSelectorPath) : undefined;
  const status: Obj = { replicas: typeof statusReplicas === 'number' ? statusReplicas : 0 };
  if (typeof selector === 'string' && selector) status.selector = selector;
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name!, ...(m.namespace ? { namespace: m.namespace } : {}), uid: m.uid!, resourceVersion: m.resourceVersion!, creationTimestamp: m.creationTimestamp! },
    spec: { replicas: typeof replicas === 'number' ? replicas : 0 },
    status,
  };
}
