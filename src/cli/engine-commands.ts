// The docker-like commands of the engine: `skiff run`, `ps`, `logs`, `exec`, `stop`, `rm`. Each
// opens the engine on `--data-dir` (or $SKIFF_DATA_DIR, default /var/lib/skiff); the engine's
// cgroup root, bridge and subnet come from that directory's engine.json, or $SKIFF_CGROUP_ROOT,
// $SKIFF_BRIDGE, $SKIFF_SUBNET when it is created.
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { Engine } from '../runtime/engine.ts';
import { COMMAND_LABEL, IMAGE_LABEL } from '../runtime/engine.ts';
import type { ContainerStatus } from '../runtime/container-manager.ts';
import { collect, runContainer, runRequest } from './engine-run.ts';
import type { RunFlags } from './engine-run.ts';

interface DataDirFlag {
  dataDir?: string;
}

export function engineDataDir(flag: string | undefined): string {
  return resolve(flag ?? process.env.SKIFF_DATA_DIR ?? '/var/lib/skiff');
}

export async function openEngine(flag: string | undefined): Promise<Engine> {
  const env = process.env;
  return Engine.open({
    dataDir: engineDataDir(flag),
    ...(env.SKIFF_CGROUP_ROOT ? { cgroupRoot: env.SKIFF_CGROUP_ROOT } : {}),
    ...(env.SKIFF_BRIDGE ? { bridge: env.SKIFF_BRIDGE } : {}),
    ...(env.SKIFF_SUBNET ? { subnet: env.SKIFF_SUBNET } : {}),
  });
}

const DATA_DIR_HELP = 'engine data directory (default: $SKIFF_DATA_DIR or /var/lib/skiff)';

