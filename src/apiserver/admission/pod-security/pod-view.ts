// The parts of a pod the Pod Security Standards read. Loose on purpose: the checks read the
// security fields of any pod-shaped JSON (a Pod, or a workload's template), including fields the
// rest of skiff does not model (seLinuxOptions, windowsOptions, hostUsers, os, legacy volume types).

export interface SELinuxOptionsView { user?: string; role?: string; type?: string; level?: string }
export interface ProfileView { type?: string; localhostProfile?: string }
export interface WindowsOptionsView { hostProcess?: boolean }

export interface ContainerSecurityView {
  privileged?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] } | null;
  procMount?: string;
  seccompProfile?: ProfileView | null;
  seLinuxOptions?: SELinuxOptionsView | null;
  appArmorProfile?: ProfileView | null;
  windowsOptions?: WindowsOptionsView | null;
  runAsNonRoot?: boolean;
  runAsUser?: number;
}

export interface HostView { host?: string }
export interface HandlerView { httpGet?: HostView | null; tcpSocket?: HostView | null }

export interface ContainerView {
  name: string;
  image?: string;
  ports?: Array<{ hostPort?: number }>;
  securityContext?: ContainerSecurityView | null;
  livenessProbe?: HandlerView | null;
  readinessProbe?: HandlerView | null;
  startupProbe?: HandlerView | null;
  lifecycle?: { postStart?: HandlerView | null; preStop?: HandlerView | null } | null;
}

export interface PodSecurityView {
  runAsNonRoot?: boolean;
  runAsUser?: number;
  seccompProfile?: ProfileView | null;
  seLinuxOptions?: SELinuxOptionsView | null;
  appArmorProfile?: ProfileView | null;
  windowsOptions?: WindowsOptionsView | null;
  sysctls?: Array<{ name: string; value?: string }>;
}

/** A volume: its name and one source, keyed by the source's JSON name. */
export type VolumeView = { name: string } & Record<string, unknown>;

export interface PodSpecView {
  containers?: ContainerView[];
  initContainers?: ContainerView[];
  ephemeralContainers?: ContainerView[];
  volumes?: VolumeView[];
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  hostUsers?: boolean;
  os?: { name?: string } | null;
  runtimeClassName?: string;
  securityContext?: PodSecurityView | null;
}

export interface PodMetaView { name?: string; annotations?: Record<string, string> }
