// Runs a short-lived host tool (unshare, umount, ip, iptables) and collects its output.
import { runProcess } from '../spawner/run-process.ts';

export interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

export async function runCommand(file: string, args: readonly string[]): Promise<CommandResult> {
  const r = await runProcess(file, args);
  return { code: r.code ?? (r.signal ? 128 : 1), stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}
