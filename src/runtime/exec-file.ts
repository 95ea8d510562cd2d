// Runs a helper binary to completion and collects its output; failures become RuntimeCommandFailed.
import { RuntimeCommandFailed } from './errors.ts';
import { runProcess } from './spawner/run-process.ts';

export interface ExecResult {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface ExecFileOptions {
  input?: string;
  /** Resolve with the exit code instead of throwing when it is not 0. */
  allowFailure?: boolean;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export async function execFile(file: string, args: string[], options: ExecFileOptions = {}): Promise<ExecResult> {
  let r;
  try {
    r = await runProcess(file, args, {
      ...(options.input !== undefined ? { input: options.input } : {}),
      ...(options.env ? { env: options.env } : {}),
      timeoutMs: options.timeoutMs ?? 60_000,
    });
  } catch (e) {
    throw new RuntimeCommandFailed(`${file} ${args.join(' ')}`, null, (e as Error).message, { cause: e });
  }
  const result = { stdout: r.stdout.toString(), stderr: r.stderr.toString(), exitCode: r.code ?? -1 };
  if (r.code === 0 || options.allowFailure) return result;
  const why = r.timedOut ? `killed after ${options.timeoutMs ?? 60_000} ms` : result.stderr || result.stdout;
  throw new RuntimeCommandFailed(`${file} ${args.join(' ')}`, r.code, why);
}
