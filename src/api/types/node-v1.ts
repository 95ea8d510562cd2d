// node.k8s.io/v1 object types (staging/src/k8s.io/api/node/v1/types.go), as plain JSON.
import type { KubeObject, ObjectMeta } from '../meta.ts';
import type { ResourceList, Toleration } from './core-v1.ts';

export interface RuntimeClass extends KubeObject {
  metadata: ObjectMeta;
  /** The CRI handler (a DNS label): what the node's runtime runs the pod under. Immutable. */
  handler: string;
  overhead?: { podFixed?: ResourceList };
  scheduling?: { nodeSelector?: Record<string, string>; tolerations?: Toleration[] };
}
