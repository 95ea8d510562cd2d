// Workload controllers: Deployment, ReplicaSet, StatefulSet, DaemonSet, ReplicationController and
// ControllerRevision, mirroring their print functions in pkg/printers/internalversion/printers.go.
import type { KubeObject, OwnerReference } from '../../api/meta.ts';
import { AGE, CONTAINERS, IMAGES, NAME, SELECTOR, col } from './columns.ts';
import type { ContainerLike } from './format.ts';
import { containerCells } from './format.ts';
import { since } from './human-duration.ts';
import type { LabelSelector } from './labels.ts';
import { formatLabelSelector, formatLabels, selectorString } from './labels.ts';
import type { Printer } from './types.ts';

interface PodTemplate { spec?: { containers?: ContainerLike[]; nodeSelector?: Record<string, string> } }

interface Workload extends KubeObject {
  spec?: { replicas?: number; selector?: LabelSelector; template?: PodTemplate };
  status?: {
    replicas?: number; readyReplicas?: number; updatedReplicas?: number; availableReplicas?: number;
    desiredNumberScheduled?: number; currentNumberScheduled?: number; numberReady?: number;
    updatedNumberScheduled?: number; numberAvailable?: number;
  };
}

interface ReplicationController extends KubeObject {
  spec?: { replicas?: number; selector?: Record<string, string>; template?: PodTemplate };
  status?: { replicas?: number; readyReplicas?: number };
}

const name = (o: KubeObject): string => o.metadata.name ?? '';
// spec.replicas is defaulted to 1 by the API, so an absent value means 1.
const desired = (o: { spec?: { replicas?: number } }): number => o.spec?.replicas ?? 1;

export const deploymentPrinter: Printer = {
  columns: [
    NAME,
    col('Ready', 'string', 'Ready pods out of the desired number.'),
    col('Up-to-date', 'string', 'Pods running the latest pod template.'),
    col('Available', 'string', 'Pods ready for at least minReadySeconds.'),
    AGE, CONTAINERS, IMAGES, SELECTOR,
  ],
  cells(obj, now) {
    const d = obj as Workload;
    const st = d.status ?? {};
    const sel = selectorString(d.spec?.selector) ?? '<invalid>';
    return [
      name(d), `${st.readyReplicas ?? 0}/${desired(d)}`, st.updatedReplicas ?? 0, st.availableReplicas ?? 0,
      since(d.metadata.creationTimestamp, now), ...containerCells(d.spec?.template?.spec?.containers), sel,
    ];
  },
};

export const replicaSetPrinter: Printer = {
  columns: [
    NAME,
    col('Desired', 'integer', 'Number of pods wanted.'),
    col('Current', 'integer', 'Number of pods that exist.'),
    col('Ready', 'integer', 'Number of pods that are ready.'),
    AGE, CONTAINERS, IMAGES, SELECTOR,
  ],
  cells(obj, now) {
    const r = obj as Workload;
    const st = r.status ?? {};
    return [
      name(r), desired(r), st.replicas ?? 0, st.readyReplicas ?? 0, since(r.metadata.creationTimestamp, now),
      ...containerCells(r.spec?.template?.spec?.containers), formatLabelSelector(r.spec?.selector),
    ];
  },
};

export const replicationControllerPrinter: Printer = {
  columns: replicaSetPrinter.columns,
  cells(obj, now) {
    const r = obj as ReplicationController;
    const st = r.status ?? {};
    return [
      name(r), desired(r), st.replicas ?? 0, st.readyReplicas ?? 0, since(r.metadata.creationTimestamp, now),
      ...containerCells(r.spec?.template?.spec?.containers), formatLabels(r.spec?.selector),
    ];
  },
};

export const statefulSetPrinter: Printer = {
  columns: [NAME, col('Ready', 'string', 'Ready pods out of the desired number.'), AGE, CONTAINERS, IMAGES],
  cells(obj, now) {
    const s = obj as Workload;
    return [
      name(s), `${s.status?.readyReplicas ?? 0}/${desired(s)}`, since(s.metadata.creationTimestamp, now),
      ...containerCells(s.spec?.template?.spec?.containers),
    ];
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    NAME,
    col('Desired', 'integer', 'Nodes that should run the daemon pod.'),
    col('Current', 'integer', 'Nodes running at least one daemon pod.'),
    col('Ready', 'integer', 'Nodes whose daemon pod is ready.'),
    col('Up-to-date', 'integer', 'Nodes running the latest daemon pod template.'),
    col('Available', 'integer', 'Nodes whose daemon pod has been ready for minReadySeconds.'),
    col('Node Selector', 'string', 'Labels a node needs to run the daemon pod.'),
    AGE, CONTAINERS, IMAGES, SELECTOR,
  ],
  cells(obj, now) {
    const d = obj as Workload;
    const st = d.status ?? {};
    return [
      name(d), st.desiredNumberScheduled ?? 0, st.currentNumberScheduled ?? 0, st.numberReady ?? 0,
      st.updatedNumberScheduled ?? 0, st.numberAvailable ?? 0, formatLabels(d.spec?.template?.spec?.nodeSelector),
      since(d.metadata.creationTimestamp, now), ...containerCells(d.spec?.template?.spec?.containers),
      formatLabelSelector(d.spec?.selector),
    ];
  },
};

/** "daemonset.apps/web": the controlling owner, kind lower-cased and qualified by group. */
export function controllerName(owners: OwnerReference[] | undefined): string {
  const ref = (owners ?? []).find((o) => o.controller === true);
  if (!ref) return '<none>';
  const slash = ref.apiVersion.indexOf('/');
  const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
  if (!ref.kind) return ref.name;
  return `${(group ? `${ref.kind}.${group}` : ref.kind).toLowerCase()}/${ref.name}`;
}

export const controllerRevisionPrinter: Printer = {
  columns: [
    NAME,
    col('Controller', 'string', 'The controller that owns this revision.'),
    col('Revision', 'string', 'Revision number of the recorded state.'),
    AGE,
  ],
  cells(obj, now) {
    return [
      name(obj), controllerName(obj.metadata.ownerReferences), typeof obj.revision === 'number' ? obj.revision : 0,
      since(obj.metadata.creationTimestamp, now),
    ];
  },
};
