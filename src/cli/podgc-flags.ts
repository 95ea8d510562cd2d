// The pod garbage collector's flags on `skiff server` and `skiff up`: upstream's
// --terminated-pod-gc-threshold (12500), and a hidden quarantine for pods of a missing node
// (upstream's fixed 40 s), so end-to-end tests need not wait for it.
import { Option, type Command } from 'commander';
import type { PodGCOptions } from '../controllers/podgc/podgc-controller.ts';
import { parseDurationFlag } from './duration-flag.ts';

export interface PodGCFlags {
  terminatedPodGcThreshold: string;
  podGcOrphanQuarantine?: string;
}

export function addPodGCFlags(cmd: Command): Command {
  return cmd
    .option('--terminated-pod-gc-threshold <n>', 'finished pods kept before the pod garbage collector deletes the oldest (0: keep them all)', '12500')
    .addOption(new Option('--pod-gc-orphan-quarantine <duration>', 'how long a node must be missing before the pod garbage collector deletes its pods (tests only; upstream: 40s)').hideHelp());
}

export function podGCFromFlags(flags: PodGCFlags): PodGCOptions {
  const v = flags.terminatedPodGcThreshold.trim();
  const threshold = Number(v);
  if (!/^\d+$/.test(v) || !Number.isSafeInteger(threshold)) throw new Error(`--terminated-pod-gc-threshold "${flags.terminatedPodGcThreshold}": expected a whole number (0 or more)`);
  const out: PodGCOptions = { terminatedPodThreshold: threshold };
  if (flags.podGcOrphanQuarantine !== undefined) out.quarantineMs = parseDurationFlag('--pod-gc-orphan-quarantine', flags.podGcOrphanQuarantine);
  return out;
}
