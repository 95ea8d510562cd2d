// Runs a helper binary to completion and collects its output; failures become RuntimeCommandFailed.
import { spawn } from 'node:child_process';
import { RuntimeCommandFailed } from './errors.ts';

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

export function execFile(file: string, args: string[], options: ExecFileOptions = {}): Promise<ExecResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
      env: options.env ?? process.env,
      timeout: options.timeoutMs ?? 60_000,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (b: Buffer) => out.push(b));
    child.stderr?.on('data', (b: Buffer) => err.push(b));
    child.on('error', (e) => reject(new RuntimeCommandFailed(`${file} ${args.join(' ')}`, null, e.message, { cause: e })));
    child.on('close', (code) => {
      const result = { stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), exitCode: code ?? -1 };
      if (code === 0 || options.allowFailure) resolve(result);
      else reject(new RuntimeCommandFailed(`${file} ${args.join(' ')}`, code, result.stderr || result.stdout));
    });
    if (options.input !== undefined && child.stdin) child.stdin.end(options.input);
  });
}
