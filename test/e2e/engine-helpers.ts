// Shared by the engine's end-to-end tests: an engine on a throw-away data directory with its own
// cgroup root, bridge and subnet (inside 10.42.240.0/20), the CLI run against it, and a cleanup that
// removes everything and then checks the host is as it was (no mounts, cgroups, pinned namespaces,
// bridge, CNI iptables chains or conmon processes of this engine).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { cniChainName } from '../../src/cni/iptables-rules.ts';
import { cgroupDirs } from '../../src/runtime/cgroups.ts';
import { Engine } from '../../src/runtime/engine.ts';
import { mountPoints } from '../../src/runtime/mounts/mountinfo.ts';

/** The real `skiff` entry, run from source. */
export const ENTRY = join(import.meta.dirname, '..', '..', 'src', 'cmd', 'skiff.ts');

export interface EngineTestEnv {
  root: string;
  dataDir: string;
  cgroupRoot: string;
  bridge: string;
  subnet: string;
  engine: Engine;
  env: NodeJS.ProcessEnv;
  /** Sandbox ids seen during the test, for the iptables check. */
  sandboxIds: Set<string>;
  cli(args: string[], options?: CliOptions): Promise<CliResult>;
  cleanup(): Promise<void>;
}

export interface CliOptions {
  input?: string;
  timeoutMs?: number;
}

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export function spawnCollect(file: string, args: string[], env: NodeJS.ProcessEnv, options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env, stdio: ['pipe', 'pipe', 'pipe'], timeout: options.timeoutMs ?? 30_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
    child.stderr.on('data', (b: Buffer) => { stderr += b.toString(); });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.on('error', () => {});
    child.stdin.end(options.input ?? '');
  });
}

export async function makeEngineEnv(label: string): Promise<EngineTestEnv> {
  const root = mkdtempSync(`/tmp/skiff-e2e-${label}-`);
  const dataDir = join(root, 'data');
  const hex = randomBytes(3).toString('hex');
  const cgroupRoot = `/skiff-e2e-${label}-${hex}`;
  const bridge = `skifft${hex}`;
  const subnet = `10.42.${240 + (randomBytes(1)[0]! % 16)}.${(randomBytes(1)[0]! % 16) * 16}/28`;
  const engine = await Engine.open({ dataDir, cgroupRoot, bridge, subnet });
  const env = { ...process.env, SKIFF_DATA_DIR: dataDir };
  const sandboxIds = new Set<string>();
  const cli = (args: string[], options: CliOptions = {}): Promise<CliResult> =>
    spawnCollect(process.execPath, ['--import', 'tsx', ENTRY, ...args], env, options);
  const cleanup = async (): Promise<void> => {
    for (const sb of await engine.sandboxes.list()) sandboxIds.add(sb.id);
    await engine.reset();
    const leftovers: string[] = [];
    for (const dir of cgroupDirs(cgroupRoot)) if (existsSync(dir)) leftovers.push(dir);
    for (const mp of mountPoints()) if (mp.startsWith(root)) leftovers.push(`mount ${mp}`);
    if (existsSync(`/sys/class/net/${bridge}`)) leftovers.push(`bridge ${bridge}`);
    const iptables = await spawnCollect('iptables-save', [], process.env);
    for (const id of sandboxIds) {
      for (const prefix of ['', 'DN-']) {
        const chain = cniChainName('skiff', id, prefix);
        if (iptables.stdout.includes(chain)) leftovers.push(`iptables chain ${chain}`);
      }
    }
    for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
      try {
        const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        if (cmd.includes(dataDir)) leftovers.push(`process ${pid} ${cmd.split('\0').slice(0, 3).join(' ')}`);
      } catch {
        // exited meanwhile
      }
    }
    for (const kind of ['netns', 'ipcns', 'utsns']) {
      const dir = join(dataDir, 'run', kind);
      if (existsSync(dir) && readdirSync(dir).length > 0) leftovers.push(`pinned ${kind}: ${readdirSync(dir).join(',')}`);
    }
    rmSync(root, { recursive: true, force: true });
    assert.deepEqual(leftovers, [], 'the test left things behind');
  };
  return { root, dataDir, cgroupRoot, bridge, subnet, engine, env, sandboxIds, cli, cleanup };
}

/** Runs a one-shot busybox command through the API and returns its exit status and output. */
export async function runOnce(engine: Engine, args: string[], extra: Partial<Parameters<Engine['run']>[0]> = {}): Promise<{ exitCode: number | undefined; reason: string | undefined; output: string }> {
  const r = await engine.run({ image: 'busybox', args, ...extra });
  const st = await engine.wait(r.id);
  let output = '';
  for await (const l of engine.containers.readLogs(r.id)) output += `${l.content}\n`;
  await engine.removeContainer(r.id);
  return { exitCode: st.exitCode, reason: st.reason, output };
}

/** `net:[4026531840]` and the like, for the host's own namespaces. */
export function hostNsInode(kind: string): string {
  return readlinkSync(`/proc/self/ns/${kind}`);
}
