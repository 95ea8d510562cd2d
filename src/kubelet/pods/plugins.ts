// Seams between the pod workers and the modules that plug into them: volumes (src/kubelet/volumes)
// and probes (src/kubelet/probes). The pod workers run without them (no volumes beyond the
// kubelet's own files, readiness = running); the Kubelet wires the real ones in.
import type { Container, Pod } from '../../api/types/core-v1.ts';
import type { VolumeMount } from '../../runtime/oci-spec.ts';

export interface PodVolumePlugin {
  /** Makes the pod's volumes ready (idempotent). Throws with a message for a FailedMount event. */
  setUp(pod: Pod): Promise<void>;
  /** Bind mounts of one container, after setUp. */
  mountsFor(pod: Pod, container: Container): Promise<VolumeMount[]>;
  /** Removes what setUp made for the pod (by uid: the pod object may be gone). */
  tearDown(uid: string): Promise<void>;
}

export interface ProbeVerdict {
  /** undefined: no readiness probe (ready while running). */
  ready?: boolean;
  /** undefined: no startup probe. */
  started?: boolean;
  /** The liveness probe failed past its threshold: restart the container. */
  livenessFailed?: boolean;
  /** Message for the Killing event when livenessFailed. */
  message?: string;
}

export interface PodProbePlugin {
  /** The running containers of a pod, after each sync: start, keep or stop their probers. */
  update(pod: Pod, running: Array<{ container: Container; containerId: string; isInit: boolean }>, podIP: string | undefined): void;
  verdict(uid: string, containerName: string, containerId: string): ProbeVerdict;
  /** The pod is gone: stop its probers. */
  forget(uid: string): void;
}
