// Adapts a container exec (src/runtime ContainerManager.exec: argv, AbortSignal) to the probe exec
// contract: combined output, and a timeout reported as such (pkg/kubelet/prober execInContainer
// with the ExecProbeTimeout behaviour: a probe that runs too long fails).
import type { ExecOutcome } from './types.ts';

export interface ContainerExecutor {
  exec(id: string, argv: string[], options: { signal?: AbortSignal }): Promise<{ exitCode: number; stdout: Buffer; stderr: Buffer }>;
}

export function execWithTimeout(containers: ContainerExecutor): (containerId: string, argv: string[], timeoutMs: number) => Promise<ExecOutcome> {
  return async (containerId, argv, timeoutMs) => {
    const signal = AbortSignal.timeout(timeoutMs);
    try {
      const out = await containers.exec(containerId, argv, { signal });
      return { exitCode: out.exitCode, output: Buffer.concat([out.stdout, out.stderr]).toString('utf8') };
    } catch (err) {
      if (signal.aborted) return { exitCode: -1, output: '', timedOut: true };
      throw err;
    }
  };
}
