// The node's conditions from what the machine reports, with upstream's default eviction
// thresholds as pressure limits (memory.available<100Mi, nodefs.available<10%, pids over 90 %)
// and transition times kept while a condition holds (pkg/kubelet/nodestatus/setters.go).
import type { NodeCondition } from '../../api/types/core-v1.ts';
import type { MachineFacts } from './node-info.ts';

const MEMORY_THRESHOLD = 100 * 1024 * 1024;

interface Verdict { type: string; status: 'True' | 'False'; reason: string; message: string }

/** `memoryPressure`: the eviction manager's verdict (its threshold), when it runs. */
export function conditionVerdicts(facts: MachineFacts, overrides: { memoryPressure?: boolean | undefined } = {}): Verdict[] {
  const memory = overrides.memoryPressure ?? facts.memoryAvailableBytes < MEMORY_THRESHOLD;
  const disk = facts.storageBytes > 0 && facts.storageAvailableBytes < facts.storageBytes * 0.1;
  const pids = facts.pidMax > 0 && facts.pidsInUse > facts.pidMax * 0.9;
  return [
    memory
      ? { type: 'MemoryPressure', status: 'True', reason: 'KubeletHasInsufficientMemory', message: 'kubelet has insufficient memory available' }
      : { type: 'MemoryPressure', status: 'False', reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    disk
      ? { type: 'DiskPressure', status: 'True', reason: 'KubeletHasDiskPressure', message: 'kubelet has disk pressure' }
      : { type: 'DiskPressure', status: 'False', reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    pids
      ? { type: 'PIDPressure', status: 'True', reason: 'KubeletHasInsufficientPID', message: 'kubelet has insufficient PID available' }
      : { type: 'PIDPressure', status: 'False', reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' },
  ];
}

/** New conditions: heartbeat `now`, transition time carried over while the status is unchanged. */
export function nextConditions(previous: NodeCondition[] | undefined, verdicts: Verdict[], now: string): NodeCondition[] {
  return verdicts.map((v) => {
    const old = previous?.find((c) => c.type === v.type);
    return {
      type: v.type,
      status: v.status,
      lastHeartbeatTime: now,
      lastTransitionTime: old && old.status === v.status && old.lastTransitionTime ? old.lastTransitionTime : now,
      reason: v.reason,
      message: v.message,
    };
  });
}

/** Whether two condition lists differ in anything but heartbeat times. */
export function conditionsChanged(a: NodeCondition[] | undefined, b: NodeCondition[]): boolean {
  const strip = (cs: NodeCondition[] | undefined): string =>
    JSON.stringify((cs ?? []).map(({ lastHeartbeatTime: _h, ...rest }) => rest).sort((x, y) => (x.type < y.type ? -1 : 1)));
  return strip(a) !== strip(b);
}
