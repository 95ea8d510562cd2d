// Turns a pod's container into what the engine creates: process (from the image config, command,
// args and env), user and security settings, cgroup resources, and bind mounts (pod files,
// volumes, the termination-message file) — pkg/kubelet/kuberuntime/kuberuntime_container.go
// generateContainerConfig and kuberuntime_container_linux.go / security_context.go.
import type { Container, Pod } from '../../api/types/core-v1.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';
import type { ContainerResources, VolumeMount } from '../../runtime/oci-spec.ts';
import type { SandboxContainerDescription } from '../../runtime/sandbox/index.ts';
import { mergeImageConfig, resolveUser } from '../../runtime/engine-image-config.ts';
import { ContainerConfigError } from '../env/index.ts';
import type { ResolvedImage } from './image-manager.ts';

/** Every capability a privileged container gets (the kernel's full set as of Linux 6.x). */
const ALL_CAPABILITIES = [
  'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP',
  'LINUX_IMMUTABLE', 'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER',
  'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT', 'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE',
  'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE', 'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP',
  'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ', 'PERFMON', 'BPF',
  'CHECKPOINT_RESTORE',
];

const CPU_PERIOD = 100_000;
const MIN_SHARES = 2;
const MAX_SHARES = 262_144;

/** CPU shares for a request of `cpus` (MilliCPUToShares). */
function cpuShares(cpus: number): number {
  return Math.min(MAX_SHARES, Math.max(MIN_SHARES, Math.floor((Math.round(cpus * 1000) * 1024) / 1000)));
}

/** CFS quota and period for a limit of `cpus` (MilliCPUToQuota). */
function cpuQuota(cpus: number): Pick<ContainerResources, 'cpuQuota' | 'cpuPeriod'> {
  return { cpuQuota: Math.max(1000, Math.floor((Math.round(cpus * 1000) * CPU_PERIOD) / 1000)), cpuPeriod: CPU_PERIOD };
}

/** requests.cpu → shares, limits.cpu → CFS quota, limits.memory → memory limit (pkg/kubelet/cm/helpers_linux.go). */
export function containerResources(c: Container): ContainerResources {
  const requests = c.resources?.requests ?? {};
  const limits = c.resources?.limits ?? {};
  const cpuRequest = requests.cpu ?? limits.cpu;
  const out: ContainerResources = { cpuShares: cpuRequest !== undefined ? cpuShares(parseQuantity(cpuRequest)) : MIN_SHARES };
  if (limits.cpu !== undefined) Object.assign(out, cpuQuota(parseQuantity(limits.cpu)));
  if (limits.memory !== undefined) out.memoryLimitBytes = Math.floor(parseQuantity(limits.memory));
  return out;
}

/**
 * The pod cgroup's limits (pkg/kubelet/cm/helpers_linux.go ResourceConfigForPod): shares from the
 * pod's CPU request; a CPU quota and a memory limit only when every container declares that limit.
 * The pod's figure for a resource is the larger of its app containers' sum and its largest init
 * container (init containers run one at a time, before the others).
 */
export function podCgroupResources(pod: Pod): ContainerResources {
  const apps = pod.spec?.containers ?? [];
  const inits = pod.spec?.initContainers ?? [];
  const amount = (c: Container, kind: 'requests' | 'limits', name: 'cpu' | 'memory'): number | undefined => {
    const q = c.resources?.[kind]?.[name] ?? (kind === 'requests' ? c.resources?.limits?.[name] : undefined);
    return q === undefined ? undefined : parseQuantity(q);
  };
  const podAmount = (kind: 'requests' | 'limits', name: 'cpu' | 'memory'): number => Math.max(
    apps.reduce((sum, c) => sum + (amount(c, kind, name) ?? 0), 0),
    ...inits.map((c) => amount(c, kind, name) ?? 0),
  );
  const declared = (name: 'cpu' | 'memory'): boolean => apps.length > 0 && apps.every((c) => amount(c, 'limits', name) !== undefined);
  // The RuntimeClass's overhead (spec.overhead) counts as the pod's own requests and limits
  // (resource.PodRequests/PodLimits); a BestEffort pod keeps the minimum shares.
  const overhead = (name: 'cpu' | 'memory'): number => {
    const q = pod.spec?.overhead?.[name];
    return q === undefined ? 0 : parseQuantity(q);
  };
  const bestEffort = [...apps, ...inits].every((c) => (['cpu', 'memory'] as const).every((n) => amount(c, 'requests', n) === undefined));
  const out: ContainerResources = { cpuShares: cpuShares(podAmount('requests', 'cpu') + (bestEffort ? 0 : overhead('cpu'))) };
  if (declared('cpu')) Object.assign(out, cpuQuota(podAmount('limits', 'cpu') + overhead('cpu')));
  if (declared('memory')) out.memoryLimitBytes = Math.floor(podAmount('limits', 'memory') + overhead('memory'));
  return out;
}

