// apps/v1: workload controllers. Field set, merge keys and list types follow
// staging/src/k8s.io/api/apps/v1/types.go.
import type { Definitions, GVK, Schema } from './dsl.ts';
import {
  arr, bool, enumStr, int, int64, intOrString, kind, LABEL_SELECTOR, listKind, obj, ref, str, time,
} from './dsl.ts';
import { RAW_EXTENSION } from './meta.ts';

const P = 'io.k8s.api.apps.v1';
const gvk = (k: string): GVK[] => [{ group: 'apps', version: 'v1', kind: k }];

const POD_TEMPLATE_SPEC = 'io.k8s.api.core.v1.PodTemplateSpec';
const PVC = 'io.k8s.api.core.v1.PersistentVolumeClaim';

function condition(of: string, withUpdateTime = false): Schema {
  return obj({
    type: str(`Type of ${of} condition.`),
    status: enumStr(['True', 'False', 'Unknown'], 'Whether the condition holds.'),
    ...(withUpdateTime ? { lastUpdateTime: time('When the condition was last refreshed.') } : {}),
    lastTransitionTime: time('When status last changed.'),
    reason: str('CamelCase reason for the last transition.'),
    message: str('Human-readable detail about the last transition.'),
  }, { d: `One observed aspect of a ${of}.`, required: ['type', 'status'] });
}

const conditions = (def: string, of: string): Schema =>
  arr(ref(def), { d: `Latest observations of the ${of}'s state.`, mergeKey: 'type' });

const selector = (): Schema => ref(LABEL_SELECTOR, 'Selects the pods this controller manages; must match the template labels.');
const minReadySeconds = (): Schema => int('Seconds a new pod must be ready without crashing before it counts as available.');
const collisionCount = (): Schema => int('Count of hash collisions, used to pick a unique name for the newest revision.');
const observedGeneration = (): Schema => int64('Most recent generation the controller has acted on.');

