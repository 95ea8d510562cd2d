// Defaults every container gets unless its description says otherwise. The capability set and the
// masked/read-only /proc paths are those containerd applies (containerd/oci/spec.go and
// pkg/cri/opts/spec_linux.go), which Kubernetes users expect.
import type { OciDevice } from './oci-spec-types.ts';

export const DEFAULT_CAPABILITIES: readonly string[] = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_FSETID',
  'CAP_FOWNER',
  'CAP_MKNOD',
  'CAP_NET_RAW',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETFCAP',
  'CAP_SETPCAP',
  'CAP_NET_BIND_SERVICE',
  'CAP_SYS_CHROOT',
  'CAP_KILL',
  'CAP_AUDIT_WRITE',
];

export const DEFAULT_MASKED_PATHS: readonly string[] = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/proc/scsi',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
];

export const DEFAULT_READONLY_PATHS: readonly string[] = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

export const DEFAULT_PATH_ENV = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

const charDevice = (path: string, major: number, minor: number): OciDevice => ({
  type: 'c',
  path,
  major,
  minor,
  fileMode: 0o666,
  uid: 0,
  gid: 0,
});

/** Device nodes created in the container's /dev (a tmpfs); /dev/pts/ptmx comes with devpts. */
export const DEFAULT_DEVICES: readonly OciDevice[] = [
  charDevice('/dev/null', 1, 3),
  charDevice('/dev/zero', 1, 5),
  charDevice('/dev/full', 1, 7),
  charDevice('/dev/random', 1, 8),
  charDevice('/dev/urandom', 1, 9),
  charDevice('/dev/tty', 5, 0),
  charDevice('/dev/ptmx', 5, 2),
];

/** The rlimit a container gets when its description names none (containerd's default). */
export const DEFAULT_NOFILE = 1_048_576;
