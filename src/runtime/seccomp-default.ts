// skiff's default seccomp profile: allow by default, refuse with EPERM the system calls that let a
// container reach past its namespaces (kernel modules, kexec, mounting, keyrings, ptrace of other
// processes, clock changes, new namespaces, BPF, perf). Most of these need capabilities the default
// set lacks anyway; the filter is a second wall for containers that are granted more.
import type { OciSeccomp, OciSeccompRule } from './oci-spec-types.ts';

const EPERM = 1;
const ENOSYS = 38;

const DENIED: readonly string[] = [
  'acct',
  'add_key',
  'bpf',
  'clock_adjtime',
  'clock_settime',
  'create_module',
  'delete_module',
  'finit_module',
  'fsconfig',
  'fsmount',
  'fsopen',
  'fspick',
  'get_kernel_syms',
  'init_module',
  'ioperm',
  'iopl',
  'kcmp',
  'kexec_file_load',
  'kexec_load',
  'keyctl',
  'lookup_dcookie',
  'mount',
  'mount_setattr',
  'move_mount',
  'name_to_handle_at',
  'nfsservctl',
  'open_by_handle_at',
  'open_tree',
  'perf_event_open',
  'pivot_root',
  'process_vm_readv',
  'process_vm_writev',
  'ptrace',
  'query_module',
  'quotactl',
  'reboot',
  'request_key',
  'setns',
  'settimeofday',
  'swapoff',
  'swapon',
  'syslog',
  'sysfs',
  '_sysctl',
  'umount2',
  'unshare',
  'uselib',
  'userfaultfd',
  'ustat',
];

// clone(2) flags that create namespaces; clone is refused when any of them is set.
const NAMESPACE_CLONE_FLAGS: readonly number[] = [
  0x00020000, // CLONE_NEWNS
  0x02000000, // CLONE_NEWCGROUP
  0x04000000, // CLONE_NEWUTS
  0x08000000, // CLONE_NEWIPC
  0x10000000, // CLONE_NEWUSER
  0x20000000, // CLONE_NEWPID
  0x40000000, // CLONE_NEWNET
];

function architectures(arch: string): string[] {
  if (arch === 'arm64') return ['SCMP_ARCH_AARCH64', 'SCMP_ARCH_ARM'];
  return ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32'];
}

/** The profile; `arch` is Node's `process.arch`. */
export function defaultSeccompProfile(arch: string = process.arch): OciSeccomp {
  const syscalls: OciSeccompRule[] = [
    { names: [...DENIED], action: 'SCMP_ACT_ERRNO', errnoRet: EPERM },
    // clone3 passes its flags in memory a filter cannot read: answer ENOSYS so libc falls back to
    // clone, whose flags the rules below can check.
    { names: ['clone3'], action: 'SCMP_ACT_ERRNO', errnoRet: ENOSYS },
  ];
  // The clone flags argument is the first on every architecture skiff runs on (x86_64, arm64).
  for (const flag of NAMESPACE_CLONE_FLAGS) {
    syscalls.push({
      names: ['clone'],
      action: 'SCMP_ACT_ERRNO',
      errnoRet: EPERM,
      args: [{ index: 0, value: flag, valueTwo: flag, op: 'SCMP_CMP_MASKED_EQ' }],
    });
  }
  return { defaultAction: 'SCMP_ACT_ALLOW', architectures: architectures(arch), syscalls };
}
