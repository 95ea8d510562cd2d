// ServiceAccount admission (plugin/pkg/admission/serviceaccount/admission.go), its defaulting part:
// a pod created without a service account runs as the namespace's `default` one, so the name is
// in the stored spec for the downward API (`fieldRef: spec.serviceAccountName`), token requests
// and `kubectl get pod -o yaml`. The deprecated `serviceAccount` field is read when the new one is
// empty and written equal to it, as the v1 conversion of pkg/apis/core/v1/conversion.go does.
// Not mirrored: the refusal of a pod whose service account does not exist yet (pods are created
// here before the service account controller has made `default`) and the token volume injection.
import type { Pod } from '../../api/types/core-v1.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export function serviceAccountAdmission(): AdmissionPlugin {
  return {
    name: 'ServiceAccount',
    mutate(a: AdmissionAttributes): void {
      // Upstream mutates pod creations only; the name is immutable afterwards.
      if (a.operation !== 'CREATE' || a.subresource !== '' || a.info.group !== '' || a.info.resource !== 'pods') return;
      const pod = a.object as Pod | undefined;
      if (!pod?.spec) return;
      // A node's mirror pod stands for a static pod and gets no service account.
      if (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
      const name = pod.spec.serviceAccountName || pod.spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
      pod.spec.serviceAccountName = name;
      pod.spec.serviceAccount = name;
    },
  };
}
