// The runtime handlers a node offers: what a RuntimeClass's `handler` names, mapped to the OCI
// runtime binary and the flags every call of it needs (the role of containerd's
// `[plugins.cri.containerd.runtimes.<handler>]` and CRI-O's `[crio.runtime.runtimes.<handler>]`).
// A handler is offered when its binary is installed.
//
// gvisor is Debian's runsc (0.0~20221219): `--platform=ptrace` because `systrap` is newer than
// this build and KVM is not offered; `--network=host` because its own network stack
// (`--network=sandbox`) cannot start on this kernel (runsc decides it runs in the root network
// namespace when /proc/sys/net/core/rmem_default exists, which every namespace has on Linux 6).
// With `host`, the sandbox joins the pod's network namespace from the OCI spec and its sockets
// are the host kernel's in that namespace, so the CNI-made veth, the pod IP and services work as
// for runc. The rest of the kernel (processes, files, /proc, uname, dmesg) is gVisor's.
import { findBinary } from './find-binary.ts';

export interface RuntimeHandler {
  /** The name a RuntimeClass's `handler` uses (also Node status.runtimeHandlers[].name). */
  name: string;
  /** The OCI runtime binary, looked up on PATH. */
  binary: string;
  /** Global flags placed before the subcommand of every call (after `--root`). */
  globalArgs: readonly string[];
  /** Whether `exec` takes `--tty` (runsc reads `terminal` from the process file instead). */
  execTtyFlag: boolean;
  /** Each container is its own VM-like sandbox: its cgroup readings are the sandbox's. */
  sandboxed: boolean;
}

export const RUNTIME_HANDLERS: readonly RuntimeHandler[] = [
  { name: 'runc', binary: 'runc', globalArgs: [], execTtyFlag: true, sandboxed: false },
  { name: 'crun', binary: 'crun', globalArgs: [], execTtyFlag: true, sandboxed: false },
  { name: 'gvisor', binary: 'runsc', globalArgs: ['--platform=ptrace', '--network=host'], execTtyFlag: false, sandboxed: true },
];

export function runtimeHandler(name: string): RuntimeHandler | undefined {
  return RUNTIME_HANDLERS.find((h) => h.name === name);
}

/** The handlers whose binary this host has, in table order. */
export function availableRuntimeHandlers(find: (binary: string) => string | undefined = findBinary): RuntimeHandler[] {
  return RUNTIME_HANDLERS.filter((h) => find(h.binary) !== undefined);
}
