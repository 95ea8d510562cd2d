// validateCreate / validateUpdate: the Validate and ValidateUpdate steps of each kind's registry
// strategy (pkg/registry/*/strategy.go calling pkg/apis/*/validation). Namespace, name and uid
// changes on update are refused by the server before this runs.
import type { FieldError } from '../errors.ts';
import type { KubeObject } from '../meta.ts';
import type { ResourceInfo } from '../scheme.ts';
import { validateValidatingAdmissionPolicy, validateValidatingAdmissionPolicyBinding } from './admission-policy.ts';
import { validateCertificateSigningRequest, validateCertificateSigningRequestUpdate } from './certificates.ts';
import { validateConfigMapData, validateConfigUpdate, validateSecretData } from './config.ts';
import { invalidEach, pushAll } from './field-errors.ts';
import { isDNS1123Label, isDNS1123Subdomain, isValidPathSegmentName, maxLenError } from './names.ts';
import { validateObjectMeta, type NameCheck } from './object-meta.ts';
import * as other from './other-kinds.ts';
import { validateMutatingWebhookConfiguration, validateValidatingWebhookConfiguration } from './admissionregistration-webhooks.ts';
import { validatePodSpec } from './pod-spec.ts';
import * as rbac from './rbac.ts';
import { validateServiceSpec, validateServiceUpdate } from './service.ts';
import { validatePriorityClass, validatePriorityClassUpdate } from './scheduling.ts';
import { fieldsImmutable, selectorImmutable, validateJobUpdate, validatePersistentVolumeClaimUpdate, validatePodUpdate, validateStatefulSetUpdate } from './updates.ts';
import { asObj } from './util.ts';
import * as workloads from './workloads.ts';

export { parseQuantity, tryParseQuantity, QuantityParseError } from './quantity.ts';

const CRONJOB_NAME_MAX = 52;
const cronJobName: NameCheck = (n) => [...isDNS1123Subdomain(n), ...(n.length > CRONJOB_NAME_MAX ? [maxLenError(CRONJOB_NAME_MAX)] : [])];

// Kinds whose names are not DNS-1123 subdomains.
const NAME_CHECKS: Record<string, NameCheck> = {
  '/Namespace': isDNS1123Label,
  '/Service': isDNS1123Label,
  'apps/StatefulSet': isDNS1123Label,
  'batch/CronJob': cronJobName,
  'certificates.k8s.io/CertificateSigningRequest': isValidPathSegmentName,
  'rbac.authorization.k8s.io/Role': rbac.rbacName,
  'rbac.authorization.k8s.io/ClusterRole': rbac.rbacName,
  'rbac.authorization.k8s.io/RoleBinding': rbac.rbacName,
  'rbac.authorization.k8s.io/ClusterRoleBinding': rbac.rbacName,
};

type Check = (obj: KubeObject, info: ResourceInfo) => FieldError[];
const spec = (o: KubeObject): Record<string, unknown> => asObj(o.spec);

