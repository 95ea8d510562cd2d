// Schemas of the core ("" group, v1) API. Field names, required fields, merge keys, list types and
// struct/map types follow upstream k8s.io/api/core/v1/types.go; the descriptions are skiff's own.
import type { Definitions, GVK, Schema } from './dsl.ts';
import {
  any, arr, bool, bytes, enumStr, int, int64, intOrString, kind, LABEL_SELECTOR, listKind, mapOf, MICRO_TIME,
  OBJECT_META, obj, quantity, ref, str, strMap, time, CONDITION,
} from './dsl.ts';

const P = 'io.k8s.api.core.v1.';

/** A reference to another core/v1 definition by its short name. */
const r = (name: string, d?: string): Schema => ref(P + name, d);
const gvk = (k: string): GVK[] => [{ group: '', version: 'v1', kind: k }];

const atomic = (items: Schema, d?: string): Schema => arr(items, { listType: 'atomic', ...(d ? { d } : {}) });
const strList = (d?: string): Schema => atomic(str(), d);
const setOf = (items: Schema, d?: string): Schema => arr(items, { listType: 'set', ...(d ? { d } : {}) });
/** A list merged by strategic merge patch and server-side apply on `key`. */
const keyed = (items: Schema, key: string, d?: string, strategy?: string): Schema =>
  arr(items, { mergeKey: key, ...(strategy ? { strategy } : {}), ...(d ? { d } : {}) });
const resources = (d?: string): Schema => mapOf(quantity(), d);
const atomicMap = (d?: string): Schema => ({ ...strMap(d), 'x-kubernetes-map-type': 'atomic' });
const withDefault = (s: Schema, value: unknown): Schema => ({ ...s, default: value });
/** Struct types that upstream marks `+structType=atomic`: replaced whole by apply. */
const atomicObj = (properties: Record<string, Schema>, d: string, required?: string[]): Schema =>
  obj(properties, { d, ...(required ? { required } : {}), extra: { 'x-kubernetes-map-type': 'atomic' } });
const def = (properties: Record<string, Schema>, d: string, required?: string[]): Schema =>
  obj(properties, { d, ...(required ? { required } : {}) });

const protocol = (d = 'Network protocol: TCP, UDP or SCTP.'): Schema =>
  withDefault(enumStr(['SCTP', 'TCP', 'UDP'], d), 'TCP');
const conditionStatus = (): Schema => enumStr(['True', 'False', 'Unknown'], 'Whether the condition holds: True, False or Unknown.');
const readOnly = (): Schema => bool('Mount the volume read-only.');
const fsType = (): Schema => str('Filesystem type to mount, such as ext4 or xfs.');
const localSecretRef = (): Schema => r('LocalObjectReference', 'Secret in the same namespace holding credentials.');
const secretRef = (): Schema => r('SecretReference', 'Secret holding credentials.');
const fileMode = (d = 'Permission bits for created files, as an octal-compatible integer.'): Schema => int(d);

const TIMESTAMPS: Record<string, string> = {
  lastProbeTime: 'When the condition was last checked.',
  lastHeartbeatTime: 'When the node last reported this condition.',
  lastTransitionTime: 'When the status last changed.',
};

/** A condition entry with the usual type/status/timestamps/reason/message shape. */
function condition(d: string, timestamps: string[]): Schema {
  const props: Record<string, Schema> = {
    type: str('Kind of condition.'),
    status: conditionStatus(),
  };
  for (const t of timestamps) props[t] = time(TIMESTAMPS[t]);
  props['reason'] = str('Machine-readable reason for the last transition.');
  props['message'] = str('Human-readable details about the last transition.');
  return def(props, d, ['type', 'status']);
}

// ---- references and selectors ----

