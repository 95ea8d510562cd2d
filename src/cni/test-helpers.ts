// Shared by the real-kernel tests of this folder: unique bridge names, host probes and cleanup
// checks. Only addresses inside the test's own subnet and loopback are ever contacted.
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';

const execFileP = promisify(execFile);

export function testBridgeName(): string {
  return `skifft${randomBytes(3).toString('hex')}`;
}

export async function sh(file: string, args: string[]): Promise<{ ok: boolean; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await execFileP(file, args, { encoding: 'utf8' });
    return { ok: true, stdout, stderr };
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    return { ok: false, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export async function ping(ip: string, netns?: string): Promise<boolean> {
  const args = ['ping', '-c1', '-W1', ip];
  const r = netns ? await sh('nsenter', [`--net=${netns}`, 'busybox', ...args]) : await sh('busybox', args);
  return r.ok;
}

/** Lines of iptables-save mentioning CNI (all tables); empty when iptables is absent. */
export async function cniIptablesLines(): Promise<string[]> {
  const r = await sh('iptables-save', []);
  return r.stdout.split('\n').filter((l) => l.includes('CNI'));
}

export async function linkExists(name: string, netns?: string): Promise<boolean> {
  const args = ['link', 'show', name];
  return (netns ? await sh('nsenter', [`--net=${netns}`, 'ip', ...args]) : await sh('ip', args)).ok;
}


export function median(xs: number[]): string {
  const sorted = [...xs].sort((a, b) => a - b);
  return (sorted[Math.floor(sorted.length / 2)] ?? NaN).toFixed(1);
}
