// Which init containers a sync starts or kills, and whether the pod is initialized: upstream's
// computeInitContainerActions (pkg/kubelet/kuberuntime/kuberuntime_container.go) with sidecars
// (init containers with restartPolicy Always, KEP-753). Regular init containers run one after
// the other, each to success; a sidecar counts as initialized once it runs and its startup probe
// (if any) passed, the next init container then starts while it keeps running, and it is started
// again whenever it stops — also after the pod was initialized, when the regular ones are done with.
import type { Container } from '../../api/types/core-v1.ts';
import { isSidecar } from '../status/pod-status.ts';

export interface InitContainerView {
  container: Container;
  /** The latest run, if any. */
  latest?: { state: 'created' | 'running' | 'stopped'; exitCode?: number };
  /** Probe results of the running container (sidecars only are probed); livenessFailed: a startup or liveness failure. */
  verdict?: { started?: boolean; livenessFailed?: boolean };
}

export interface InitActions {
  /** Indexes of init containers to start (or start again), in spec order. */
  start: number[];
  /** Running sidecars to stop (failed startup or liveness probe); they start again on a later sync. */
  kill: Array<{ index: number; probe: 'startup' | 'liveness'; message: string }>;
  /** Every init container did its part: the app containers may run. */
  initialized: boolean;
  /** A regular init container failed under restartPolicy Never: the pod fails. */
  failed: boolean;
}

export interface InitActionsInput {
  init: InitContainerView[];
  /** An app container has been created or runs: initialization happened before. */
  appStarted: boolean;
  restartPolicy: 'Always' | 'OnFailure' | 'Never';
}

export function computeInitActions({ init, appStarted, restartPolicy }: InitActionsInput): InitActions {
  if (init.length === 0) return { start: [], kill: [], initialized: true, failed: false };
  let initialized = appStarted;
  // Whether the init containers before the current one are done with (the one after it ran).
  // Walked from the last, as upstream does, so the latest one that ran decides what comes next.
  let previously = appStarted;
  const start: number[] = [];
  const kill: InitActions['kill'] = [];
  const last = init.length - 1;
  for (let i = last; i >= 0; i--) {
    const { container: c, latest, verdict = {} } = init[i]!;
    const sidecar = isSidecar(c);
    if (!latest) {
      // Never ran (or its run is gone): a sidecar before the frontier must run again.
      if (previously && sidecar) start.push(i);
      continue;
    }
    // After initialization only sidecars need keeping.
    if (previously && !sidecar) continue;
    if (latest.state === 'running' && sidecar) {
      if (c.startupProbe && verdict.started !== true) {
        // Not started yet: nothing after it may start. A failed startup probe restarts it.
        if (verdict.livenessFailed) kill.push({ index: i, probe: 'startup', message: `Init container ${c.name} failed startup probe` });
      } else {
        if (i === last) initialized = true;
        else if (!previously) start.push(i + 1);
        // Its liveness probe does not hold the next one back, but a failure restarts it.
        if (verdict.livenessFailed) kill.push({ index: i, probe: 'liveness', message: `Init container ${c.name} failed liveness probe` });
      }
    } else if (latest.state === 'stopped') {
      if (sidecar) start.push(i);
      else if (latest.exitCode !== 0) {
        if (restartPolicy === 'Never') return { start: [], kill: [], initialized: false, failed: true };
        start.push(i);
      } else if (i === last) initialized = true;
      else start.push(i + 1);
    }
    // created, or a regular init container running: wait for it.
    previously = true;
  }
  if (!previously) start.push(0);
  start.reverse();
  return { start, kill, initialized, failed: false };
}
