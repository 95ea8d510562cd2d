// applyDefaults: fill the fields Kubernetes defaults on every write (the generated
// zz_generated.defaults.go of each group-version calling the SetDefaults_* functions).
import type { KubeObject } from '../meta.ts';
import type { ResourceInfo } from '../scheme.ts';
import { defaultMutatingWebhookConfiguration, defaultValidatingWebhookConfiguration } from './admissionregistration-webhooks.ts';
import { defaultValidatingAdmissionPolicy, defaultValidatingAdmissionPolicyBinding } from './admission-policy.ts';
import { generateJobSelector } from './job-selector.ts';
import type { Obj } from './obj.ts';
import { defaultHorizontalPodAutoscaler, defaultLimitRange, defaultNamespace, defaultNode, defaultPersistentVolume, defaultPersistentVolumeClaim, defaultSecret, defaultStorageClass } from './other.ts';
import { defaultPod } from './pod.ts';
import { defaultPriorityClass } from './scheduling.ts';
import { defaultEndpointSlice, defaultEndpoints, defaultNetworkPolicy, defaultService } from './service.ts';
import { defaultCronJob, defaultDaemonSet, defaultDeployment, defaultJob, defaultReplicaSet, defaultReplicationController, defaultStatefulSet } from './workloads.ts';

export { generateJobSelector } from './job-selector.ts';
export { imageTag } from './pod.ts';

type Defaulter = (o: Obj, info: ResourceInfo) => void;

const BY_KIND: Record<string, Defaulter> = {
  '/Pod': defaultPod,
  '/Service': defaultService,
  '/Endpoints': defaultEndpoints,
  '/ReplicationController': defaultReplicationController,
  '/Namespace': defaultNamespace,
  '/Secret': defaultSecret,
  '/PersistentVolumeClaim': defaultPersistentVolumeClaim,
  '/PersistentVolume': defaultPersistentVolume,
  '/Node': defaultNode,
  '/LimitRange': defaultLimitRange,
  'apps/Deployment': defaultDeployment,
  'apps/ReplicaSet': defaultReplicaSet,
  'apps/StatefulSet': defaultStatefulSet,
  'apps/DaemonSet': defaultDaemonSet,
  'batch/Job': (o) => {
    defaultJob(o);
    // Upstream generates this in the job strategy; the uid is already assigned when defaults run.
    generateJobSelector(o);
  },
  'batch/CronJob': defaultCronJob,
  'autoscaling/HorizontalPodAutoscaler': (o, info) => defaultHorizontalPodAutoscaler(o, info.version),
  'discovery.k8s.io/EndpointSlice': defaultEndpointSlice,
  'networking.k8s.io/NetworkPolicy': defaultNetworkPolicy,
  'storage.k8s.io/StorageClass': defaultStorageClass,
  'scheduling.k8s.io/PriorityClass': defaultPriorityClass,
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': defaultMutatingWebhookConfiguration,
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': defaultValidatingWebhookConfiguration,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': defaultValidatingAdmissionPolicy,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': defaultValidatingAdmissionPolicyBinding,
};

/** Fill in defaults in place. Kinds without defaults are left untouched. */
export function applyDefaults(info: ResourceInfo, obj: KubeObject): void {
  BY_KIND[`${info.group}/${info.kind}`]?.(obj, info);
}
