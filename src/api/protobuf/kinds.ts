// Which top-level message a protobuf body holds, by the apiVersion and kind in its envelope.
import { linkTables, type MessageDef, type PackageTable } from './table.ts';
import { appsV1 } from './tables/apps-v1.ts';
import { authenticationV1 } from './tables/authentication-v1.ts';
import { authorizationV1 } from './tables/authorization-v1.ts';
import { autoscalingV1 } from './tables/autoscaling-v1.ts';
import { autoscalingV2 } from './tables/autoscaling-v2.ts';
import { batchV1 } from './tables/batch-v1.ts';
import { certificatesV1 } from './tables/certificates-v1.ts';
import { coordinationV1 } from './tables/coordination-v1.ts';
import { coreV1 } from './tables/core-v1.ts';
import { discoveryV1 } from './tables/discovery-v1.ts';
import { eventsV1 } from './tables/events-v1.ts';
import { metaV1 } from './tables/meta-v1.ts';
import { networkingV1 } from './tables/networking-v1.ts';
import { nodeV1 } from './tables/node-v1.ts';
import { policyV1 } from './tables/policy-v1.ts';
import { rbacV1 } from './tables/rbac-v1.ts';
import { storageV1 } from './tables/storage-v1.ts';
import { schedulingV1 } from './tables/scheduling-v1.ts';

export const TABLES: readonly PackageTable[] = [
  metaV1, coreV1, appsV1, batchV1, autoscalingV1, autoscalingV2, policyV1, networkingV1, coordinationV1,
  discoveryV1, eventsV1, storageV1, nodeV1, authenticationV1,
  schedulingV1,
  authorizationV1, certificatesV1,
  rbacV1,
];

/** apiVersion → table alias → kinds a client may send in protobuf. */
const TOP_LEVEL: ReadonlyArray<[apiVersion: string, alias: string, kinds: string[]]> = [
  ['v1', 'core', ['Namespace', 'ConfigMap', 'Secret', 'Service', 'ServiceAccount', 'Pod', 'PodTemplate', 'Endpoints', 'Node',
    'Event', 'PersistentVolume', 'PersistentVolumeClaim', 'ResourceQuota', 'LimitRange', 'ReplicationController', 'Binding']],
  ['apps/v1', 'apps', ['Deployment', 'ReplicaSet', 'StatefulSet', 'DaemonSet', 'ControllerRevision']],
  ['batch/v1', 'batch', ['Job', 'CronJob']],
  ['autoscaling/v1', 'autoscalingv1', ['HorizontalPodAutoscaler', 'Scale']],
  ['autoscaling/v2', 'autoscalingv2', ['HorizontalPodAutoscaler']],
  ['policy/v1', 'policy', ['PodDisruptionBudget', 'Eviction']],
  ['networking.k8s.io/v1', 'networking', ['Ingress', 'IngressClass', 'NetworkPolicy']],
  ['coordination.k8s.io/v1', 'coordination', ['Lease']],
  ['discovery.k8s.io/v1', 'discovery', ['EndpointSlice']],
  ['events.k8s.io/v1', 'events', ['Event']],
  ['storage.k8s.io/v1', 'storage', ['StorageClass']],
  ['node.k8s.io/v1', 'node', ['RuntimeClass']],
  ['scheduling.k8s.io/v1', 'scheduling', ['PriorityClass']],
  ['authentication.k8s.io/v1', 'authentication', ['TokenRequest']],
  ['authentication.k8s.io/v1', 'authentication', ['TokenRequest', 'SelfSubjectReview']],
  ['authentication.k8s.io/v1beta1', 'authentication', ['SelfSubjectReview']],
  ['authorization.k8s.io/v1', 'authorization', ['SubjectAccessReview', 'LocalSubjectAccessReview', 'SelfSubjectAccessReview', 'SelfSubjectRulesReview']],
  ['certificates.k8s.io/v1', 'certificates', ['CertificateSigningRequest']],
  ['rbac.authorization.k8s.io/v1', 'rbac', ['Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']],
];

let linked: { messages: Map<string, MessageDef>; kinds: Map<string, MessageDef> } | undefined;

function registry(): NonNullable<typeof linked> {
  if (linked) return linked;
  const messages = linkTables(TABLES);
  const kinds = new Map<string, MessageDef>();
  for (const [apiVersion, alias, names] of TOP_LEVEL) {
    for (const kind of names) kinds.set(`${apiVersion}|${kind}`, messages.get(`${alias}.${kind}`)!);
  }
  linked = { messages, kinds };
  return linked;
}

/**
 * The message for a top-level kind. DeleteOptions travel under meta.k8s.io/v1 or under the
 * group version of the resource being deleted, so any apiVersion is accepted for it.
 */
export function messageForKind(apiVersion: string, kind: string): MessageDef | undefined {
  const r = registry();
  if (kind === 'DeleteOptions') return r.messages.get('meta.DeleteOptions');
  return r.kinds.get(`${apiVersion}|${kind}`);
}

/** Every linked message, keyed `alias.Name` (for tests). */
export function allMessages(): ReadonlyMap<string, MessageDef> {
  return registry().messages;
}
