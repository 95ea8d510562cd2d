// Small schemas for this folder's tests, so they do not depend on the shared registry being filled.
import type { Schema } from '../../api/schema/index.ts';
import { arr, bool, int, int64, intOrString, kind, obj, OBJECT_META, ref, str, strMap, INT_OR_STRING } from '../../api/schema/dsl.ts';
import type { SchemaLookup } from './schema-node.ts';

export const DEPLOYMENT = 't.apps.v1.Deployment';
export const CONFIG_MAP = 't.core.v1.ConfigMap';

const defs: Record<string, Schema> = {
  [OBJECT_META]: obj({
    name: str(), namespace: str(), uid: str(), resourceVersion: str(), generation: int64(), creationTimestamp: str(),
    labels: strMap(), annotations: strMap(),
    finalizers: arr(str(), { strategy: 'merge', listType: 'set' }),
    ownerReferences: arr(ref('t.OwnerReference'), { mergeKey: 'uid' }),
    managedFields: arr(ref('t.ManagedFieldsEntry')),
  }),
  't.OwnerReference': obj({ apiVersion: str(), kind: str(), name: str(), uid: str(), controller: bool() }, { extra: { 'x-kubernetes-map-type': 'atomic' } }),
  't.ManagedFieldsEntry': obj({ manager: str(), operation: str(), apiVersion: str(), time: str(), fieldsType: str(), fieldsV1: { type: 'object' }, subresource: str() }),
  [INT_OR_STRING]: { type: 'string', format: 'int-or-string' },
  [DEPLOYMENT]: kind([{ group: 'apps', version: 'v1', kind: 'Deployment' }], {
    spec: ref('t.DeploymentSpec'),
    status: ref('t.DeploymentStatus'),
  }),
  't.DeploymentSpec': obj({
    replicas: int(), paused: bool(), minReadySeconds: int(),
    selector: ref('t.LabelSelector'),
    template: ref('t.PodTemplateSpec'),
    strategy: obj({ type: str(), rollingUpdate: obj({ maxSurge: intOrString(), maxUnavailable: intOrString() }) }),
  }, { required: ['selector', 'template'] }),
  't.DeploymentStatus': obj({ replicas: int(), readyReplicas: int(), observedGeneration: int64() }),
  't.LabelSelector': obj({ matchLabels: strMap() }, { extra: { 'x-kubernetes-map-type': 'atomic' } }),
  't.PodTemplateSpec': obj({ metadata: ref(OBJECT_META), spec: ref('t.PodSpec') }),
  't.PodSpec': obj({
    containers: arr(ref('t.Container'), { mergeKey: 'name' }),
    nodeSelector: { ...strMap(), 'x-kubernetes-map-type': 'atomic' },
    serviceAccountName: str(),
  }, { required: ['containers'] }),
  't.Container': obj({
    name: str(), image: str(),
    args: arr(str()),
    ports: arr(ref('t.ContainerPort'), { mergeKey: 'containerPort', listType: 'map', mapKeys: ['containerPort', 'protocol'] }),
    env: arr(ref('t.EnvVar'), { mergeKey: 'name' }),
  }),
  't.ContainerPort': obj({ containerPort: int(), protocol: { ...str(), default: 'TCP' }, name: str() }),
  't.EnvVar': obj({ name: str(), value: str() }),
  [CONFIG_MAP]: kind([{ group: '', version: 'v1', kind: 'ConfigMap' }], { data: strMap(), immutable: bool() }),
};

export const testLookup: SchemaLookup = (name) => defs[name];
