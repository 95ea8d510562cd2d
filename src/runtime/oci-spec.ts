// Turns a plain container description into an OCI runtime spec (config.json). Pure: everything it
// depends on (host limits, architecture) comes in through the arguments, so tests need no host.
// The shape follows what containerd's CRI plugin generates (pkg/cri/opts/spec_linux.go).
import { InvalidContainerSpec } from './errors.ts';
import {
  DEFAULT_CAPABILITIES,
  DEFAULT_DEVICES,
  DEFAULT_MASKED_PATHS,
  DEFAULT_NOFILE,
  DEFAULT_PATH_ENV,
  DEFAULT_READONLY_PATHS,
} from './oci-defaults.ts';
import type {
  OciDeviceCgroupRule,
  OciIdMapping,
  OciMount,
  OciNamespace,
  OciResources,
  OciRlimit,
  OciSeccomp,
  OciSpec,
} from './oci-spec-types.ts';
import { defaultSeccompProfile } from './seccomp-default.ts';

/** `new`: a fresh namespace; `host`: the runtime's own; `{ path }`: join, e.g. `/proc/PID/ns/net`. */
export type NamespaceMode = 'new' | 'host' | { path: string };

export interface VolumeMount {
  source: string;
  destination: string;
  readonly?: boolean;
  /** Mount propagation as Kubernetes names it: None, HostToContainer, Bidirectional. */
  propagation?: 'private' | 'rslave' | 'rshared';
}

export interface ContainerResources {
  memoryLimitBytes?: number;
  cpuShares?: number;
  cpuQuota?: number;
  cpuPeriod?: number;
  cpusetCpus?: string;
  cpusetMems?: string;
  pidsLimit?: number;
}

export interface UserNamespace {
  /** Join an existing user namespace instead of creating one with the mappings. */
  path?: string;
  uidMappings: OciIdMapping[];
  gidMappings: OciIdMapping[];
}

export interface ContainerSpecInput {
  args: string[];
  env?: string[];
  cwd?: string;
  user?: { uid: number; gid: number; additionalGids?: number[] };
  tty?: boolean;
  noNewPrivileges?: boolean;
  /** Capabilities added to / dropped from the default set (names with or without `CAP_`, or `ALL`). */
  capabilities?: { add?: string[]; drop?: string[] };
  rlimits?: OciRlimit[];
  /** Hard limits of the host (`readHostHardLimits()`): rlimits are clamped to them. */
  hostHardLimits?: Readonly<Record<string, number>>;
  rootfs: string;
  readonlyRootfs?: boolean;
  /** Applied only with a new UTS namespace: setting it in a joined one renames the whole pod. */
  hostname?: string;
  mounts?: VolumeMount[];
  /** Bind this directory as /dev/shm (the pod's shared memory) instead of a private tmpfs. */
  shmPath?: string;
  namespaces?: { pid?: NamespaceMode; network?: NamespaceMode; ipc?: NamespaceMode; uts?: NamespaceMode; mount?: NamespaceMode };
  userNamespace?: UserNamespace;
  resources?: ContainerResources;
  /** Absolute cgroup path, e.g. `/skiff/pod-UID/CONTAINER-ID`. */
  cgroupsPath: string;
  /** `default` (skiff's profile), `unconfined`, or a profile of the caller's own. */
  seccomp?: 'default' | 'unconfined' | OciSeccomp;
  maskedPaths?: string[];
  readonlyPaths?: string[];
  sysctls?: Record<string, string>;
  annotations?: Record<string, string>;
  oomScoreAdj?: number;
  /** Node's `process.arch`, for the seccomp architectures. */
  arch?: string;
}

