// Which printer serves which group/resource; anything missing gets the default convertor (as
// limitranges and bindings do upstream).
import type { ResourceInfo } from '../../api/scheme.ts';
import { validatingAdmissionPolicyBindingPrinter, validatingAdmissionPolicyPrinter } from './print-admission-policy.ts';
import { controllerRevisionPrinter, daemonSetPrinter, deploymentPrinter, replicaSetPrinter, replicationControllerPrinter, statefulSetPrinter } from './print-apps.ts';
import { cronJobPrinter, jobPrinter } from './print-batch.ts';
import { componentStatusPrinter, leasePrinter, namespacePrinter, podDisruptionBudgetPrinter, resourceQuotaPrinter, runtimeClassPrinter } from './print-cluster.ts';
import { certificateSigningRequestPrinter } from './print-certificates.ts';
import { configMapPrinter, secretPrinter, serviceAccountPrinter } from './print-config.ts';
import { defaultPrinter } from './print-default.ts';
import { eventPrinter, eventsV1Printer } from './print-event.ts';
import { hpaPrinter } from './print-hpa.ts';
import { endpointSlicePrinter, endpointsPrinter, ingressClassPrinter, ingressPrinter, networkPolicyPrinter } from './print-networking.ts';
import { nodePrinter } from './print-node.ts';
import { podPrinter } from './print-pod.ts';
import { priorityClassPrinter } from './print-scheduling.ts';
import { bindingPrinter } from './print-rbac.ts';
import { servicePrinter } from './print-service.ts';
import { persistentVolumeClaimPrinter, persistentVolumePrinter, storageClassPrinter } from './print-storage.ts';
import type { Printer } from './types.ts';
import { webhookConfigurationPrinter } from './print-webhooks.ts';
import { customPrinter } from '../apiextensions/printer.ts';

const PRINTERS = new Map<string, Printer>([
  ['/componentstatuses', componentStatusPrinter],
  ['/configmaps', configMapPrinter],
  ['/endpoints', endpointsPrinter],
  ['/events', eventPrinter],
  ['/namespaces', namespacePrinter],
  ['/nodes', nodePrinter],
  ['/persistentvolumeclaims', persistentVolumeClaimPrinter],
  ['/persistentvolumes', persistentVolumePrinter],
  ['/pods', podPrinter],
  ['/replicationcontrollers', replicationControllerPrinter],
  ['/resourcequotas', resourceQuotaPrinter],
  ['/secrets', secretPrinter],
  ['/serviceaccounts', serviceAccountPrinter],
  ['/services', servicePrinter],
  ['apps/controllerrevisions', controllerRevisionPrinter],
  ['apps/daemonsets', daemonSetPrinter],
  ['apps/deployments', deploymentPrinter],
  ['apps/replicasets', replicaSetPrinter],
  ['apps/statefulsets', statefulSetPrinter],
  ['batch/cronjobs', cronJobPrinter],
  ['batch/jobs', jobPrinter],
  ['autoscaling/horizontalpodautoscalers', hpaPrinter],
  ['coordination.k8s.io/leases', leasePrinter],
  ['discovery.k8s.io/endpointslices', endpointSlicePrinter],
  ['events.k8s.io/events', eventsV1Printer],
  ['networking.k8s.io/ingressclasses', ingressClassPrinter],
  ['networking.k8s.io/ingresses', ingressPrinter],
  ['networking.k8s.io/networkpolicies', networkPolicyPrinter],
  ['node.k8s.io/runtimeclasses', runtimeClassPrinter],
  ['policy/poddisruptionbudgets', podDisruptionBudgetPrinter],
  ['scheduling.k8s.io/priorityclasses', priorityClassPrinter],
  ['storage.k8s.io/storageclasses', storageClassPrinter],
  ['admissionregistration.k8s.io/mutatingwebhookconfigurations', webhookConfigurationPrinter],
  ['admissionregistration.k8s.io/validatingwebhookconfigurations', webhookConfigurationPrinter],
  ['admissionregistration.k8s.io/validatingadmissionpolicies', validatingAdmissionPolicyPrinter],
  ['admissionregistration.k8s.io/validatingadmissionpolicybindings', validatingAdmissionPolicyBindingPrinter],
  ['certificates.k8s.io/certificatesigningrequests', certificateSigningRequestPrinter],
  ['rbac.authorization.k8s.io/rolebindings', bindingPrinter],
  ['rbac.authorization.k8s.io/clusterrolebindings', bindingPrinter],
]);

export function printerFor(info: Pick<ResourceInfo, 'group' | 'resource'> & { custom?: ResourceInfo['custom'] }): Printer {
  if (info.custom) return customPrinter(info.custom.printerColumns);
  return PRINTERS.get(`${info.group}/${info.resource}`) ?? defaultPrinter;
}