export const definitions: Definitions = {
  // Deployment
  [`${P}.Deployment`]: kind(gvk('Deployment'), {
    spec: ref(`${P}.DeploymentSpec`, 'Desired state.'),
    status: ref(`${P}.DeploymentStatus`, 'Observed state.'),
  }, { d: 'Declarative, rolling updates of a replicated set of pods through ReplicaSets.' }),
  [`${P}.DeploymentList`]: listKind(gvk('DeploymentList'), `${P}.Deployment`),
  [`${P}.DeploymentSpec`]: obj({
    replicas: int('Desired number of pods; defaults to 1.'),
    selector: selector(),
    template: ref(POD_TEMPLATE_SPEC, 'Pods to create; restartPolicy must be Always.'),
    strategy: { ...ref(`${P}.DeploymentStrategy`, 'How old pods are replaced by new ones.'), 'x-kubernetes-patch-strategy': 'retainKeys' },
    minReadySeconds: minReadySeconds(),
    revisionHistoryLimit: int('How many old ReplicaSets to keep for rollback; defaults to 10.'),
    paused: bool('When true, template changes do not start a rollout.'),
    progressDeadlineSeconds: int('Seconds without progress before the rollout is reported as failed; defaults to 600.'),
    podReplacementPolicy: enumStr(['TerminationStarted', 'TerminationComplete'], 'When replacement pods are created relative to old pods terminating.'),
  }, { d: 'Desired state of a Deployment.', required: ['selector', 'template'] }),
  [`${P}.DeploymentStrategy`]: obj({
    type: enumStr(['Recreate', 'RollingUpdate'], 'Replacement strategy; defaults to RollingUpdate.'),
    rollingUpdate: ref(`${P}.RollingUpdateDeployment`, 'Parameters for RollingUpdate.'),
  }, { d: 'How a Deployment replaces its pods.' }),
  [`${P}.RollingUpdateDeployment`]: obj({
    maxUnavailable: intOrString('Pods (count or percentage) that may be unavailable during the update; defaults to 25%.'),
    maxSurge: intOrString('Pods (count or percentage) that may be created above the desired count; defaults to 25%.'),
  }, { d: 'Limits for a rolling update.' }),
  [`${P}.DeploymentStatus`]: obj({
    observedGeneration: observedGeneration(),
    replicas: int('Non-terminating pods targeted by the Deployment.'),
    updatedReplicas: int('Non-terminating pods running the current template.'),
    readyReplicas: int('Non-terminating pods that are ready.'),
    availableReplicas: int('Non-terminating pods available for at least minReadySeconds.'),
    unavailableReplicas: int('Pods still needed to reach full availability.'),
    terminatingReplicas: int('Pods being deleted.'),
    conditions: conditions(`${P}.DeploymentCondition`, 'Deployment'),
    collisionCount: collisionCount(),
  }, { d: 'Observed state of a Deployment.' }),
  [`${P}.DeploymentCondition`]: condition('Deployment', true),

  // ReplicaSet
  [`${P}.ReplicaSet`]: kind(gvk('ReplicaSet'), {
    spec: ref(`${P}.ReplicaSetSpec`, 'Desired state.'),
    status: ref(`${P}.ReplicaSetStatus`, 'Observed state.'),
  }, { d: 'Keeps a given number of identical pods running.' }),
  [`${P}.ReplicaSetList`]: listKind(gvk('ReplicaSetList'), `${P}.ReplicaSet`),
  [`${P}.ReplicaSetSpec`]: obj({
    replicas: int('Desired number of pods; defaults to 1.'),
    minReadySeconds: minReadySeconds(),
    selector: selector(),
    template: ref(POD_TEMPLATE_SPEC, 'Pods to create when too few exist.'),
  }, { d: 'Desired state of a ReplicaSet.', required: ['selector'] }),
  [`${P}.ReplicaSetStatus`]: obj({
    replicas: int('Non-terminating pods observed.'),
    fullyLabeledReplicas: int('Non-terminating pods whose labels match the template labels.'),
    readyReplicas: int('Non-terminating pods that are ready.'),
    availableReplicas: int('Non-terminating pods available for at least minReadySeconds.'),
    terminatingReplicas: int('Pods being deleted.'),
    observedGeneration: observedGeneration(),
    conditions: conditions(`${P}.ReplicaSetCondition`, 'ReplicaSet'),
  }, { d: 'Observed state of a ReplicaSet.', required: ['replicas'] }),
  [`${P}.ReplicaSetCondition`]: condition('ReplicaSet'),

  // StatefulSet
  [`${P}.StatefulSet`]: kind(gvk('StatefulSet'), {
    spec: ref(`${P}.StatefulSetSpec`, 'Desired state.'),
    status: ref(`${P}.StatefulSetStatus`, 'Observed state.'),
  }, { d: 'Pods with stable names, network identities and storage.' }),
  [`${P}.StatefulSetList`]: listKind(gvk('StatefulSetList'), `${P}.StatefulSet`),
  [`${P}.StatefulSetSpec`]: obj({
    replicas: int('Desired number of pods; defaults to 1.'),
    selector: selector(),
    template: ref(POD_TEMPLATE_SPEC, 'Pods to create; each gets the name <set>-<ordinal>.'),
    volumeClaimTemplates: arr(ref(PVC), { d: 'Claims created per pod and mounted by matching volume name.', listType: 'atomic' }),
    serviceName: str('Headless Service that gives the pods their DNS names.'),
    podManagementPolicy: enumStr(['OrderedReady', 'Parallel'], 'Whether pods start and stop one by one or all at once.'),
    updateStrategy: ref(`${P}.StatefulSetUpdateStrategy`, 'How pods are updated when the template changes.'),
    revisionHistoryLimit: int('How many old revisions to keep; defaults to 10.'),
    minReadySeconds: minReadySeconds(),
    persistentVolumeClaimRetentionPolicy: ref(`${P}.StatefulSetPersistentVolumeClaimRetentionPolicy`, 'What happens to claims on delete and scale-down.'),
    ordinals: ref(`${P}.StatefulSetOrdinals`, 'Numbering of replica ordinals.'),
  }, { d: 'Desired state of a StatefulSet.', required: ['selector', 'template'] }),
  [`${P}.StatefulSetUpdateStrategy`]: obj({
    type: enumStr(['RollingUpdate', 'OnDelete'], 'Update strategy; defaults to RollingUpdate.'),
    rollingUpdate: ref(`${P}.RollingUpdateStatefulSetStrategy`, 'Parameters for RollingUpdate.'),
  }, { d: 'How a StatefulSet updates its pods.' }),
  [`${P}.RollingUpdateStatefulSetStrategy`]: obj({
    partition: int('Only pods with an ordinal at or above this are updated.'),
    maxUnavailable: intOrString('Pods (count or percentage) that may be unavailable during the update.'),
  }, { d: 'Limits for a StatefulSet rolling update.' }),
  [`${P}.StatefulSetPersistentVolumeClaimRetentionPolicy`]: obj({
    whenDeleted: enumStr(['Retain', 'Delete'], 'Fate of the claims when the StatefulSet is deleted.'),
    whenScaled: enumStr(['Retain', 'Delete'], 'Fate of the claims of pods removed by scale-down.'),
  }, { d: 'Lifecycle of claims made from volumeClaimTemplates.' }),
  [`${P}.StatefulSetOrdinals`]: obj({
    start: int('First ordinal; defaults to 0.'),
  }, { d: 'How replica ordinals are assigned.' }),
  [`${P}.StatefulSetStatus`]: obj({
    observedGeneration: observedGeneration(),
    replicas: int('Pods created by the controller.'),
    readyReplicas: int('Pods that are ready.'),
    currentReplicas: int('Pods at currentRevision.'),
    updatedReplicas: int('Pods at updateRevision.'),
    currentRevision: str('Revision of the pods in [0, currentReplicas).'),
    updateRevision: str('Revision of the pods in [replicas-updatedReplicas, replicas).'),
    collisionCount: collisionCount(),
    conditions: conditions(`${P}.StatefulSetCondition`, 'StatefulSet'),
    availableReplicas: int('Pods available for at least minReadySeconds.'),
  }, { d: 'Observed state of a StatefulSet.', required: ['replicas'] }),
  [`${P}.StatefulSetCondition`]: condition('StatefulSet'),

  // DaemonSet
  [`${P}.DaemonSet`]: kind(gvk('DaemonSet'), {
    spec: ref(`${P}.DaemonSetSpec`, 'Desired state.'),
    status: ref(`${P}.DaemonSetStatus`, 'Observed state.'),
  }, { d: 'Runs one copy of a pod on every eligible node.' }),
  [`${P}.DaemonSetList`]: listKind(gvk('DaemonSetList'), `${P}.DaemonSet`),
  [`${P}.DaemonSetSpec`]: obj({
    selector: selector(),
    template: ref(POD_TEMPLATE_SPEC, 'Pod run on each eligible node; restartPolicy must be Always.'),
    updateStrategy: ref(`${P}.DaemonSetUpdateStrategy`, 'How pods are replaced when the template changes.'),
    minReadySeconds: minReadySeconds(),
    revisionHistoryLimit: int('How many old revisions to keep; defaults to 10.'),
  }, { d: 'Desired state of a DaemonSet.', required: ['selector', 'template'] }),
  [`${P}.DaemonSetUpdateStrategy`]: obj({
    type: enumStr(['RollingUpdate', 'OnDelete'], 'Update strategy; defaults to RollingUpdate.'),
    rollingUpdate: ref(`${P}.RollingUpdateDaemonSet`, 'Parameters for RollingUpdate.'),
  }, { d: 'How a DaemonSet updates its pods.' }),
  [`${P}.RollingUpdateDaemonSet`]: obj({
    maxUnavailable: intOrString('Nodes (count or percentage) whose pod may be down during the update; defaults to 1.'),
    maxSurge: intOrString('Nodes (count or percentage) that may run old and new pod at once; defaults to 0.'),
  }, { d: 'Limits for a DaemonSet rolling update.' }),
  [`${P}.DaemonSetStatus`]: obj({
    currentNumberScheduled: int('Nodes running the pod that should run it.'),
    numberMisscheduled: int('Nodes running the pod that should not.'),
    desiredNumberScheduled: int('Nodes that should run the pod.'),
    numberReady: int('Nodes that should run the pod and have it ready.'),
    observedGeneration: observedGeneration(),
    updatedNumberScheduled: int('Nodes running the current template.'),
    numberAvailable: int('Nodes that should run the pod and have it available.'),
    numberUnavailable: int('Nodes that should run the pod and have none available.'),
    collisionCount: collisionCount(),
    conditions: conditions(`${P}.DaemonSetCondition`, 'DaemonSet'),
  }, {
    d: 'Observed state of a DaemonSet.',
    required: ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady'],
  }),
  [`${P}.DaemonSetCondition`]: condition('DaemonSet'),

  // ControllerRevision
  [`${P}.ControllerRevision`]: kind(gvk('ControllerRevision'), {
    data: ref(RAW_EXTENSION, 'Serialized snapshot of the state; immutable once created.'),
    revision: int64('Revision number of the snapshot.'),
  }, { d: 'An immutable snapshot of controller state, used by DaemonSet and StatefulSet history.', required: ['revision'] }),
  [`${P}.ControllerRevisionList`]: listKind(gvk('ControllerRevisionList'), `${P}.ControllerRevision`),
};