function capName(name: string): string {
  const upper = name.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

function capabilitySet(caps: ContainerSpecInput['capabilities']): string[] {
  const drop = (caps?.drop ?? []).map(capName);
  if (drop.includes('CAP_ALL')) return [...new Set((caps?.add ?? []).map(capName))].filter((c) => c !== 'CAP_ALL');
  const set = new Set(DEFAULT_CAPABILITIES);
  for (const c of (caps?.add ?? []).map(capName)) if (c !== 'CAP_ALL') set.add(c);
  for (const c of drop) set.delete(c);
  return [...set];
}

function clampRlimits(requested: OciRlimit[] | undefined, host: Readonly<Record<string, number>>): OciRlimit[] {
  const wanted = requested ?? [{ type: 'RLIMIT_NOFILE', soft: DEFAULT_NOFILE, hard: DEFAULT_NOFILE }];
  return wanted.map((r) => {
    const ceiling = host[r.type] ?? Number.POSITIVE_INFINITY;
    const hard = Math.min(r.hard, ceiling);
    return { type: r.type, soft: Math.min(r.soft, hard), hard };
  });
}

function namespaceList(input: ContainerSpecInput): OciNamespace[] {
  const ns = input.namespaces ?? {};
  const out: OciNamespace[] = [];
  const add = (type: OciNamespace['type'], mode: NamespaceMode | undefined): void => {
    const m = mode ?? 'new';
    if (m === 'host') return;
    if (m === 'new') out.push({ type });
    else {
      if (!m.path.startsWith('/')) throw new InvalidContainerSpec(`${type} namespace path "${m.path}" must be absolute`);
      out.push({ type, path: m.path });
    }
  };
  add('pid', ns.pid);
  add('network', ns.network);
  add('ipc', ns.ipc);
  add('uts', ns.uts);
  const mountMode = ns.mount ?? 'new';
  if (mountMode === 'host') throw new InvalidContainerSpec('a container needs its own mount namespace');
  add('mount', mountMode);
  if (input.userNamespace) {
    out.push(input.userNamespace.path ? { type: 'user', path: input.userNamespace.path } : { type: 'user' });
  }
  return out;
}

function systemMounts(input: ContainerSpecInput, hasUserNs: boolean, newNetNs: boolean): OciMount[] {
  const mounts: OciMount[] = [
    { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
    { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      // gid=5 (tty) cannot be set from inside a user namespace that does not map it.
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...(hasUserNs ? [] : ['gid=5'])],
    },
    input.shmPath
      ? { destination: '/dev/shm', type: 'bind', source: input.shmPath, options: ['rbind', 'nosuid', 'noexec', 'nodev', 'rw'] }
      : { destination: '/dev/shm', type: 'tmpfs', source: 'shm', options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'] },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
  ];
  // sysfs can only be mounted by the owner of the network namespace; with a user namespace that
  // does not own it, bind the host's read-only instead.
  mounts.push(
    hasUserNs && !newNetNs
      ? { destination: '/sys', type: 'bind', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
      : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
  );
  mounts.push({
    destination: '/sys/fs/cgroup',
    type: 'cgroup',
    source: 'cgroup',
    options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
  });
  return mounts;
}

function volumeMounts(volumes: VolumeMount[]): OciMount[] {
  return volumes.map((v) => {
    if (!v.destination.startsWith('/')) throw new InvalidContainerSpec(`mount destination "${v.destination}" must be absolute`);
    if (!v.source.startsWith('/')) throw new InvalidContainerSpec(`mount source "${v.source}" must be absolute`);
    return {
      destination: v.destination,
      type: 'bind',
      source: v.source,
      options: ['rbind', v.propagation ?? 'rprivate', v.readonly ? 'ro' : 'rw'],
    };
  });
}

function deviceRules(): OciDeviceCgroupRule[] {
  const rules: OciDeviceCgroupRule[] = [{ allow: false, access: 'rwm' }];
  for (const d of DEFAULT_DEVICES) rules.push({ allow: true, type: 'c', major: d.major, minor: d.minor, access: 'rwm' });
  rules.push({ allow: true, type: 'c', major: 5, minor: 1, access: 'rwm' }); // /dev/console
  rules.push({ allow: true, type: 'c', major: 136, access: 'rwm' }); // /dev/pts/*
  return rules;
}

function resources(r: ContainerResources | undefined): OciResources {
  const out: OciResources = { devices: deviceRules() };
  if (!r) return out;
  if (r.memoryLimitBytes !== undefined) out.memory = { limit: r.memoryLimitBytes };
  const cpu: NonNullable<OciResources['cpu']> = {};
  if (r.cpuShares !== undefined) cpu.shares = r.cpuShares;
  if (r.cpuQuota !== undefined) cpu.quota = r.cpuQuota;
  if (r.cpuPeriod !== undefined) cpu.period = r.cpuPeriod;
  if (r.cpusetCpus !== undefined) cpu.cpus = r.cpusetCpus;
  if (r.cpusetMems !== undefined) cpu.mems = r.cpusetMems;
  if (Object.keys(cpu).length > 0) out.cpu = cpu;
  if (r.pidsLimit !== undefined) out.pids = { limit: r.pidsLimit };
  return out;
}

function seccomp(input: ContainerSpecInput): OciSeccomp | undefined {
  const s = input.seccomp ?? 'default';
  if (s === 'unconfined') return undefined;
  if (s === 'default') return defaultSeccompProfile(input.arch);
  return s;
}

export function generateOciSpec(input: ContainerSpecInput): OciSpec {
  if (input.args.length === 0) throw new InvalidContainerSpec('args must not be empty');
  if (!input.rootfs.startsWith('/')) throw new InvalidContainerSpec(`rootfs "${input.rootfs}" must be absolute`);
  if (!input.cgroupsPath.startsWith('/')) throw new InvalidContainerSpec(`cgroupsPath "${input.cgroupsPath}" must be absolute`);
  const env = [...(input.env ?? [])];
  if (!env.some((e) => e.startsWith('PATH='))) env.unshift(DEFAULT_PATH_ENV);
  const caps = capabilitySet(input.capabilities);
  const namespaces = namespaceList(input);
  const newUts = namespaces.some((n) => n.type === 'uts' && n.path === undefined);
  const newNet = namespaces.some((n) => n.type === 'network' && n.path === undefined);
  const user = input.user ?? { uid: 0, gid: 0 };
  const mounts = [...systemMounts(input, input.userNamespace !== undefined, newNet), ...volumeMounts(input.mounts ?? [])];
  const spec: OciSpec = {
    ociVersion: '1.0.2',
    process: {
      terminal: input.tty ?? false,
      user: {
        uid: user.uid,
        gid: user.gid,
        ...(user.additionalGids && user.additionalGids.length > 0 ? { additionalGids: [...user.additionalGids] } : {}),
      },
      args: [...input.args],
      env,
      cwd: input.cwd ?? '/',
      capabilities: { bounding: caps, effective: caps, permitted: caps, inheritable: [], ambient: [] },
      rlimits: clampRlimits(input.rlimits, input.hostHardLimits ?? {}),
      noNewPrivileges: input.noNewPrivileges ?? false,
      ...(input.oomScoreAdj !== undefined ? { oomScoreAdj: input.oomScoreAdj } : {}),
    },
    root: { path: input.rootfs, readonly: input.readonlyRootfs ?? false },
    ...(newUts && input.hostname ? { hostname: input.hostname } : {}),
    mounts,
    ...(input.annotations ? { annotations: { ...input.annotations } } : {}),
    linux: {
      namespaces,
      devices: DEFAULT_DEVICES.map((d) => ({ ...d })),
      resources: resources(input.resources),
      cgroupsPath: input.cgroupsPath,
      maskedPaths: [...(input.maskedPaths ?? DEFAULT_MASKED_PATHS)],
      readonlyPaths: [...(input.readonlyPaths ?? DEFAULT_READONLY_PATHS)],
    },
  };
  const profile = seccomp(input);
  if (profile) spec.linux.seccomp = profile;
  if (input.sysctls && Object.keys(input.sysctls).length > 0) spec.linux.sysctl = { ...input.sysctls };
  if (input.userNamespace && !input.userNamespace.path) {
    spec.linux.uidMappings = input.userNamespace.uidMappings.map((m) => ({ ...m }));
    spec.linux.gidMappings = input.userNamespace.gidMappings.map((m) => ({ ...m }));
  }
  return spec;
}