export function registerEngineCommands(program: Command): void {
  // `skiff run IMAGE sh -c …`: options after the image belong to the container's command.
  program.enablePositionalOptions();

  program.command('run')
    .description('Run a command in a new container')
    .argument('<image>', 'image reference, e.g. busybox')
    .argument('[command...]', 'command and arguments (default: the image\'s)')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('--rm', 'remove the container when it exits')
    .option('-i, --interactive', 'keep stdin open (with -t)')
    .option('-t, --tty', 'allocate a terminal')
    .option('-d, --detach', 'run in the background and print the container id')
    .option('--name <name>', 'container name')
    .option('--memory <size>', 'memory limit, e.g. 64m')
    .option('--cpus <n>', 'CPU quota in CPUs, e.g. 0.5')
    .option('--pids-limit <n>', 'maximum number of processes')
    .option('-e, --env <KEY=VALUE>', 'environment variable (repeatable)', collect)
    .option('-v, --volume <HOST:CTR[:ro]>', 'bind mount (repeatable)', collect)
    .option('-p, --publish <HOSTPORT:PORT>', 'publish a port through a pod sandbox (repeatable)', collect)
    .option('--network <mode>', 'none (own namespace, loopback), host, or pod (sandbox on the bridge)')
    .option('--runtime <name>', 'OCI runtime: crun (default), runc, gvisor (runsc), or a path')
    .option('-u, --user <user[:group]>', 'user to run as')
    .option('-w, --workdir <dir>', 'working directory')
    .option('--entrypoint <cmd>', 'replace the image\'s entrypoint')
    .option('--read-only', 'mount the root filesystem read-only')
    .passThroughOptions()
    .action(async (image: string, command: string[], flags: RunFlags & DataDirFlag) => {
      const req = runRequest(image, command, flags);
      const engine = await openEngine(flags.dataDir);
      process.exitCode = await runContainer(engine, req, flags);
    });

  program.command('ps')
    .description('List containers')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('-a, --all', 'show stopped containers too')
    .option('-q, --quiet', 'print ids only')
    .action(async (flags: DataDirFlag & { all?: boolean; quiet?: boolean }) => {
      const engine = await openEngine(flags.dataDir);
      const list = await engine.listContainers(flags.all ?? false);
      if (flags.quiet) {
        for (const c of list) process.stdout.write(`${c.id.slice(0, 12)}\n`);
        return;
      }
      printTable([['CONTAINER ID', 'IMAGE', 'COMMAND', 'CREATED', 'STATUS', 'NAMES'], ...list.map(psRow)]);
    });

  program.command('logs')
    .description('Print a container\'s output')
    .argument('<container>', 'name or id')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('-f, --follow', 'follow until the container stops')
    .option('--tail <n>', 'only the last n lines')
    .option('--timestamps', 'show timestamps')
    .action(async (ref: string, flags: DataDirFlag & { follow?: boolean; tail?: string; timestamps?: boolean }) => {
      const engine = await openEngine(flags.dataDir);
      const c = await engine.findContainer(ref);
      const ac = new AbortController();
      const stop = (): void => ac.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      try {
        for await (const line of engine.containers.readLogs(c.id, {
          follow: flags.follow ?? false,
          signal: ac.signal,
          pollMs: 50,
          ...(flags.tail !== undefined ? { tail: Number(flags.tail) } : {}),
        })) {
          const text = flags.timestamps ? `${line.timestamp} ${line.content}\n` : `${line.content}\n`;
          (line.stream === 'stderr' ? process.stderr : process.stdout).write(text);
        }
      } catch (err) {
        if (!ac.signal.aborted) throw err;
      } finally {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
      }
    });

  program.command('exec')
    .description('Run a command in a running container')
    .argument('<container>', 'name or id')
    .argument('<command...>', 'command and arguments')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('-i, --interactive', 'pass stdin')
    .option('-t, --tty', 'allocate a terminal')
    .option('-e, --env <KEY=VALUE>', 'environment variable (repeatable)', collect)
    .option('-w, --workdir <dir>', 'working directory')
    .passThroughOptions()
    .action(async (ref: string, command: string[], flags: DataDirFlag & { interactive?: boolean; tty?: boolean; env?: string[]; workdir?: string }) => {
      const engine = await openEngine(flags.dataDir);
      const c = await engine.findContainer(ref);
      const raw = flags.tty === true && flags.interactive === true && process.stdin.isTTY;
      if (raw) process.stdin.setRawMode(true);
      try {
        const r = await engine.containers.exec(c.id, command, {
          ...(flags.tty ? { tty: true } : {}),
          ...(flags.interactive ? { stdin: process.stdin } : {}),
          ...(flags.env ? { env: flags.env } : {}),
          ...(flags.workdir ? { cwd: flags.workdir } : {}),
          stdout: process.stdout,
          stderr: process.stderr,
        });
        process.exitCode = r.exitCode;
      } finally {
        if (raw) process.stdin.setRawMode(false);
        if (flags.interactive) process.stdin.destroy();
      }
    });

  program.command('stop')
    .description('Stop containers: SIGTERM, then SIGKILL after the grace period')
    .argument('<container...>', 'names or ids')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('-t, --time <seconds>', 'grace period', '10')
    .action(async (refs: string[], flags: DataDirFlag & { time: string }) => {
      const engine = await openEngine(flags.dataDir);
      for (const ref of refs) {
        await engine.stopContainer(ref, Number(flags.time));
        process.stdout.write(`${ref}\n`);
      }
    });

  program.command('rm')
    .description('Remove containers')
    .argument('<container...>', 'names or ids')
    .option('--data-dir <dir>', DATA_DIR_HELP)
    .option('-f, --force', 'stop running containers first')
    .action(async (refs: string[], flags: DataDirFlag & { force?: boolean }) => {
      const engine = await openEngine(flags.dataDir);
      for (const ref of refs) {
        await engine.removeContainer(ref, { force: flags.force ?? false });
        process.stdout.write(`${ref}\n`);
      }
    });
}

function psRow(c: ContainerStatus): string[] {
  const cmd = c.labels[COMMAND_LABEL] ?? '';
  return [
    c.id.slice(0, 12),
    c.labels[IMAGE_LABEL] ?? '',
    JSON.stringify(cmd.length > 20 ? `${cmd.slice(0, 19)}…` : cmd),
    `${ago(c.createdAt)} ago`,
    c.status === 'running'
      ? `Up ${ago(c.startedAt ?? c.createdAt)}`
      : c.status === 'stopped'
        ? `Exited (${c.exitCode ?? '?'}) ${ago(c.finishedAt ?? c.createdAt)} ago${c.reason === 'OOMKilled' ? ' (OOMKilled)' : ''}`
        : 'Created',
    c.name,
  ];
}

function ago(iso: string): string {
  const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
  if (s < 60) return `${s} seconds`;
  if (s < 3600) return `${Math.round(s / 60)} minutes`;
  if (s < 86400) return `${Math.round(s / 3600)} hours`;
  return `${Math.round(s / 86400)} days`;
}

function printTable(rows: string[][]): void {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) process.stdout.write(`${r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]! + 3))).join('')}\n`);
}