const references: Definitions = {
  [P + 'ObjectReference']: atomicObj({
    apiVersion: str('API version of the referent.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    namespace: str('Namespace of the referent.'),
    uid: str('UID of the referent.'),
    resourceVersion: str('Resource version of the referent this reference was made against.'),
    fieldPath: str('Path to a part of the referent, such as a single container (spec.containers{name}).'),
  }, 'A reference to any API object, possibly to a field inside it.'),
  [P + 'LocalObjectReference']: atomicObj({
    name: withDefault(str('Name of the referent.'), ''),
  }, 'A reference to an object in the same namespace, by name.'),
  [P + 'TypedLocalObjectReference']: atomicObj({
    apiGroup: str('API group of the referent; empty for the core group.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
  }, 'A typed reference to an object in the same namespace.', ['kind', 'name']),
  [P + 'TypedObjectReference']: def({
    apiGroup: str('API group of the referent; empty for the core group.'),
    kind: str('Kind of the referent.'),
    name: str('Name of the referent.'),
    namespace: str('Namespace of the referent, when it differs from the referrer.'),
  }, 'A typed reference to an object, possibly in another namespace.', ['kind', 'name']),
  [P + 'SecretReference']: atomicObj({
    name: str('Name of the secret.'),
    namespace: str('Namespace of the secret.'),
  }, 'A reference to a secret in any namespace.'),
  [P + 'ObjectFieldSelector']: atomicObj({
    apiVersion: str('Version of the schema fieldPath is written in; defaults to v1.'),
    fieldPath: str('Path of the field to select.'),
  }, 'Selects a field of the pod.', ['fieldPath']),
  [P + 'ResourceFieldSelector']: atomicObj({
    containerName: str('Container whose resource is selected; required for volumes.'),
    resource: str('Resource to select, such as limits.cpu or requests.memory.'),
    divisor: quantity('Unit the value is divided by before it is exposed; defaults to 1.'),
  }, 'Selects a container resource limit or request.', ['resource']),
  [P + 'ConfigMapKeySelector']: atomicObj({
    name: withDefault(str('Name of the config map.'), ''),
    key: str('Key to select.'),
    optional: bool('Tolerate a missing config map or key.'),
  }, 'Selects a key of a config map.', ['key']),
  [P + 'SecretKeySelector']: atomicObj({
    name: withDefault(str('Name of the secret.'), ''),
    key: str('Key to select.'),
    optional: bool('Tolerate a missing secret or key.'),
  }, 'Selects a key of a secret.', ['key']),
  [P + 'FileKeySelector']: atomicObj({
    volumeName: str('Name of the volume holding the file.'),
    path: str('Path of the env file inside the volume.'),
    key: str('Key to read from the file.'),
    optional: withDefault(bool('Tolerate a missing file or key.'), false),
  }, 'Selects a key from an env file in a volume.', ['volumeName', 'path', 'key']),
};

// ---- containers ----

const handlerProps = {
  exec: r('ExecAction', 'Run a command inside the container.'),
  httpGet: r('HTTPGetAction', 'Send an HTTP GET request.'),
  tcpSocket: r('TCPSocketAction', 'Open a TCP connection.'),
};

const containerProps: Record<string, Schema> = {
  name: str('Container name, a DNS label unique within the pod.'),
  image: str('Container image reference.'),
  command: strList('Entrypoint; replaces the image ENTRYPOINT and is not run in a shell.'),
  args: strList('Arguments to the entrypoint; replaces the image CMD.'),
  workingDir: str("Working directory; defaults to the image's."),
  ports: arr(r('ContainerPort'), {
    d: 'Ports the container exposes (informational).', mergeKey: 'containerPort', mapKeys: ['containerPort', 'protocol'],
  }),
  envFrom: atomic(r('EnvFromSource'), 'Sources whose keys all become environment variables.'),
  env: keyed(r('EnvVar'), 'name', 'Environment variables to set in the container.'),
  resources: r('ResourceRequirements', 'Compute resources requested and limited for the container.'),
  resizePolicy: atomic(r('ContainerResizePolicy'), 'How each resource may be resized in place.'),
  restartPolicy: enumStr(['Always', 'OnFailure', 'Never'], 'Restart behaviour of this container, overriding the pod policy; Always makes an init container a sidecar.'),
  restartPolicyRules: atomic(r('ContainerRestartRule'), 'Rules deciding whether the container restarts after it exits.'),
  volumeMounts: keyed(r('VolumeMount'), 'mountPath', 'Pod volumes to mount into the container filesystem.'),
  volumeDevices: keyed(r('VolumeDevice'), 'devicePath', 'Block devices the container uses.'),
  livenessProbe: r('Probe', 'Probe whose failure restarts the container.'),
  readinessProbe: r('Probe', 'Probe whose failure removes the pod from service endpoints.'),
  startupProbe: r('Probe', 'Probe that must succeed before the other probes start.'),
  lifecycle: r('Lifecycle', 'Actions taken on container start and stop.'),
  terminationMessagePath: str('File whose contents become the termination message; defaults to /dev/termination-log.'),
  terminationMessagePolicy: enumStr(['File', 'FallbackToLogsOnError'], 'Where the termination message comes from.'),
  imagePullPolicy: enumStr(['Always', 'Never', 'IfNotPresent'], 'When to pull the image.'),
  securityContext: r('SecurityContext', 'Security options for the container.'),
  stdin: bool('Keep a stdin buffer open for the container.'),
  stdinOnce: bool('Close stdin after the first attached client disconnects.'),
  tty: bool('Allocate a TTY; needs stdin.'),
};

const containers: Definitions = {
  [P + 'Container']: def(containerProps, 'A single application container in a pod.', ['name']),
  [P + 'EphemeralContainer']: def({
    ...containerProps,
    targetContainerName: str('Container whose namespaces this debugging container joins.'),
  }, 'A temporary container added to a running pod, for debugging.', ['name']),
  [P + 'ContainerPort']: def({
    name: str('Port name, an IANA_SVC_NAME unique in the pod.'),
    hostPort: int('Port exposed on the host.'),
    containerPort: int('Port number on the pod IP.'),
    protocol: protocol(),
    hostIP: str('Host IP the host port binds to.'),
  }, 'A network port of a container.', ['containerPort']),
  [P + 'EnvVar']: def({
    name: str('Variable name.'),
    value: str('Literal value; $(VAR) references are expanded.'),
    valueFrom: r('EnvVarSource', 'Source of the value, when it is not literal.'),
  }, 'An environment variable of a container.', ['name']),
  [P + 'EnvVarSource']: def({
    fieldRef: r('ObjectFieldSelector', 'A field of the pod.'),
    resourceFieldRef: r('ResourceFieldSelector', 'A resource limit or request of a container.'),
    configMapKeyRef: r('ConfigMapKeySelector', 'A key of a config map.'),
    secretKeyRef: r('SecretKeySelector', 'A key of a secret.'),
    fileKeyRef: r('FileKeySelector', 'A key of an env file in a volume.'),
  }, 'Where an environment variable value comes from.'),
  [P + 'EnvFromSource']: def({
    prefix: str('Prefix added to every variable name.'),
    configMapRef: r('ConfigMapEnvSource', 'Config map to read.'),
    secretRef: r('SecretEnvSource', 'Secret to read.'),
  }, 'A source whose keys become environment variables.'),
  [P + 'ConfigMapEnvSource']: def({
    name: withDefault(str('Name of the config map.'), ''),
    optional: bool('Tolerate a missing config map.'),
  }, 'A config map whose keys become environment variables.'),
  [P + 'SecretEnvSource']: def({
    name: withDefault(str('Name of the secret.'), ''),
    optional: bool('Tolerate a missing secret.'),
  }, 'A secret whose keys become environment variables.'),
  [P + 'ResourceRequirements']: def({
    limits: resources('Most of each resource the container may use.'),
    requests: resources('Least of each resource the container needs; defaults to the limits.'),
    claims: arr(r('ResourceClaim'), { d: 'Dynamic resource claims of the pod this container uses.', listType: 'map', mapKeys: ['name'] }),
  }, 'Compute resource requests and limits.'),
  [P + 'VolumeResourceRequirements']: def({
    limits: resources('Most storage the volume may have.'),
    requests: resources('Least storage the volume needs.'),
  }, 'Storage requests and limits of a claim.'),
  [P + 'ResourceClaim']: def({
    name: str('Name of an entry in pod.spec.resourceClaims.'),
    request: str('Single request within the claim to use; empty means all.'),
  }, 'A dynamic resource claim used by a container.', ['name']),
  [P + 'ContainerResizePolicy']: def({
    resourceName: str('Resource this policy applies to, such as cpu or memory.'),
    restartPolicy: enumStr(['NotRequired', 'RestartContainer'], 'Whether resizing the resource restarts the container.'),
  }, 'Resize behaviour of one container resource.', ['resourceName', 'restartPolicy']),
  [P + 'ContainerRestartRule']: def({
    action: enumStr(['Restart', 'RestartAllContainers'], 'What to do when the rule matches.'),
    exitCodes: r('ContainerRestartRuleOnExitCodes', 'Exit codes the rule matches.'),
  }, 'A rule matched against a container exit.', ['action']),
  [P + 'ContainerRestartRuleOnExitCodes']: def({
    operator: enumStr(['In', 'NotIn'], 'How the exit code is compared with values.'),
    values: setOf(int(), 'Exit codes to compare against.'),
  }, 'Matches container exit codes.', ['operator']),
  [P + 'VolumeMount']: def({
    name: str('Name of the pod volume.'),
    readOnly: bool('Mount read-only.'),
    recursiveReadOnly: enumStr(['Disabled', 'IfPossible', 'Enabled'], 'Whether read-only applies to submounts too.'),
    mountPath: str('Path inside the container; must not contain a colon.'),
    subPath: str('Path inside the volume to mount instead of its root.'),
    mountPropagation: enumStr(['None', 'HostToContainer', 'Bidirectional'], 'How mounts propagate between host and container.'),
    subPathExpr: str('Like subPath, with $(VAR) environment references expanded.'),
  }, 'A volume mounted into a container.', ['name', 'mountPath']),
  [P + 'VolumeDevice']: def({
    name: str('Name of a persistent volume claim in the pod.'),
    devicePath: str('Device path inside the container.'),
  }, 'A raw block device mapped into a container.', ['name', 'devicePath']),
  [P + 'Probe']: def({
    ...handlerProps,
    grpc: r('GRPCAction', 'Call the gRPC health checking service.'),
    initialDelaySeconds: int('Seconds after start before the first probe.'),
    timeoutSeconds: int('Seconds before a probe attempt times out; defaults to 1.'),
    periodSeconds: int('Seconds between probes; defaults to 10.'),
    successThreshold: int('Consecutive successes needed after a failure; defaults to 1.'),
    failureThreshold: int('Consecutive failures that count as failed; defaults to 3.'),
    terminationGracePeriodSeconds: int64('Grace period used when a failed probe kills the container.'),
  }, 'A periodic health check of a container.'),
  [P + 'ExecAction']: def({
    command: strList('Command line to run; not run in a shell, exit status 0 is success.'),
  }, 'Runs a command inside the container.'),
  [P + 'HTTPGetAction']: def({
    path: str('Request path.'),
    port: intOrString('Port number or name to connect to.'),
    host: str('Host to connect to; defaults to the pod IP.'),
    scheme: enumStr(['HTTP', 'HTTPS'], 'Scheme to use; defaults to HTTP.'),
    httpHeaders: atomic(r('HTTPHeader'), 'Extra request headers.'),
  }, 'Sends an HTTP GET request.', ['port']),
  [P + 'HTTPHeader']: def({
    name: str('Header name.'),
    value: str('Header value.'),
  }, 'A custom HTTP header.', ['name', 'value']),
  [P + 'TCPSocketAction']: def({
    port: intOrString('Port number or name to connect to.'),
    host: str('Host to connect to; defaults to the pod IP.'),
  }, 'Opens a TCP connection.', ['port']),
  [P + 'GRPCAction']: def({
    port: int('Port of the gRPC service.'),
    service: withDefault(str('Service name sent in the health check request.'), ''),
  }, 'Calls the standard gRPC health check.', ['port']),
  [P + 'SleepAction']: def({
    seconds: int64('Seconds to sleep.'),
  }, 'Pauses for a while.', ['seconds']),
  [P + 'Lifecycle']: def({
    postStart: r('LifecycleHandler', 'Action run right after the container is created.'),
    preStop: r('LifecycleHandler', 'Action run before the container is stopped.'),
    stopSignal: str('Signal sent to stop the container, such as SIGTERM.'),
  }, 'Actions run on container lifecycle events.'),
  [P + 'LifecycleHandler']: def({
    ...handlerProps,
    sleep: r('SleepAction', 'Sleep for a while.'),
  }, 'One action run on a lifecycle event.'),
  [P + 'SecurityContext']: def({
    capabilities: r('Capabilities', 'Capabilities to add and drop.'),
    privileged: bool('Run as privileged, like root on the host.'),
    seLinuxOptions: r('SELinuxOptions', 'SELinux context of the container.'),
    windowsOptions: r('WindowsSecurityContextOptions', 'Windows-specific settings.'),
    runAsUser: int64('UID the process runs as.'),
    runAsGroup: int64('GID the process runs as.'),
    runAsNonRoot: bool('Refuse to start when the process would run as UID 0.'),
    readOnlyRootFilesystem: bool('Mount the root filesystem read-only.'),
    allowPrivilegeEscalation: bool('Whether a process may gain more privileges than its parent (no_new_privs).'),
    procMount: enumStr(['Default', 'Unmasked'], 'Kind of /proc mount.'),
    seccompProfile: r('SeccompProfile', 'Seccomp profile of the container.'),
    appArmorProfile: r('AppArmorProfile', 'AppArmor profile of the container.'),
  }, 'Security settings of one container.'),
  [P + 'Capabilities']: def({
    add: strList('Capabilities to add.'),
    drop: strList('Capabilities to drop.'),
  }, 'Linux capabilities added to and dropped from the default set.'),
  [P + 'SeccompProfile']: def({
    type: enumStr(['Localhost', 'RuntimeDefault', 'Unconfined'], 'Kind of profile.'),
    localhostProfile: str('Profile file on the node, for type Localhost.'),
  }, 'A seccomp profile.', ['type']),
  [P + 'AppArmorProfile']: def({
    type: enumStr(['Localhost', 'RuntimeDefault', 'Unconfined'], 'Kind of profile.'),
    localhostProfile: str('Profile loaded on the node, for type Localhost.'),
  }, 'An AppArmor profile.', ['type']),
  [P + 'SELinuxOptions']: def({
    user: str('SELinux user.'),
    role: str('SELinux role.'),
    type: str('SELinux type.'),
    level: str('SELinux level.'),
  }, 'SELinux labels applied to a container.'),
  [P + 'WindowsSecurityContextOptions']: def({
    gmsaCredentialSpecName: str('Name of the GMSA credential spec to use.'),
    gmsaCredentialSpec: str('Inlined GMSA credential spec.'),
    runAsUserName: str('Windows user the entrypoint runs as.'),
    hostProcess: bool('Run as a Windows host process container.'),
  }, 'Windows-specific security settings.'),
};

// ---- pod ----

const podSpecProps: Record<string, Schema> = {
  volumes: keyed(r('Volume'), 'name', 'Volumes that containers of the pod can mount.', 'merge,retainKeys'),
  initContainers: keyed(r('Container'), 'name', 'Containers run in order, to completion, before the app containers.'),
  containers: keyed(r('Container'), 'name', 'The application containers; at least one.'),
  ephemeralContainers: keyed(r('EphemeralContainer'), 'name', 'Debugging containers added to the running pod.'),
  restartPolicy: enumStr(['Always', 'OnFailure', 'Never'], 'Restart policy of the containers; defaults to Always.'),
  terminationGracePeriodSeconds: int64('Seconds the pod is given to stop gracefully; defaults to 30.'),
  activeDeadlineSeconds: int64('Seconds the pod may run, counted from its start, before it is failed.'),
  dnsPolicy: enumStr(['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'], 'How DNS is configured for the pod; defaults to ClusterFirst.'),
  nodeSelector: atomicMap('Labels a node must have for the pod to run there.'),
  serviceAccountName: str('Service account the pod runs as.'),
  serviceAccount: str('Deprecated alias of serviceAccountName.'),
  automountServiceAccountToken: bool('Whether a service account token is mounted automatically.'),
  nodeName: str('Node the pod is bound to; set by the scheduler.'),
  hostNetwork: bool("Use the host's network namespace."),
  hostPID: bool("Use the host's PID namespace."),
  hostIPC: bool("Use the host's IPC namespace."),
  shareProcessNamespace: bool('Share one PID namespace between all containers of the pod.'),
  securityContext: r('PodSecurityContext', 'Pod-wide security settings.'),
  imagePullSecrets: keyed(r('LocalObjectReference'), 'name', 'Secrets used to pull the images.'),
  hostname: str('Hostname of the pod; defaults to the pod name.'),
  subdomain: str('Subdomain, giving the pod the name <hostname>.<subdomain>.<ns>.svc.<domain>.'),
  affinity: r('Affinity', 'Scheduling constraints relative to nodes and other pods.'),
  schedulerName: str('Scheduler that places the pod; defaults to default-scheduler.'),
  tolerations: atomic(r('Toleration'), 'Node taints the pod tolerates.'),
  hostAliases: keyed(r('HostAlias'), 'ip', "Extra entries for the pod's /etc/hosts."),
  priorityClassName: str('Priority class of the pod.'),
  priority: int('Priority value, resolved from the priority class by admission.'),
  dnsConfig: r('PodDNSConfig', 'DNS settings merged into the generated configuration.'),
  readinessGates: atomic(r('PodReadinessGate'), 'Extra conditions that must be true for the pod to be ready.'),
  runtimeClassName: str('Runtime class used to run the pod.'),
  enableServiceLinks: bool('Inject environment variables describing services; defaults to true.'),
  preemptionPolicy: enumStr(['PreemptLowerPriority', 'Never'], 'Whether the pod may preempt lower-priority pods.'),
  overhead: resources('Resources the pod sandbox consumes beyond its containers.'),
  topologySpreadConstraints: arr(r('TopologySpreadConstraint'), {
    d: 'How the pods of a group spread across topology domains.', mergeKey: 'topologyKey', mapKeys: ['topologyKey', 'whenUnsatisfiable'],
  }),
  setHostnameAsFQDN: bool('Set the hostname to the fully qualified domain name.'),
  os: r('PodOS', 'Operating system the containers need.'),
  hostUsers: bool("Use the host's user namespace; false gives the pod its own."),
  schedulingGates: keyed(r('PodSchedulingGate'), 'name', 'Gates that must all be removed before the pod is scheduled.'),
  resourceClaims: keyed(r('PodResourceClaim'), 'name', 'Dynamic resource claims the pod uses.', 'merge,retainKeys'),
  resources: r('ResourceRequirements', 'Resources for the pod as a whole, shared by its containers.'),
  hostnameOverride: str('Hostname to use instead of the generated one.'),
};

const pod: Definitions = {
  [P + 'Pod']: kind(gvk('Pod'), {
    spec: r('PodSpec', 'Desired behaviour of the pod.'),
    status: r('PodStatus', 'Most recently observed state of the pod.'),
  }, { d: 'A group of containers that run together on a node.' }),
  [P + 'PodList']: listKind(gvk('PodList'), P + 'Pod', 'The pods.'),
  [P + 'PodSpec']: def(podSpecProps, 'Desired state of a pod.', ['containers']),
  [P + 'PodTemplateSpec']: def({
    metadata: ref(OBJECT_META, 'Metadata given to pods made from the template.'),
    spec: r('PodSpec', 'Spec of pods made from the template.'),
  }, 'A template for creating pods.'),
  [P + 'PodTemplate']: kind(gvk('PodTemplate'), {
    template: r('PodTemplateSpec', 'The pod template.'),
  }, { d: 'A stored pod template.' }),
  [P + 'PodTemplateList']: listKind(gvk('PodTemplateList'), P + 'PodTemplate', 'The pod templates.'),
  [P + 'PodSecurityContext']: def({
    seLinuxOptions: r('SELinuxOptions', 'SELinux context for all containers.'),
    windowsOptions: r('WindowsSecurityContextOptions', 'Windows-specific settings for all containers.'),
    runAsUser: int64('UID container processes run as.'),
    runAsGroup: int64('GID container processes run as.'),
    runAsNonRoot: bool('Refuse to start containers whose process would run as UID 0.'),
    supplementalGroups: atomic(int64(), 'Extra groups for the first process of each container.'),
    supplementalGroupsPolicy: enumStr(['Merge', 'Strict'], 'How supplementary groups are computed.'),
    fsGroup: int64('Group that owns supported volumes and is added to every container.'),
    sysctls: atomic(r('Sysctl'), 'Namespaced sysctls set for the pod.'),
    fsGroupChangePolicy: enumStr(['OnRootMismatch', 'Always'], 'When volume ownership is changed to fsGroup.'),
    seccompProfile: r('SeccompProfile', 'Seccomp profile for all containers.'),
    appArmorProfile: r('AppArmorProfile', 'AppArmor profile for all containers.'),
    seLinuxChangePolicy: enumStr(['Recursive', 'MountOption'], 'How the SELinux label is applied to volumes.'),
  }, 'Pod-wide security settings, defaults for every container.'),
  [P + 'Sysctl']: def({
    name: str('Sysctl name.'),
    value: str('Sysctl value.'),
  }, 'A kernel parameter to set.', ['name', 'value']),
  [P + 'Affinity']: def({
    nodeAffinity: r('NodeAffinity', 'Node affinity rules.'),
    podAffinity: r('PodAffinity', 'Rules that place the pod near other pods.'),
    podAntiAffinity: r('PodAntiAffinity', 'Rules that keep the pod away from other pods.'),
  }, 'Scheduling affinity rules.'),
  [P + 'NodeAffinity']: def({
    requiredDuringSchedulingIgnoredDuringExecution: r('NodeSelector', 'Node requirements that must hold at scheduling time.'),
    preferredDuringSchedulingIgnoredDuringExecution: atomic(r('PreferredSchedulingTerm'), 'Weighted node preferences.'),
  }, 'Node affinity scheduling rules.'),
  [P + 'NodeSelector']: atomicObj({
    nodeSelectorTerms: atomic(r('NodeSelectorTerm'), 'Terms that are ORed together.'),
  }, 'Selects nodes matching any of its terms.', ['nodeSelectorTerms']),
  [P + 'NodeSelectorTerm']: atomicObj({
    matchExpressions: atomic(r('NodeSelectorRequirement'), 'Requirements on node labels.'),
    matchFields: atomic(r('NodeSelectorRequirement'), 'Requirements on node fields.'),
  }, 'Requirements that must all hold; an empty term matches nothing.'),
  [P + 'NodeSelectorRequirement']: def({
    key: str('Label or field key.'),
    operator: enumStr(['DoesNotExist', 'Exists', 'Gt', 'In', 'Lt', 'NotIn'], 'How the key relates to the values.'),
    values: strList('Values to compare with.'),
  }, 'A requirement on one node label or field.', ['key', 'operator']),
  [P + 'TopologySelectorTerm']: atomicObj({
    matchLabelExpressions: atomic(r('TopologySelectorLabelRequirement'), 'Label requirements that must all hold.'),
  }, 'Selects a topology domain by label; an empty term matches nothing.'),
  [P + 'TopologySelectorLabelRequirement']: def({
    key: str('Label key.'),
    values: strList('Accepted values; any one must match.'),
  }, 'A requirement that a topology label have one of some values.', ['key', 'values']),
  [P + 'PreferredSchedulingTerm']: def({
    weight: int('Weight, 1-100.'),
    preference: r('NodeSelectorTerm', 'Term nodes are preferred for matching.'),
  }, 'A weighted node preference.', ['weight', 'preference']),
  [P + 'PodAffinity']: def({
    requiredDuringSchedulingIgnoredDuringExecution: atomic(r('PodAffinityTerm'), 'Terms that must all hold at scheduling time.'),
    preferredDuringSchedulingIgnoredDuringExecution: atomic(r('WeightedPodAffinityTerm'), 'Weighted preferences.'),
  }, 'Rules that co-locate the pod with other pods.'),
  [P + 'PodAntiAffinity']: def({
    requiredDuringSchedulingIgnoredDuringExecution: atomic(r('PodAffinityTerm'), 'Terms that must all hold at scheduling time.'),
    preferredDuringSchedulingIgnoredDuringExecution: atomic(r('WeightedPodAffinityTerm'), 'Weighted preferences.'),
  }, 'Rules that keep the pod apart from other pods.'),
  [P + 'PodAffinityTerm']: def({
    labelSelector: ref(LABEL_SELECTOR, 'Pods this term refers to.'),
    namespaces: strList('Namespaces the selected pods are in; defaults to the pod namespace.'),
    topologyKey: str('Node label whose equal values define one topology domain.'),
    namespaceSelector: ref(LABEL_SELECTOR, 'Namespaces, by label, the selected pods are in.'),
    matchLabelKeys: strList('Pod label keys whose values are added to labelSelector as In requirements.'),
    mismatchLabelKeys: strList('Pod label keys whose values are added to labelSelector as NotIn requirements.'),
  }, 'A set of pods, within a topology domain, that the pod must or must not share.', ['topologyKey']),
  [P + 'WeightedPodAffinityTerm']: def({
    weight: int('Weight, 1-100.'),
    podAffinityTerm: r('PodAffinityTerm', 'The term.'),
  }, 'A pod affinity term with a weight.', ['weight', 'podAffinityTerm']),
  [P + 'Toleration']: def({
    key: str('Taint key; empty with Exists matches every taint.'),
    operator: enumStr(['Equal', 'Exists', 'Gt', 'Lt'], 'How the key relates to the value; defaults to Equal.'),
    value: str('Taint value to match.'),
    effect: enumStr(['NoExecute', 'NoSchedule', 'PreferNoSchedule'], 'Taint effect to match; empty matches all.'),
    tolerationSeconds: int64('Seconds a NoExecute taint is tolerated before eviction.'),
  }, 'Lets a pod run on nodes with a matching taint.'),
  [P + 'HostAlias']: def({
    ip: str('IP address.'),
    hostnames: strList('Hostnames for the address.'),
  }, 'An /etc/hosts entry.', ['ip']),
  [P + 'PodDNSConfig']: def({
    nameservers: strList('DNS server addresses.'),
    searches: strList('Search domains.'),
    options: atomic(r('PodDNSConfigOption'), 'Resolver options.'),
  }, 'DNS resolver settings of a pod.'),
  [P + 'PodDNSConfigOption']: def({
    name: str('Option name.'),
    value: str('Option value.'),
  }, 'A resolver option.'),
  [P + 'PodReadinessGate']: def({
    conditionType: str('Pod condition type that must be true.'),
  }, 'An extra condition for pod readiness.', ['conditionType']),
  [P + 'TopologySpreadConstraint']: def({
    maxSkew: int('Largest allowed difference of matching pods between two domains.'),
    topologyKey: str('Node label whose equal values define one domain.'),
    whenUnsatisfiable: enumStr(['DoNotSchedule', 'ScheduleAnyway'], 'What to do when the constraint cannot be met.'),
    labelSelector: ref(LABEL_SELECTOR, 'Pods counted in each domain.'),
    minDomains: int('Minimum number of eligible domains.'),
    nodeAffinityPolicy: enumStr(['Honor', 'Ignore'], 'Whether node affinity limits the domains counted.'),
    nodeTaintsPolicy: enumStr(['Honor', 'Ignore'], 'Whether node taints limit the domains counted.'),
    matchLabelKeys: strList('Pod label keys whose values narrow the selector.'),
  }, 'How matching pods spread across a topology.', ['maxSkew', 'topologyKey', 'whenUnsatisfiable']),
  [P + 'PodOS']: def({
    name: enumStr(['linux', 'windows'], 'Operating system name.'),
  }, 'Operating system of a pod.', ['name']),
  [P + 'PodSchedulingGate']: def({
    name: str('Gate name.'),
  }, 'A gate that holds the pod back from scheduling.', ['name']),
  [P + 'PodResourceClaim']: def({
    name: str('Name of the claim within the pod.'),
    resourceClaimName: str('Existing ResourceClaim in the namespace.'),
    resourceClaimTemplateName: str('ResourceClaimTemplate a claim for this pod is made from.'),
  }, 'A dynamic resource claim referenced by the pod.', ['name']),
  [P + 'PodStatus']: def({
    observedGeneration: int64('Pod generation the status was computed for.'),
    phase: enumStr(['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown'], 'Overall lifecycle phase of the pod.'),
    conditions: keyed(r('PodCondition'), 'type', 'Current conditions of the pod.'),
    message: str('Human-readable detail on why the pod is in this state.'),
    reason: str('Short machine-readable reason for the state, such as Evicted.'),
    nominatedNodeName: str('Node the pod is expected to run on once preemption completes.'),
    hostIP: str('Primary IP of the node running the pod.'),
    hostIPs: arr(r('HostIP'), { d: 'IPs of the node running the pod.', mergeKey: 'ip', listType: 'atomic' }),
    podIP: str('Primary IP of the pod.'),
    podIPs: keyed(r('PodIP'), 'ip', 'IPs of the pod, one per address family.'),
    startTime: time('When the kubelet acknowledged the pod.'),
    initContainerStatuses: atomic(r('ContainerStatus'), 'Status of each init container.'),
    containerStatuses: atomic(r('ContainerStatus'), 'Status of each app container.'),
    qosClass: enumStr(['Guaranteed', 'Burstable', 'BestEffort'], 'Quality of service class derived from the resources.'),
    ephemeralContainerStatuses: atomic(r('ContainerStatus'), 'Status of each ephemeral container.'),
    resize: str('Deprecated status of a pending in-place resize.'),
    resourceClaimStatuses: keyed(r('PodResourceClaimStatus'), 'name', 'Generated names of the resource claims.', 'merge,retainKeys'),
    allocatedResources: resources('Resources allocated to the pod as a whole.'),
    resources: r('ResourceRequirements', 'Resources actually enforced for the pod.'),
  }, 'Observed state of a pod.'),
  [P + 'PodCondition']: def({
    type: str('Condition type, such as Ready or PodScheduled.'),
    observedGeneration: int64('Pod generation the condition was set for.'),
    status: conditionStatus(),
    lastProbeTime: time('When the condition was last checked.'),
    lastTransitionTime: time('When the status last changed.'),
    reason: str('Machine-readable reason for the last transition.'),
    message: str('Human-readable details about the last transition.'),
  }, 'A condition of a pod.', ['type', 'status']),
  [P + 'PodIP']: def({ ip: str('IP address.') }, 'An IP address of a pod.', ['ip']),
  [P + 'HostIP']: def({ ip: str('IP address.') }, 'An IP address of the node of a pod.', ['ip']),
  [P + 'PodResourceClaimStatus']: def({
    name: str('Name of the entry in spec.resourceClaims.'),
    resourceClaimName: str('Name of the ResourceClaim generated for the pod.'),
  }, 'The claim generated for a pod resource claim.', ['name']),
  [P + 'ContainerStatus']: def({
    name: str('Container name.'),
    state: r('ContainerState', 'Current state.'),
    lastState: r('ContainerState', 'Last termination.'),
    ready: bool('Whether the readiness probe passes.'),
    restartCount: int('Times the container has been restarted.'),
    image: str('Image the container runs.'),
    imageID: str('Resolved image ID.'),
    containerID: str('Runtime container ID, as <type>://<id>.'),
    started: bool('Whether the startup probe has passed.'),
    allocatedResources: resources('Resources allocated by the node.'),
    resources: r('ResourceRequirements', 'Resources actually configured in the runtime.'),
    volumeMounts: keyed(r('VolumeMountStatus'), 'mountPath', 'State of the volume mounts.'),
    user: r('ContainerUser', 'Identity the first process runs as.'),
    allocatedResourcesStatus: keyed(r('ResourceStatus'), 'name', 'Health of the allocated resources.'),
    stopSignal: str('Signal that will be sent to stop the container.'),
  }, 'Observed state of a container.', ['name', 'ready', 'restartCount', 'image', 'imageID']),
  [P + 'ContainerState']: def({
    waiting: r('ContainerStateWaiting', 'Set while the container waits to run.'),
    running: r('ContainerStateRunning', 'Set while the container runs.'),
    terminated: r('ContainerStateTerminated', 'Set once the container has exited.'),
  }, 'State of a container; at most one member is set.'),
  [P + 'ContainerStateWaiting']: def({
    reason: str('Why the container is waiting, such as ImagePullBackOff.'),
    message: str('Details.'),
  }, 'A container that is not running yet.'),
  [P + 'ContainerStateRunning']: def({
    startedAt: time('When the container last started.'),
  }, 'A running container.'),
  [P + 'ContainerStateTerminated']: def({
    exitCode: int('Exit status of the last run.'),
    signal: int('Signal that ended the last run.'),
    reason: str('Why the container ended.'),
    message: str('Details.'),
    startedAt: time('When the last run started.'),
    finishedAt: time('When the last run ended.'),
    containerID: str('Runtime container ID, as <type>://<id>.'),
  }, 'A container that has exited.', ['exitCode']),
  [P + 'VolumeMountStatus']: def({
    name: str('Volume name.'),
    mountPath: str('Path inside the container.'),
    readOnly: bool('Whether the mount is read-only.'),
    recursiveReadOnly: str('Effective recursive read-only mode.'),
  }, 'Observed state of a volume mount.', ['name', 'mountPath']),
  [P + 'ContainerUser']: def({
    linux: r('LinuxContainerUser', 'Linux identity.'),
  }, 'Identity a container process runs as.'),
  [P + 'LinuxContainerUser']: def({
    uid: int64('User ID.'),
    gid: int64('Primary group ID.'),
    supplementalGroups: atomic(int64(), 'Supplementary group IDs.'),
  }, 'A Linux process identity.', ['uid', 'gid']),
  [P + 'ResourceStatus']: def({
    name: str('Resource name.'),
    resources: arr(r('ResourceHealth'), { d: 'Health of each allocated device.', listType: 'map', mapKeys: ['resourceID'] }),
  }, 'Health of one allocated resource.', ['name']),
  [P + 'ResourceHealth']: def({
    resourceID: str('Device identifier.'),
    health: enumStr(['Healthy', 'Unhealthy', 'Unknown'], 'Health of the device.'),
    message: str('Details.'),
  }, 'Health of one device.', ['resourceID']),
  [P + 'Binding']: kind(gvk('Binding'), {
    target: r('ObjectReference', 'The object to bind to, normally a node.'),
  }, { d: 'Binds an object to another, as the scheduler binds a pod to a node.', required: ['target'] }),
};

// ---- volumes ----

const keyItems = (): Schema => atomic(r('KeyToPath'), 'Keys to project and the paths they go to; all keys when empty.');

const podVolumeSources: Record<string, Schema> = {
  hostPath: r('HostPathVolumeSource', 'A file or directory on the node.'),
  emptyDir: r('EmptyDirVolumeSource', 'A scratch directory that lives as long as the pod.'),
  gcePersistentDisk: r('GCEPersistentDiskVolumeSource', 'Deprecated GCE persistent disk.'),
  awsElasticBlockStore: r('AWSElasticBlockStoreVolumeSource', 'Deprecated AWS EBS volume.'),
  gitRepo: r('GitRepoVolumeSource', 'Deprecated git repository checkout.'),
  secret: r('SecretVolumeSource', 'Keys of a secret as files.'),
  nfs: r('NFSVolumeSource', 'An NFS export.'),
  iscsi: r('ISCSIVolumeSource', 'An iSCSI disk.'),
  glusterfs: r('GlusterfsVolumeSource', 'Deprecated GlusterFS volume.'),
  persistentVolumeClaim: r('PersistentVolumeClaimVolumeSource', 'A persistent volume claim in the namespace.'),
  rbd: r('RBDVolumeSource', 'Deprecated Ceph RBD volume.'),
  flexVolume: r('FlexVolumeSource', 'Deprecated FlexVolume driver volume.'),
  cinder: r('CinderVolumeSource', 'Deprecated OpenStack Cinder volume.'),
  cephfs: r('CephFSVolumeSource', 'Deprecated CephFS mount.'),
  flocker: r('FlockerVolumeSource', 'Deprecated Flocker dataset.'),
  downwardAPI: r('DownwardAPIVolumeSource', 'Pod fields as files.'),
  fc: r('FCVolumeSource', 'A Fibre Channel disk.'),
  azureFile: r('AzureFileVolumeSource', 'Deprecated Azure File share.'),
  configMap: r('ConfigMapVolumeSource', 'Keys of a config map as files.'),
  vsphereVolume: r('VsphereVirtualDiskVolumeSource', 'Deprecated vSphere disk.'),
  quobyte: r('QuobyteVolumeSource', 'Deprecated Quobyte volume.'),
  azureDisk: r('AzureDiskVolumeSource', 'Deprecated Azure data disk.'),
  photonPersistentDisk: r('PhotonPersistentDiskVolumeSource', 'Deprecated Photon disk.'),
  projected: r('ProjectedVolumeSource', 'Several sources merged into one directory.'),
  portworxVolume: r('PortworxVolumeSource', 'Deprecated Portworx volume.'),
  scaleIO: r('ScaleIOVolumeSource', 'Deprecated ScaleIO volume.'),
  storageos: r('StorageOSVolumeSource', 'Deprecated StorageOS volume.'),
  csi: r('CSIVolumeSource', 'An ephemeral volume from a CSI driver.'),
  ephemeral: r('EphemeralVolumeSource', 'A volume from a claim created and deleted with the pod.'),
  image: r('ImageVolumeSource', 'The contents of an OCI image or artifact.'),
};

const volumes: Definitions = {
  [P + 'Volume']: def({
    name: str('Volume name, a DNS label unique within the pod.'),
    ...podVolumeSources,
  }, 'A named volume of a pod; exactly one source is set.', ['name']),
  [P + 'KeyToPath']: def({
    key: str('Key to project.'),
    path: str('Relative file path the key is written to.'),
    mode: fileMode(),
  }, 'Maps a key to a file path.', ['key', 'path']),
  [P + 'HostPathVolumeSource']: def({
    path: str('Path on the node.'),
    type: enumStr(['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice'], 'What must be at the path.'),
  }, 'A path on the node.', ['path']),
  [P + 'EmptyDirVolumeSource']: def({
    medium: str('Storage medium: empty for the node default, or Memory.'),
    sizeLimit: quantity('Most local storage the directory may use.'),
  }, 'A scratch directory.'),
  [P + 'SecretVolumeSource']: def({
    secretName: str('Name of the secret.'),
    items: keyItems(),
    defaultMode: fileMode(),
    optional: bool('Tolerate a missing secret or key.'),
  }, 'A secret exposed as files.'),
  [P + 'ConfigMapVolumeSource']: def({
    name: withDefault(str('Name of the config map.'), ''),
    items: keyItems(),
    defaultMode: fileMode(),
    optional: bool('Tolerate a missing config map or key.'),
  }, 'A config map exposed as files.'),
  [P + 'DownwardAPIVolumeSource']: def({
    items: atomic(r('DownwardAPIVolumeFile'), 'Files to create.'),
    defaultMode: fileMode(),
  }, 'Pod information exposed as files.'),
  [P + 'DownwardAPIVolumeFile']: def({
    path: str('Relative file path.'),
    fieldRef: r('ObjectFieldSelector', 'Pod field to write.'),
    resourceFieldRef: r('ResourceFieldSelector', 'Container resource to write.'),
    mode: fileMode(),
  }, 'One file of pod information.', ['path']),
  [P + 'ProjectedVolumeSource']: def({
    sources: atomic(r('VolumeProjection'), 'Sources to project.'),
    defaultMode: fileMode(),
  }, 'Several sources projected into one directory.'),
  [P + 'VolumeProjection']: def({
    secret: r('SecretProjection', 'Keys of a secret.'),
    downwardAPI: r('DownwardAPIProjection', 'Pod information.'),
    configMap: r('ConfigMapProjection', 'Keys of a config map.'),
    serviceAccountToken: r('ServiceAccountTokenProjection', 'A service account token.'),
    clusterTrustBundle: r('ClusterTrustBundleProjection', 'Certificates of ClusterTrustBundle objects.'),
  }, 'One source of a projected volume.'),
  [P + 'SecretProjection']: def({
    name: withDefault(str('Name of the secret.'), ''),
    items: keyItems(),
    optional: bool('Tolerate a missing secret or key.'),
  }, 'Keys of a secret projected into a volume.'),
  [P + 'ConfigMapProjection']: def({
    name: withDefault(str('Name of the config map.'), ''),
    items: keyItems(),
    optional: bool('Tolerate a missing config map or key.'),
  }, 'Keys of a config map projected into a volume.'),
  [P + 'DownwardAPIProjection']: def({
    items: atomic(r('DownwardAPIVolumeFile'), 'Files to create.'),
  }, 'Pod information projected into a volume.'),
  [P + 'ServiceAccountTokenProjection']: def({
    audience: str('Intended audience of the token; defaults to the API server.'),
    expirationSeconds: int64('Requested token lifetime; defaults to one hour.'),
    path: str('Relative file path of the token.'),
  }, 'A bound service account token projected into a volume.', ['path']),
  [P + 'ClusterTrustBundleProjection']: def({
    name: str('Name of one ClusterTrustBundle.'),
    signerName: str('Signer whose bundles are selected.'),
    labelSelector: ref(LABEL_SELECTOR, 'Bundles of the signer to select.'),
    optional: bool('Tolerate no matching bundle.'),
    path: str('Relative file path of the certificates.'),
  }, 'Trust anchors from ClusterTrustBundle objects projected into a volume.', ['path']),
  [P + 'PersistentVolumeClaimVolumeSource']: def({
    claimName: str('Name of the claim.'),
    readOnly: readOnly(),
  }, 'A persistent volume claim used by a pod.', ['claimName']),
  [P + 'NFSVolumeSource']: def({
    server: str('Host name or IP of the NFS server.'),
    path: str('Exported path.'),
    readOnly: readOnly(),
  }, 'An NFS mount.', ['server', 'path']),
  [P + 'CSIVolumeSource']: def({
    driver: str('Name of the CSI driver.'),
    readOnly: readOnly(),
    fsType: fsType(),
    volumeAttributes: strMap('Driver-specific attributes.'),
    nodePublishSecretRef: localSecretRef(),
  }, 'An inline ephemeral volume provided by a CSI driver.', ['driver']),
  [P + 'EphemeralVolumeSource']: def({
    volumeClaimTemplate: r('PersistentVolumeClaimTemplate', 'Template of the claim created for the pod.'),
  }, 'A volume backed by a claim that lives as long as the pod.'),
  [P + 'PersistentVolumeClaimTemplate']: def({
    metadata: ref(OBJECT_META, 'Labels and annotations copied to the claim.'),
    spec: r('PersistentVolumeClaimSpec', 'Spec of the created claim.'),
  }, 'A template for a persistent volume claim.', ['spec']),
  [P + 'ImageVolumeSource']: def({
    reference: str('Image or artifact reference.'),
    pullPolicy: enumStr(['Always', 'Never', 'IfNotPresent'], 'When to pull the image.'),
  }, 'An OCI image or artifact mounted as a volume.'),
  [P + 'LocalVolumeSource']: def({
    path: str('Full path of the volume on the node.'),
    fsType: fsType(),
  }, 'A local disk or directory on one node.', ['path']),
  [P + 'ISCSIVolumeSource']: def(iscsiProps(localSecretRef()), 'An iSCSI disk.', ['targetPortal', 'iqn', 'lun']),
  [P + 'ISCSIPersistentVolumeSource']: def(iscsiProps(secretRef()), 'An iSCSI disk.', ['targetPortal', 'iqn', 'lun']),
  [P + 'FCVolumeSource']: def({
    targetWWNs: strList('Target world wide names.'),
    lun: int('Target lun.'),
    fsType: fsType(),
    readOnly: readOnly(),
    wwids: strList('Volume world wide identifiers.'),
  }, 'A Fibre Channel disk.'),
  // Deprecated in-tree cloud and cluster filesystems: shapes kept faithful, descriptions brief.
  [P + 'GCEPersistentDiskVolumeSource']: def({ pdName: str('Disk name.'), fsType: fsType(), partition: int('Partition to mount.'), readOnly: readOnly() }, 'A GCE persistent disk.', ['pdName']),
  [P + 'AWSElasticBlockStoreVolumeSource']: def({ volumeID: str('EBS volume ID.'), fsType: fsType(), partition: int('Partition to mount.'), readOnly: readOnly() }, 'An AWS EBS volume.', ['volumeID']),
  [P + 'GitRepoVolumeSource']: def({ repository: str('Repository URL.'), revision: str('Commit hash.'), directory: str('Target directory name.') }, 'A git repository checkout.', ['repository']),
  [P + 'GlusterfsVolumeSource']: def({ endpoints: str('Endpoints naming the Glusterfs cluster.'), path: str('Volume path.'), readOnly: readOnly() }, 'A GlusterFS volume.', ['endpoints', 'path']),
  [P + 'GlusterfsPersistentVolumeSource']: def({ endpoints: str('Endpoints naming the Glusterfs cluster.'), path: str('Volume path.'), readOnly: readOnly(), endpointsNamespace: str('Namespace of the endpoints.') }, 'A GlusterFS volume.', ['endpoints', 'path']),
  [P + 'RBDVolumeSource']: def(rbdProps(localSecretRef()), 'A Ceph RBD image.', ['monitors', 'image']),
  [P + 'RBDPersistentVolumeSource']: def(rbdProps(secretRef()), 'A Ceph RBD image.', ['monitors', 'image']),
  [P + 'FlexVolumeSource']: def(flexProps(localSecretRef()), 'A volume from a FlexVolume driver.', ['driver']),
  [P + 'FlexPersistentVolumeSource']: def(flexProps(secretRef()), 'A volume from a FlexVolume driver.', ['driver']),
  [P + 'CinderVolumeSource']: def({ volumeID: str('Cinder volume ID.'), fsType: fsType(), readOnly: readOnly(), secretRef: localSecretRef() }, 'An OpenStack Cinder volume.', ['volumeID']),
  [P + 'CinderPersistentVolumeSource']: def({ volumeID: str('Cinder volume ID.'), fsType: fsType(), readOnly: readOnly(), secretRef: secretRef() }, 'An OpenStack Cinder volume.', ['volumeID']),
  [P + 'CephFSVolumeSource']: def(cephProps(localSecretRef()), 'A CephFS mount.', ['monitors']),
  [P + 'CephFSPersistentVolumeSource']: def(cephProps(secretRef()), 'A CephFS mount.', ['monitors']),
  [P + 'FlockerVolumeSource']: def({ datasetName: str('Dataset name.'), datasetUUID: str('Dataset UUID.') }, 'A Flocker dataset.'),
  [P + 'AzureFileVolumeSource']: def({ secretName: str('Secret with the account name and key.'), shareName: str('Share name.'), readOnly: readOnly() }, 'An Azure File share.', ['secretName', 'shareName']),
  [P + 'AzureFilePersistentVolumeSource']: def({ secretName: str('Secret with the account name and key.'), shareName: str('Share name.'), readOnly: readOnly(), secretNamespace: str('Namespace of the secret.') }, 'An Azure File share.', ['secretName', 'shareName']),
  [P + 'VsphereVirtualDiskVolumeSource']: def({ volumePath: str('Path of the disk.'), fsType: fsType(), storagePolicyName: str('Storage policy name.'), storagePolicyID: str('Storage policy ID.') }, 'A vSphere disk.', ['volumePath']),
  [P + 'QuobyteVolumeSource']: def({ registry: str('Registry address(es).'), volume: str('Volume name.'), readOnly: readOnly(), user: str('User to map access to.'), group: str('Group to map access to.'), tenant: str('Tenant owning the volume.') }, 'A Quobyte volume.', ['registry', 'volume']),
  [P + 'AzureDiskVolumeSource']: def({
    diskName: str('Disk name.'), diskURI: str('Disk URI.'),
    cachingMode: withDefault(enumStr(['None', 'ReadOnly', 'ReadWrite'], 'Host caching mode.'), 'ReadWrite'),
    fsType: withDefault(fsType(), 'ext4'), readOnly: withDefault(readOnly(), false),
    kind: withDefault(enumStr(['Dedicated', 'Managed', 'Shared'], 'Disk kind.'), 'Shared'),
  }, 'An Azure data disk.', ['diskName', 'diskURI']),
  [P + 'PhotonPersistentDiskVolumeSource']: def({ pdID: str('Disk ID.'), fsType: fsType() }, 'A Photon Controller disk.', ['pdID']),
  [P + 'PortworxVolumeSource']: def({ volumeID: str('Volume ID.'), fsType: fsType(), readOnly: readOnly() }, 'A Portworx volume.', ['volumeID']),
  [P + 'ScaleIOVolumeSource']: def(scaleIOProps(localSecretRef()), 'A ScaleIO volume.', ['gateway', 'system', 'secretRef']),
  [P + 'ScaleIOPersistentVolumeSource']: def(scaleIOProps(secretRef()), 'A ScaleIO volume.', ['gateway', 'system', 'secretRef']),
  [P + 'StorageOSVolumeSource']: def(storageOSProps(localSecretRef()), 'A StorageOS volume.'),
  [P + 'StorageOSPersistentVolumeSource']: def(storageOSProps(r('ObjectReference', 'Secret holding credentials.')), 'A StorageOS volume.'),
  [P + 'CSIPersistentVolumeSource']: def({
    driver: str('Name of the CSI driver.'),
    volumeHandle: str('Driver-specific volume ID.'),
    readOnly: readOnly(),
    fsType: fsType(),
    volumeAttributes: strMap('Driver-specific attributes.'),
    controllerPublishSecretRef: secretRef(),
    nodeStageSecretRef: secretRef(),
    nodePublishSecretRef: secretRef(),
    controllerExpandSecretRef: secretRef(),
    nodeExpandSecretRef: secretRef(),
  }, 'A persistent volume managed by a CSI driver.', ['driver', 'volumeHandle']),
};

function iscsiProps(secret: Schema): Record<string, Schema> {
  return {
    targetPortal: str('Target portal, IP or IP:port.'),
    iqn: str('Target iSCSI qualified name.'),
    lun: int('Target lun.'),
    iscsiInterface: withDefault(str('iSCSI interface name.'), 'default'),
    fsType: fsType(),
    readOnly: readOnly(),
    portals: strList('Extra target portals.'),
    chapAuthDiscovery: bool('Use CHAP discovery authentication.'),
    chapAuthSession: bool('Use CHAP session authentication.'),
    secretRef: secret,
    initiatorName: str('Custom initiator name.'),
  };
}

function rbdProps(secret: Schema): Record<string, Schema> {
  return {
    monitors: strList('Ceph monitors.'),
    image: str('Image name.'),
    fsType: fsType(),
    pool: withDefault(str('Pool name.'), 'rbd'),
    user: withDefault(str('Rados user name.'), 'admin'),
    keyring: withDefault(str('Keyring path.'), '/etc/ceph/keyring'),
    secretRef: secret,
    readOnly: readOnly(),
  };
}

function flexProps(secret: Schema): Record<string, Schema> {
  return { driver: str('Driver name.'), fsType: fsType(), secretRef: secret, readOnly: readOnly(), options: strMap('Driver options.') };
}

function cephProps(secret: Schema): Record<string, Schema> {
  return {
    monitors: strList('Ceph monitors.'), path: str('Path to mount; defaults to /.'), user: str('Rados user name.'),
    secretFile: str('Keyring path.'), secretRef: secret, readOnly: readOnly(),
  };
}

function scaleIOProps(secret: Schema): Record<string, Schema> {
  return {
    gateway: str('Gateway address.'), system: str('Storage system name.'), secretRef: secret,
    sslEnabled: bool('Use SSL to the gateway.'), protectionDomain: str('Protection domain.'), storagePool: str('Storage pool.'),
    storageMode: withDefault(str('ThickProvisioned or ThinProvisioned.'), 'ThinProvisioned'), volumeName: str('Volume name.'),
    fsType: withDefault(fsType(), 'xfs'), readOnly: readOnly(),
  };
}

function storageOSProps(secret: Schema): Record<string, Schema> {
  return {
    volumeName: str('Volume name.'), volumeNamespace: str('StorageOS namespace.'), fsType: fsType(), readOnly: readOnly(),
    secretRef: secret,
  };
}

// ---- persistent volumes ----

const accessModes = (): Schema => atomic(enumStr(['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod']), 'Ways the volume can be mounted.');
const volumeMode = (): Schema => enumStr(['Block', 'Filesystem'], 'Whether the volume is a raw block device or a filesystem.');

const pvSources: Record<string, Schema> = {};
for (const k of ['gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'nfs', 'fc', 'flocker', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'portworxVolume']) {
  pvSources[k] = podVolumeSources[k] ?? any();
}
Object.assign(pvSources, {
  glusterfs: r('GlusterfsPersistentVolumeSource', 'Deprecated GlusterFS volume.'),
  rbd: r('RBDPersistentVolumeSource', 'Deprecated Ceph RBD volume.'),
  iscsi: r('ISCSIPersistentVolumeSource', 'An iSCSI disk.'),
  cinder: r('CinderPersistentVolumeSource', 'Deprecated OpenStack Cinder volume.'),
  cephfs: r('CephFSPersistentVolumeSource', 'Deprecated CephFS mount.'),
  flexVolume: r('FlexPersistentVolumeSource', 'Deprecated FlexVolume driver volume.'),
  azureFile: r('AzureFilePersistentVolumeSource', 'Deprecated Azure File share.'),
  scaleIO: r('ScaleIOPersistentVolumeSource', 'Deprecated ScaleIO volume.'),
  local: r('LocalVolumeSource', 'A disk or directory attached to one node.'),
  storageos: r('StorageOSPersistentVolumeSource', 'Deprecated StorageOS volume.'),
  csi: r('CSIPersistentVolumeSource', 'A volume managed by a CSI driver.'),
});

const persistentVolumes: Definitions = {
  [P + 'PersistentVolume']: kind(gvk('PersistentVolume'), {
    spec: r('PersistentVolumeSpec', 'Description of the volume.'),
    status: r('PersistentVolumeStatus', 'Observed state of the volume.'),
  }, { d: 'A piece of storage provisioned in the cluster.' }),
  [P + 'PersistentVolumeList']: listKind(gvk('PersistentVolumeList'), P + 'PersistentVolume', 'The persistent volumes.'),
  [P + 'PersistentVolumeSpec']: def({
    capacity: resources('Capacity of the volume.'),
    ...pvSources,
    accessModes: accessModes(),
    claimRef: { ...r('ObjectReference', 'Claim bound to this volume.'), 'x-kubernetes-map-type': 'granular' },
    persistentVolumeReclaimPolicy: enumStr(['Delete', 'Recycle', 'Retain'], 'What happens to the volume when its claim is released.'),
    storageClassName: str('Storage class the volume belongs to.'),
    mountOptions: strList('Mount options used when the volume is mounted.'),
    volumeMode: volumeMode(),
    nodeAffinity: r('VolumeNodeAffinity', 'Nodes the volume can be reached from.'),
    volumeAttributesClassName: str('VolumeAttributesClass the volume belongs to.'),
  }, 'Description of a persistent volume.'),
  [P + 'VolumeNodeAffinity']: def({
    required: r('NodeSelector', 'Nodes that can access the volume.'),
  }, 'Constrains the nodes a volume can be used from.'),
  [P + 'PersistentVolumeStatus']: def({
    phase: enumStr(['Pending', 'Available', 'Bound', 'Released', 'Failed'], 'Lifecycle phase of the volume.'),
    message: str('Human-readable detail on the phase.'),
    reason: str('Short reason for a failure.'),
    lastPhaseTransitionTime: time('When the phase last changed.'),
  }, 'Observed state of a persistent volume.'),
  [P + 'PersistentVolumeClaim']: kind(gvk('PersistentVolumeClaim'), {
    spec: r('PersistentVolumeClaimSpec', 'Storage the claim asks for.'),
    status: r('PersistentVolumeClaimStatus', 'Observed state of the claim.'),
  }, { d: 'A request for storage by a user.' }),
  [P + 'PersistentVolumeClaimList']: listKind(gvk('PersistentVolumeClaimList'), P + 'PersistentVolumeClaim', 'The claims.'),
  [P + 'PersistentVolumeClaimSpec']: def({
    accessModes: accessModes(),
    selector: ref(LABEL_SELECTOR, 'Volumes the claim may bind to.'),
    resources: r('VolumeResourceRequirements', 'Storage requested.'),
    volumeName: str('Volume to bind to.'),
    storageClassName: str('Storage class requested.'),
    volumeMode: volumeMode(),
    dataSource: r('TypedLocalObjectReference', 'Snapshot or claim to populate the volume from.'),
    dataSourceRef: r('TypedObjectReference', 'Object to populate the volume from, possibly in another namespace.'),
    volumeAttributesClassName: str('VolumeAttributesClass requested.'),
  }, 'Storage requested by a claim.'),
  [P + 'PersistentVolumeClaimStatus']: def({
    phase: enumStr(['Pending', 'Bound', 'Lost'], 'Lifecycle phase of the claim.'),
    accessModes: accessModes(),
    capacity: resources('Capacity of the bound volume.'),
    conditions: keyed(r('PersistentVolumeClaimCondition'), 'type', 'Current conditions of the claim.'),
    allocatedResources: resources('Storage allocated, including pending expansions.'),
    allocatedResourceStatuses: { ...strMap('State of pending resizes per resource.'), 'x-kubernetes-map-type': 'granular' },
    currentVolumeAttributesClassName: str('VolumeAttributesClass currently applied.'),
    modifyVolumeStatus: r('ModifyVolumeStatus', 'State of a pending volume modification.'),
  }, 'Observed state of a claim.'),
  [P + 'PersistentVolumeClaimCondition']: condition('A condition of a claim.', ['lastProbeTime', 'lastTransitionTime']),
  [P + 'ModifyVolumeStatus']: def({
    targetVolumeAttributesClassName: str('Class being applied.'),
    status: enumStr(['Pending', 'InProgress', 'Infeasible'], 'State of the modification.'),
  }, 'State of a volume modification.', ['status']),
};

// ---- services and endpoints ----

const services: Definitions = {
  [P + 'Service']: kind(gvk('Service'), {
    spec: r('ServiceSpec', 'Desired behaviour of the service.'),
    status: r('ServiceStatus', 'Observed state of the service.'),
  }, { d: 'A named, load-balanced address for a set of pods.' }),
  [P + 'ServiceList']: listKind(gvk('ServiceList'), P + 'Service', 'The services.'),
  [P + 'ServiceSpec']: def({
    ports: arr(r('ServicePort'), { d: 'Ports the service exposes.', mergeKey: 'port', mapKeys: ['port', 'protocol'] }),
    selector: atomicMap('Labels of the pods traffic is sent to.'),
    clusterIP: str('Virtual IP of the service; None makes it headless.'),
    clusterIPs: strList('Virtual IPs of the service, one per family; the first equals clusterIP.'),
    type: enumStr(['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'], 'How the service is exposed; defaults to ClusterIP.'),
    externalIPs: strList('Extra IPs nodes accept traffic for.'),
    sessionAffinity: enumStr(['ClientIP', 'None'], 'Whether a client sticks to one endpoint.'),
    loadBalancerIP: str('Deprecated requested load balancer IP.'),
    loadBalancerSourceRanges: strList('Client CIDRs the load balancer admits.'),
    externalName: str('DNS name an ExternalName service aliases.'),
    externalTrafficPolicy: enumStr(['Cluster', 'Local'], 'Routing of external traffic.'),
    healthCheckNodePort: int('Node port for load balancer health checks.'),
    publishNotReadyAddresses: bool('Publish addresses of pods that are not ready.'),
    sessionAffinityConfig: r('SessionAffinityConfig', 'Session affinity settings.'),
    ipFamilies: atomic(enumStr(['', 'IPv4', 'IPv6']), 'IP families of the service.'),
    ipFamilyPolicy: enumStr(['PreferDualStack', 'RequireDualStack', 'SingleStack'], 'Whether the service is single- or dual-stack.'),
    allocateLoadBalancerNodePorts: bool('Allocate node ports for LoadBalancer services; defaults to true.'),
    loadBalancerClass: str('Load balancer implementation to use.'),
    internalTrafficPolicy: enumStr(['Cluster', 'Local'], 'Routing of traffic from within the cluster.'),
    trafficDistribution: str('Preference for how traffic is distributed among endpoints.'),
  }, 'Desired behaviour of a service.'),
  [P + 'ServicePort']: def({
    name: str('Port name, unique in the service.'),
    protocol: protocol(),
    appProtocol: str('Application protocol of the port.'),
    port: int('Port the service listens on.'),
    targetPort: intOrString('Port number or name on the pods; defaults to port.'),
    nodePort: int('Port on every node, for NodePort and LoadBalancer services.'),
  }, 'A port of a service.', ['port']),
  [P + 'SessionAffinityConfig']: def({
    clientIP: r('ClientIPConfig', 'ClientIP affinity settings.'),
  }, 'Session affinity settings.'),
  [P + 'ClientIPConfig']: def({
    timeoutSeconds: int('Seconds a client sticks to an endpoint; defaults to 10800.'),
  }, 'Client IP session affinity settings.'),
  [P + 'ServiceStatus']: def({
    loadBalancer: r('LoadBalancerStatus', 'State of the load balancer.'),
    conditions: keyed(ref(CONDITION), 'type', 'Current conditions of the service.'),
  }, 'Observed state of a service.'),
  [P + 'LoadBalancerStatus']: def({
    ingress: atomic(r('LoadBalancerIngress'), 'Ingress points of the load balancer.'),
  }, 'State of a load balancer.'),
  [P + 'LoadBalancerIngress']: def({
    ip: str('IP of the ingress point.'),
    hostname: str('DNS name of the ingress point.'),
    ipMode: enumStr(['VIP', 'Proxy'], 'How traffic reaches the ingress IP.'),
    ports: atomic(r('PortStatus'), 'Status of each service port.'),
  }, 'An ingress point of a load balancer.'),
  [P + 'PortStatus']: def({
    port: int('Port number.'),
    protocol: enumStr(['SCTP', 'TCP', 'UDP'], 'Port protocol.'),
    error: str('Problem with the port, if any.'),
  }, 'Status of a service port.', ['port', 'protocol']),
  [P + 'Endpoints']: kind(gvk('Endpoints'), {
    subsets: atomic(r('EndpointSubset'), 'Groups of addresses sharing the same ports.'),
  }, { d: 'The addresses that implement a service (superseded by EndpointSlice).' }),
  [P + 'EndpointsList']: listKind(gvk('EndpointsList'), P + 'Endpoints', 'The endpoints.'),
  [P + 'EndpointSubset']: def({
    addresses: atomic(r('EndpointAddress'), 'Ready addresses.'),
    notReadyAddresses: atomic(r('EndpointAddress'), 'Addresses not ready yet.'),
    ports: atomic(r('EndpointPort'), 'Ports of every address.'),
  }, 'Addresses with a common set of ports.'),
  [P + 'EndpointAddress']: atomicObj({
    ip: str('IP of the endpoint.'),
    hostname: str('Hostname of the endpoint.'),
    nodeName: str('Node hosting the endpoint.'),
    targetRef: r('ObjectReference', 'Object providing the endpoint.'),
  }, 'One endpoint address.', ['ip']),
  [P + 'EndpointPort']: atomicObj({
    name: str('Port name, matching the service port name.'),
    port: int('Port number.'),
    protocol: enumStr(['SCTP', 'TCP', 'UDP'], 'Port protocol; defaults to TCP.'),
    appProtocol: str('Application protocol of the port.'),
  }, 'One endpoint port.', ['port']),
};

// ---- nodes and namespaces ----

const nodes: Definitions = {
  [P + 'Node']: kind(gvk('Node'), {
    spec: r('NodeSpec', 'Configuration of the node.'),
    status: r('NodeStatus', 'Observed state of the node.'),
  }, { d: 'A worker machine in the cluster.' }),
  [P + 'NodeList']: listKind(gvk('NodeList'), P + 'Node', 'The nodes.'),
  [P + 'NodeSpec']: def({
    podCIDR: str('Pod IP range of the node.'),
    podCIDRs: arr(str(), { d: 'Pod IP ranges of the node, one per family.', strategy: 'merge', listType: 'set' }),
    providerID: str('Cloud provider ID of the node.'),
    unschedulable: bool('Keep new pods off the node.'),
    taints: atomic(r('Taint'), 'Taints of the node.'),
    configSource: r('NodeConfigSource', 'Deprecated dynamic kubelet configuration source.'),
    externalID: str('Deprecated external ID.'),
  }, 'Configuration of a node.'),
  [P + 'Taint']: def({
    key: str('Taint key.'),
    value: str('Taint value.'),
    effect: enumStr(['NoExecute', 'NoSchedule', 'PreferNoSchedule'], 'Effect on pods that do not tolerate the taint.'),
    timeAdded: time('When a NoExecute taint was added.'),
  }, 'Marks a node so that pods without a matching toleration avoid it.', ['key', 'effect']),
  [P + 'NodeConfigSource']: def({
    configMap: r('ConfigMapNodeConfigSource', 'Config map holding the configuration.'),
  }, 'Deprecated source of kubelet configuration.'),
  [P + 'ConfigMapNodeConfigSource']: def({
    namespace: str('Namespace of the config map.'),
    name: str('Name of the config map.'),
    uid: str('UID of the config map.'),
    resourceVersion: str('Resource version of the config map.'),
    kubeletConfigKey: str('Key holding the kubelet configuration.'),
  }, 'A config map holding kubelet configuration.', ['namespace', 'name', 'kubeletConfigKey']),
  [P + 'NodeStatus']: def({
    capacity: resources('Total resources of the node.'),
    allocatable: resources('Resources available to pods.'),
    phase: enumStr(['Pending', 'Running', 'Terminated'], 'Deprecated lifecycle phase.'),
    conditions: keyed(r('NodeCondition'), 'type', 'Current conditions of the node.'),
    addresses: keyed(r('NodeAddress'), 'type', 'Addresses of the node.'),
    daemonEndpoints: r('NodeDaemonEndpoints', 'Endpoints of daemons on the node.'),
    nodeInfo: r('NodeSystemInfo', 'Identity and versions of the node.'),
    images: atomic(r('ContainerImage'), 'Images present on the node.'),
    volumesInUse: strList('Attachable volumes in use on the node.'),
    volumesAttached: atomic(r('AttachedVolume'), 'Volumes attached to the node.'),
    config: r('NodeConfigStatus', 'Deprecated dynamic configuration status.'),
    runtimeHandlers: atomic(r('NodeRuntimeHandler'), 'Runtime handlers available on the node.'),
    features: r('NodeFeatures', 'Features the node implements.'),
  }, 'Observed state of a node.'),
  [P + 'NodeCondition']: condition('A condition of a node.', ['lastHeartbeatTime', 'lastTransitionTime']),
  [P + 'NodeAddress']: def({
    type: enumStr(['Hostname', 'InternalIP', 'ExternalIP', 'InternalDNS', 'ExternalDNS'], 'Address type.'),
    address: str('The address.'),
  }, 'An address of a node.', ['type', 'address']),
  [P + 'NodeDaemonEndpoints']: def({
    kubeletEndpoint: r('DaemonEndpoint', 'Endpoint of the kubelet.'),
  }, 'Endpoints of daemons running on a node.'),
  [P + 'DaemonEndpoint']: def({
    Port: int('Port number.'),
  }, 'A port a node daemon listens on.', ['Port']),
  [P + 'NodeSystemInfo']: def({
    machineID: str('Machine ID.'),
    systemUUID: str('System UUID.'),
    bootID: str('Boot ID.'),
    kernelVersion: str('Kernel version.'),
    osImage: str('Operating system image.'),
    containerRuntimeVersion: str('Container runtime name and version.'),
    kubeletVersion: str('Kubelet version.'),
    kubeProxyVersion: str('Deprecated kube-proxy version.'),
    operatingSystem: str('Operating system.'),
    architecture: str('CPU architecture.'),
    swap: r('NodeSwapStatus', 'Swap memory of the node.'),
  }, 'Identity and versions of a node.', ['machineID', 'systemUUID', 'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion', 'kubeletVersion', 'kubeProxyVersion', 'operatingSystem', 'architecture']),
  [P + 'NodeSwapStatus']: def({
    capacity: int64('Swap capacity in bytes.'),
  }, 'Swap memory of a node.'),
  [P + 'ContainerImage']: def({
    names: strList('Names of the image.'),
    sizeBytes: int64('Size of the image in bytes.'),
  }, 'An image present on a node.'),
  [P + 'AttachedVolume']: def({
    name: str('Volume name.'),
    devicePath: str('Device path where the volume is attached.'),
  }, 'A volume attached to a node.', ['name', 'devicePath']),
  [P + 'NodeConfigStatus']: def({
    assigned: r('NodeConfigSource', 'Configuration the node should use.'),
    active: r('NodeConfigSource', 'Configuration the node uses.'),
    lastKnownGood: r('NodeConfigSource', 'Configuration to fall back to.'),
    error: str('Problem applying the configuration.'),
  }, 'Deprecated dynamic kubelet configuration status.'),
  [P + 'NodeRuntimeHandler']: def({
    name: str('Handler name; empty for the default handler.'),
    features: r('NodeRuntimeHandlerFeatures', 'Features of the handler.'),
  }, 'A runtime handler of a node.'),
  [P + 'NodeRuntimeHandlerFeatures']: def({
    recursiveReadOnlyMounts: bool('Supports recursive read-only mounts.'),
    userNamespaces: bool('Supports user namespaces.'),
  }, 'Features of a runtime handler.'),
  [P + 'NodeFeatures']: def({
    supplementalGroupsPolicy: bool('Supports the supplementalGroupsPolicy field.'),
  }, 'Features a node implements.'),
  [P + 'Namespace']: kind(gvk('Namespace'), {
    spec: r('NamespaceSpec', 'Behaviour of the namespace.'),
    status: r('NamespaceStatus', 'Observed state of the namespace.'),
  }, { d: 'A scope for names.' }),
  [P + 'NamespaceList']: listKind(gvk('NamespaceList'), P + 'Namespace', 'The namespaces.'),
  [P + 'NamespaceSpec']: def({
    finalizers: strList('Finalizers that must be cleared before the namespace is removed.'),
  }, 'Behaviour of a namespace.'),
  [P + 'NamespaceStatus']: def({
    phase: enumStr(['Active', 'Terminating'], 'Lifecycle phase of the namespace.'),
    conditions: keyed(r('NamespaceCondition'), 'type', 'Current conditions of the namespace.'),
  }, 'Observed state of a namespace.'),
  [P + 'NamespaceCondition']: condition('A condition of a namespace.', ['lastTransitionTime']),
};

// ---- configuration, accounts, policy and misc ----

const misc: Definitions = {
  [P + 'ConfigMap']: kind(gvk('ConfigMap'), {
    immutable: bool('Forbid changes to the data once set.'),
    data: strMap('UTF-8 configuration values by key.'),
    binaryData: mapOf(bytes(), 'Binary configuration values by key, base64 in JSON.'),
  }, { d: 'Non-secret configuration data for pods.' }),
  [P + 'ConfigMapList']: listKind(gvk('ConfigMapList'), P + 'ConfigMap', 'The config maps.'),
  [P + 'Secret']: kind(gvk('Secret'), {
    immutable: bool('Forbid changes to the data once set.'),
    data: mapOf(bytes(), 'Secret values by key, base64 in JSON.'),
    stringData: strMap('Write-only plain-text values merged into data on write.'),
    type: str('Type of secret, which fixes the keys it must have; defaults to Opaque.'),
  }, { d: 'Sensitive data such as passwords, tokens or keys.' }),
  [P + 'SecretList']: listKind(gvk('SecretList'), P + 'Secret', 'The secrets.'),
  [P + 'ServiceAccount']: kind(gvk('ServiceAccount'), {
    secrets: keyed(r('ObjectReference'), 'name', 'Deprecated secrets the account may use.'),
    imagePullSecrets: atomic(r('LocalObjectReference'), 'Secrets added to pods using the account, for image pulls.'),
    automountServiceAccountToken: bool('Whether pods mount a token of the account by default.'),
  }, { d: 'An identity for processes in pods.' }),
  [P + 'ServiceAccountList']: listKind(gvk('ServiceAccountList'), P + 'ServiceAccount', 'The service accounts.'),
  [P + 'Event']: kind(gvk('Event'), {
    involvedObject: r('ObjectReference', 'Object the event is about.'),
    reason: str('Short machine-readable reason for the event.'),
    message: str('Human-readable description.'),
    source: r('EventSource', 'Component that reported the event.'),
    firstTimestamp: time('When the event was first recorded.'),
    lastTimestamp: time('When the event was most recently recorded.'),
    count: int('Times the event has occurred.'),
    type: str('Type of the event: Normal or Warning.'),
    eventTime: ref(MICRO_TIME, 'When the event was first observed.'),
    series: r('EventSeries', 'Data about a repeating series of this event.'),
    action: str('Action taken or failed on the object.'),
    related: r('ObjectReference', 'A second object involved.'),
    reportingComponent: str('Controller that emitted the event.'),
    reportingInstance: str('Instance of the controller that emitted the event.'),
  }, { d: 'A report of something that happened in the cluster.', required: ['metadata', 'involvedObject'] }),
  [P + 'EventList']: listKind(gvk('EventList'), P + 'Event', 'The events.'),
  [P + 'EventSource']: def({
    component: str('Component that reported the event.'),
    host: str('Node the event came from.'),
  }, 'Origin of an event.'),
  [P + 'EventSeries']: def({
    count: int('Occurrences in the series so far.'),
    lastObservedTime: ref(MICRO_TIME, 'When the last occurrence was seen.'),
  }, 'A series of repeated events.'),
  [P + 'ResourceQuota']: kind(gvk('ResourceQuota'), {
    spec: r('ResourceQuotaSpec', 'Limits enforced.'),
    status: r('ResourceQuotaStatus', 'Limits and current usage.'),
  }, { d: 'Aggregate resource limits for a namespace.' }),
  [P + 'ResourceQuotaList']: listKind(gvk('ResourceQuotaList'), P + 'ResourceQuota', 'The resource quotas.'),
  [P + 'ResourceQuotaSpec']: def({
    hard: resources('Limit per named resource.'),
    scopes: strList('Scopes an object must match to be counted.'),
    scopeSelector: r('ScopeSelector', 'Scope expressions an object must match to be counted.'),
  }, 'Limits of a resource quota.'),
  [P + 'ScopeSelector']: atomicObj({
    matchExpressions: atomic(r('ScopedResourceSelectorRequirement'), 'Requirements that must all hold.'),
  }, 'Selects objects by quota scope.'),
  [P + 'ScopedResourceSelectorRequirement']: def({
    scopeName: str('Quota scope.'),
    operator: enumStr(['In', 'NotIn', 'Exists', 'DoesNotExist'], 'How the scope relates to the values.'),
    values: strList('Values to compare with.'),
  }, 'A requirement on a quota scope.', ['scopeName', 'operator']),
  [P + 'ResourceQuotaStatus']: def({
    hard: resources('Enforced limit per resource.'),
    used: resources('Current usage per resource.'),
  }, 'Limits and usage of a resource quota.'),
  [P + 'LimitRange']: kind(gvk('LimitRange'), {
    spec: r('LimitRangeSpec', 'Limits enforced.'),
  }, { d: 'Per-object resource limits and defaults in a namespace.' }),
  [P + 'LimitRangeList']: listKind(gvk('LimitRangeList'), P + 'LimitRange', 'The limit ranges.'),
  [P + 'LimitRangeSpec']: def({
    limits: atomic(r('LimitRangeItem'), 'Limits per kind of object.'),
  }, 'Limits of a limit range.', ['limits']),
  [P + 'LimitRangeItem']: def({
    type: enumStr(['Pod', 'Container', 'PersistentVolumeClaim'], 'Kind of object limited.'),
    max: resources('Largest allowed amount per resource.'),
    min: resources('Smallest allowed amount per resource.'),
    default: resources('Default limits when none are given.'),
    defaultRequest: resources('Default requests when none are given.'),
    maxLimitRequestRatio: resources('Largest allowed limit-to-request ratio per resource.'),
  }, 'Limits for one kind of object.', ['type']),
  [P + 'ReplicationController']: kind(gvk('ReplicationController'), {
    spec: r('ReplicationControllerSpec', 'Desired behaviour.'),
    status: r('ReplicationControllerStatus', 'Observed state.'),
  }, { d: 'Keeps a number of pod replicas running (superseded by ReplicaSet).' }),
  [P + 'ReplicationControllerList']: listKind(gvk('ReplicationControllerList'), P + 'ReplicationController', 'The replication controllers.'),
  [P + 'ReplicationControllerSpec']: def({
    replicas: withDefault(int('Desired number of pods.'), 1),
    minReadySeconds: withDefault(int('Seconds a new pod must be ready to count as available.'), 0),
    selector: atomicMap('Labels of the pods counted; defaults to the template labels.'),
    template: r('PodTemplateSpec', 'Template of the pods created.'),
  }, 'Desired behaviour of a replication controller.'),
  [P + 'ReplicationControllerStatus']: def({
    replicas: int('Current number of pods.'),
    fullyLabeledReplicas: int('Pods whose labels match the template labels.'),
    readyReplicas: int('Ready pods.'),
    availableReplicas: int('Available pods.'),
    observedGeneration: int64('Generation last acted on.'),
    conditions: keyed(r('ReplicationControllerCondition'), 'type', 'Current conditions.'),
  }, 'Observed state of a replication controller.', ['replicas']),
  [P + 'ReplicationControllerCondition']: condition('A condition of a replication controller.', ['lastTransitionTime']),
  [P + 'ComponentStatus']: kind(gvk('ComponentStatus'), {
    conditions: keyed(r('ComponentCondition'), 'type', 'Health checks of the component.'),
  }, { d: 'Deprecated health of a control plane component.' }),
  [P + 'ComponentStatusList']: listKind(gvk('ComponentStatusList'), P + 'ComponentStatus', 'The component statuses.'),
  [P + 'ComponentCondition']: def({
    type: str('Condition type, such as Healthy.'),
    status: conditionStatus(),
    message: str('Details of the condition.'),
    error: str('Error of the health check.'),
  }, 'A health condition of a component.', ['type', 'status']),
};

export const definitions: Definitions = {
  ...references, ...containers, ...pod, ...volumes, ...persistentVolumes, ...services, ...nodes, ...misc,
};
