// What differs between ReplicaSets and ReplicationControllers for the one controller that manages
// both (upstream runs pkg/controller/replicaset for RCs through an adapter, replication/conversion.go):
// the resource, and the selector — a LabelSelector for a ReplicaSet, a plain map for an RC.
import { labelSelectorFromMeta, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import type { ReplicaSet, ReplicationController } from '../util/workload-types.ts';

export interface ReplicaKind {
  /** The controller's name, as --controllers and the event source know it. */
  controllerName: string;
  apiVersion: string;
  kind: string;
  resource: string;
  group: string;
  version: string;
  /** The selector; throws SelectorParseError when it is invalid. */
  selector(obj: ReplicaSet | ReplicationController): LabelSelectorExpr;
}

export const REPLICA_SET_KIND: ReplicaKind = {
  controllerName: 'replicaset',
  apiVersion: 'apps/v1',
  kind: 'ReplicaSet',
  resource: 'replicasets',
  group: 'apps',
  version: 'v1',
  selector: (rs) => labelSelectorFromMeta((rs as ReplicaSet).spec?.selector),
};

export const REPLICATION_CONTROLLER_KIND: ReplicaKind = {
  controllerName: 'replicationcontroller',
  apiVersion: 'v1',
  kind: 'ReplicationController',
  resource: 'replicationcontrollers',
  group: '',
  version: 'v1',
  selector: (rc) => {
    // An RC without a selector selects its template's labels (the API server defaults it so).
    const spec = (rc as ReplicationController).spec;
    const map = spec?.selector && Object.keys(spec.selector).length > 0 ? spec.selector : spec?.template?.metadata?.labels;
    // An empty map would select every pod of the namespace: upstream selects nothing then.
    if (!map || Object.keys(map).length === 0) return labelSelectorFromMeta(null);
    return labelSelectorFromMeta({ matchLabels: map });
  },
};
