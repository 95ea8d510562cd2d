// Shapes shared by the probe runners and the probe manager.
import type { Container } from '../../api/types/core-v1.ts';

export type ProbeKind = 'liveness' | 'readiness' | 'startup';

export interface ExecOutcome {
  exitCode: number;
  /** stdout and stderr together (what the Unhealthy event quotes). */
  output: string;
  /** The command ran past its timeout (exit code is then meaningless). */
  timedOut?: boolean;
}

/** Runs argv inside the container; supplied by the node agent (engine exec). */
export type ExecFn = (argv: string[], timeoutMs: number) => Promise<ExecOutcome>;

export interface ProbeContext {
  /** Default host for httpGet, tcpSocket and grpc (the pod IP; the node's for hostNetwork pods). */
  podIP: string;
  /** The probed container: named ports resolve against its `ports`; exec expands its static env. */
  container: Container;
  exec?: ExecFn;
}

export interface ProbeOutcome {
  result: 'success' | 'failure';
  message: string;
  /** Success that upstream reports as a ProbeWarning event (e.g. a redirect to another host). */
  warning?: boolean;
  /**
   * The probe could not be run at all (bad port, exec unavailable). kubelet records an event and
   * throws the result away (pkg/kubelet/prober/worker.go): the state does not change.
   */
  errored?: boolean;
}
