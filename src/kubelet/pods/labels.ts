// Labels the node agent puts on engine sandboxes and containers: what it needs to find a pod's
// containers again after a restart (adoption, D4) without any state of its own. The names are
// the ones containerd's and CRI-O's CRI plugins use.
export const POD_UID_LABEL = 'io.kubernetes.pod.uid';
export const POD_NAME_LABEL = 'io.kubernetes.pod.name';
export const POD_NAMESPACE_LABEL = 'io.kubernetes.pod.namespace';
export const CONTAINER_NAME_LABEL = 'io.kubernetes.container.name';
/** 0 for the first run of a container, then one more per restart: the restartCount. */
export const ATTEMPT_LABEL = 'io.kubernetes.container.attempt';
/** `init` or `app`. */
export const CONTAINER_KIND_LABEL = 'skiff.kubelet.container-kind';
/** The image as the pod spec names it, and the manifest digest it resolved to. */
export const SPEC_IMAGE_LABEL = 'skiff.kubelet.image';
export const IMAGE_ID_LABEL = 'skiff.kubelet.image-id';
/** Host file bind-mounted at the container's terminationMessagePath. */
export const TERMINATION_LOG_LABEL = 'skiff.kubelet.termination-log';
export const TERMINATION_POLICY_LABEL = 'skiff.kubelet.termination-policy';
export const TTY_LABEL = 'skiff.kubelet.tty';
export const STDIN_LABEL = 'skiff.kubelet.stdin';