const CREATE: Record<string, Check> = {
  '/Pod': (o) => validatePodSpec(o.spec, 'spec'),
  '/Service': (o) => validateServiceSpec(spec(o), 'spec'),
  '/ConfigMap': validateConfigMapData,
  '/Secret': validateSecretData,
  '/Namespace': other.validateNamespace,
  '/Node': other.validateNode,
  '/Event': (o) => other.validateEvent(o, false),
  '/PersistentVolumeClaim': (o) => other.validatePersistentVolumeClaimSpec(spec(o), 'spec'),
  '/PersistentVolume': other.validatePersistentVolume,
  '/Endpoints': other.validateEndpoints,
  '/ReplicationController': (o) => workloads.validateReplicationControllerSpec(spec(o), 'spec'),
  '/ResourceQuota': other.validateResourceQuota,
  '/LimitRange': other.validateLimitRange,
  'apps/Deployment': (o) => workloads.validateDeploymentSpec(spec(o), 'spec'),
  'apps/ReplicaSet': (o) => workloads.validateReplicaSetSpec(spec(o), 'spec'),
  'apps/StatefulSet': (o) => workloads.validateStatefulSetSpec(spec(o), 'spec'),
  'apps/DaemonSet': (o) => workloads.validateDaemonSetSpec(spec(o), 'spec'),
  'apps/ControllerRevision': other.validateControllerRevision,
  'batch/Job': (o) => workloads.validateJobSpec(spec(o), 'spec'),
  'batch/CronJob': (o) => workloads.validateCronJobSpec(spec(o), 'spec'),
  'autoscaling/HorizontalPodAutoscaler': other.validateHorizontalPodAutoscaler,
  'coordination.k8s.io/Lease': other.validateLease,
  'discovery.k8s.io/EndpointSlice': other.validateEndpointSlice,
  'events.k8s.io/Event': (o) => other.validateEvent(o, true),
  'networking.k8s.io/Ingress': other.validateIngress,
  'networking.k8s.io/IngressClass': other.validateIngressClass,
  'networking.k8s.io/NetworkPolicy': other.validateNetworkPolicy,
  'node.k8s.io/RuntimeClass': other.validateRuntimeClass,
  'policy/PodDisruptionBudget': other.validatePodDisruptionBudget,
  'scheduling.k8s.io/PriorityClass': validatePriorityClass,
  'storage.k8s.io/StorageClass': other.validateStorageClass,
  'admissionregistration.k8s.io/MutatingWebhookConfiguration': validateMutatingWebhookConfiguration,
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration': validateValidatingWebhookConfiguration,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy': validateValidatingAdmissionPolicy,
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding': validateValidatingAdmissionPolicyBinding,
  'certificates.k8s.io/CertificateSigningRequest': validateCertificateSigningRequest,
  'rbac.authorization.k8s.io/Role': rbac.validateRole,
  'rbac.authorization.k8s.io/ClusterRole': rbac.validateClusterRole,
  'rbac.authorization.k8s.io/RoleBinding': rbac.validateRoleBinding,
  'rbac.authorization.k8s.io/ClusterRoleBinding': rbac.validateClusterRoleBinding,
};

type UpdateCheck = (obj: KubeObject, old: KubeObject) => FieldError[];

const UPDATE: Record<string, UpdateCheck> = {
  '/Pod': validatePodUpdate,
  '/Service': (o, old) => validateServiceUpdate(spec(o), spec(old), 'spec'),
  '/ConfigMap': (o, old) => validateConfigUpdate(o, old, ['data', 'binaryData'], false),
  '/Secret': (o, old) => validateConfigUpdate(o, old, ['data'], true),
  '/PersistentVolumeClaim': validatePersistentVolumeClaimUpdate,
  'apps/Deployment': selectorImmutable,
  'apps/ReplicaSet': selectorImmutable,
  'apps/DaemonSet': selectorImmutable,
  'apps/StatefulSet': validateStatefulSetUpdate,
  'apps/ControllerRevision': (o, old) => fieldsImmutable(o, old, ['data']),
  'batch/Job': validateJobUpdate,
  'discovery.k8s.io/EndpointSlice': (o, old) => fieldsImmutable(o, old, ['addressType']),
  'node.k8s.io/RuntimeClass': (o, old) => fieldsImmutable(o, old, ['handler']),
  'scheduling.k8s.io/PriorityClass': validatePriorityClassUpdate,
  'storage.k8s.io/StorageClass': (o, old) => fieldsImmutable(o, old, ['parameters', 'provisioner', 'reclaimPolicy', 'volumeBindingMode'], true),
  'certificates.k8s.io/CertificateSigningRequest': validateCertificateSigningRequestUpdate,
  'rbac.authorization.k8s.io/RoleBinding': rbac.validateBindingUpdate,
  'rbac.authorization.k8s.io/ClusterRoleBinding': rbac.validateBindingUpdate,
};

const kindKey = (info: ResourceInfo): string => `${info.group}/${info.kind}`;

export function validateCreate(info: ResourceInfo, obj: KubeObject): FieldError[] {
  const key = kindKey(info);
  const nameCheck = NAME_CHECKS[key] ?? isDNS1123Subdomain;
  const errs = validateObjectMeta(obj.metadata, { namespaced: info.namespaced, nameCheck });
  pushAll(errs, (CREATE[key]?.(obj, info) ?? []));
  return errs;
}

export function validateUpdate(info: ResourceInfo, obj: KubeObject, old: KubeObject): FieldError[] {
  const errs = validateCreate(info, obj);
  pushAll(errs, (UPDATE[kindKey(info)]?.(obj, old) ?? []));
  return errs;
}

/** Upstream name checks, for callers validating names outside an object (e.g. generateName). */
export function nameErrors(info: ResourceInfo, name: string): FieldError[] {
  return invalidEach('metadata.name', name, (NAME_CHECKS[kindKey(info)] ?? isDNS1123Subdomain)(name));
}
