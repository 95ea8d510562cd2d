// node.k8s.io/v1: RuntimeClass. Mirrors staging/src/k8s.io/api/node/v1/types.go.
import type { Definitions, GVK } from './dsl.ts';
import { arr, kind, listKind, mapOf, obj, quantity, ref, str, strMap } from './dsl.ts';

const P = 'io.k8s.api.node.v1';
const gvk = (k: string): GVK[] => [{ group: 'node.k8s.io', version: 'v1', kind: k }];

export const definitions: Definitions = {
  [`${P}.RuntimeClass`]: kind(gvk('RuntimeClass'), {
    handler: str('Runtime handler on the node (CRI handler name); immutable.'),
    overhead: ref(`${P}.Overhead`, 'Resources the runtime itself costs per pod.'),
    scheduling: ref(`${P}.Scheduling`, 'Where pods of this class may be scheduled.'),
  }, { d: 'A container runtime configuration pods can select.', required: ['handler'] }),
  [`${P}.RuntimeClassList`]: listKind(gvk('RuntimeClassList'), `${P}.RuntimeClass`),
  [`${P}.Overhead`]: obj({
    podFixed: mapOf(quantity(), 'Fixed amount added to each pod\'s resource use.'),
  }, { d: 'Per-pod resource overhead of a runtime.' }),
  [`${P}.Scheduling`]: obj({
    nodeSelector: { ...strMap('Labels a node must carry to run pods of this class.'), 'x-kubernetes-map-type': 'atomic' },
    tolerations: arr(ref('io.k8s.api.core.v1.Toleration'), { d: 'Tolerations added to pods of this class.', listType: 'atomic' }),
  }, { d: 'Scheduling constraints of a runtime class.' }),
};
