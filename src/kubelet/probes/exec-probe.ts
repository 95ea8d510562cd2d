// exec probes, as pkg/probe/exec/exec.go and pkg/kubelet/prober/prober.go: the command is expanded
// with the container's static env values only (ExpandContainerCommandOnlyStatic); exit 0 is
// success, any other exit is failure quoting the output, a timeout is a failure.
import type { Container, ExecAction } from '../../api/types/core-v1.ts';
import { expand } from '../env/index.ts';
import type { ExecFn, ProbeOutcome } from './types.ts';

/** Output kept for the message, as upstream's 10 KiB limit. */
const MAX_OUTPUT = 10 * 1024;

export function staticCommand(command: string[], container: Container): string[] {
  // v1 EnvVarsToMap: every name maps to its literal value ("" for valueFrom ones).
  const env = new Map((container.env ?? []).map((e) => [e.name, e.value ?? '']));
  return command.map((c) => expand(c, (name) => env.get(name)));
}

export async function execProbe(action: ExecAction, container: Container, exec: ExecFn | undefined, timeoutMs: number): Promise<ProbeOutcome> {
  if (!exec) return { result: 'failure', message: 'exec probes need an exec function', errored: true };
  const argv = staticCommand(action.command ?? [], container);
  let out;
  try {
    out = await exec(argv, timeoutMs);
  } catch (err) {
    return { result: 'failure', message: (err as Error).message, errored: true };
  }
  if (out.timedOut) return { result: 'failure', message: `command "${argv.join(' ')}" timed out` };
  const message = out.output.slice(0, MAX_OUTPUT);
  return out.exitCode === 0 ? { result: 'success', message } : { result: 'failure', message };
}