export interface ContainerConfigInput {
  pod: Pod;
  container: Container;
  image: ResolvedImage;
  env: string[];
  command?: string[] | undefined;
  args?: string[] | undefined;
  mounts: VolumeMount[];
  labels: Record<string, string>;
  /** Host file for the termination message, mounted at terminationMessagePath. */
  terminationLogPath?: string;
}

export async function containerConfig(input: ContainerConfigInput): Promise<SandboxContainerDescription> {
  const { pod, container: c, image } = input;
  const merged = mergeImageConfig(image.details.config, {
    ...(input.command && input.command.length > 0 ? { entrypoint: input.command } : {}),
    ...(input.args && input.args.length > 0 ? { args: input.args } : {}),
    env: input.env,
    ...(c.workingDir ? { workingDir: c.workingDir } : {}),
  });
  const psc = pod.spec?.securityContext ?? {};
  const sc = c.securityContext ?? {};
  const runAsUser = sc.runAsUser ?? psc.runAsUser;
  const runAsGroup = sc.runAsGroup ?? psc.runAsGroup;
  const runAsNonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
  let user: { uid: number; gid: number; additionalGids?: number[] };
  if (runAsUser !== undefined) {
    user = { uid: runAsUser, gid: runAsGroup ?? 0 };
  } else {
    // The image's user; a name must resolve through the image's /etc/passwd.
    const imageUser = merged.userSpec;
    if (runAsNonRoot && imageUser !== '' && !/^\d+(:\d*)?$/.test(imageUser)) {
      throw new ContainerConfigError(`container has runAsNonRoot and image has non-numeric user (${imageUser.split(':')[0]}), cannot verify user is non-root`);
    }
    try {
      user = await resolveUser(imageUser, image.lowerDirs);
    } catch (err) {
      throw new ContainerConfigError((err as Error).message, { cause: err });
    }
    if (runAsGroup !== undefined) user.gid = runAsGroup;
  }
  // pkg/kubelet/kuberuntime/security_context_others.go verifyRunAsNonRoot.
  if (runAsNonRoot && user.uid === 0) {
    throw new ContainerConfigError(runAsUser !== undefined ? 'container\'s runAsUser breaks non-root policy' : 'container has runAsNonRoot and image will run as root');
  }
  const groups = [...(psc.supplementalGroups ?? []), ...(psc.fsGroup !== undefined ? [psc.fsGroup] : [])];
  if (groups.length > 0) user.additionalGids = [...new Set(groups)];
  const privileged = sc.privileged === true;
  const mounts = [...input.mounts];
  if (input.terminationLogPath) {
    mounts.push({ source: input.terminationLogPath, destination: c.terminationMessagePath ?? '/dev/termination-log' });
  }
  const sysctls = Object.fromEntries((psc.sysctls ?? []).map((s) => [s.name, s.value]));
  return {
    name: `${pod.metadata.namespace}_${pod.metadata.name}_${c.name}`.slice(0, 200),
    rootfs: { lowerDirs: image.lowerDirs },
    args: merged.args,
    env: merged.env,
    cwd: merged.cwd,
    user,
    tty: c.tty === true,
    stdin: c.stdin === true,
    // no_new_privs only when privilege escalation is explicitly refused (as upstream).
    noNewPrivileges: sc.allowPrivilegeEscalation === false && !privileged,
    readonlyRootfs: sc.readOnlyRootFilesystem === true,
    mounts,
    resources: containerResources(c),
    labels: input.labels,
    ...(Object.keys(sysctls).length > 0 ? { sysctls } : {}),
    ...(privileged
      ? { capabilities: { add: ALL_CAPABILITIES }, seccomp: 'unconfined' as const, maskedPaths: [], readonlyPaths: [] }
      : sc.capabilities
        ? { capabilities: { ...(sc.capabilities.add ? { add: sc.capabilities.add } : {}), ...(sc.capabilities.drop ? { drop: sc.capabilities.drop } : {}) } }
        : {}),
    ...(sc.seccompProfile?.type === 'Unconfined' ? { seccomp: 'unconfined' as const } : {}),
  };
}
