// `skiff run`: flags to a run request, then the container in the foreground (output streamed from
// its log, or the terminal attached with -t), detached with -d. Whatever ends the command (the
// container exiting, Ctrl-C, SIGTERM, the terminal closing) ends with the container stopped and,
// with --rm, removed.
import { resolve } from 'node:path';
import type { Engine, RunRequest } from '../runtime/engine.ts';
import { attachContainer } from '../runtime/engine-attach.ts';
import { InvalidRunRequest } from '../runtime/engine-errors.ts';
import { parseCpus, parseMemory, parsePidsLimit } from '../runtime/engine-limits.ts';
import type { ContainerResources, VolumeMount } from '../runtime/oci-spec.ts';
import { runtimeHandler } from '../runtime/runtime-handlers.ts';
import type { PortMapping } from '../cni/index.ts';

export interface RunFlags {
  rm?: boolean;
  interactive?: boolean;
  tty?: boolean;
  detach?: boolean;
  name?: string;
  memory?: string;
  cpus?: string;
  pidsLimit?: string;
  env?: string[];
  volume?: string[];
  publish?: string[];
  runtime?: string;
  network?: string;
  user?: string;
  workdir?: string;
  entrypoint?: string;
  readOnly?: boolean;
}

export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function parseVolume(spec: string): VolumeMount {
  const parts = spec.split(':');
  const [source, destination, mode] = parts;
  if (parts.length < 2 || parts.length > 3 || !source || !destination || (mode !== undefined && mode !== 'ro' && mode !== 'rw')) {
    throw new InvalidRunRequest(`invalid volume "${spec}": use HOST:CONTAINER[:ro]`);
  }
  if (!destination.startsWith('/')) throw new InvalidRunRequest(`invalid volume "${spec}": the container path must be absolute`);
  return { source: resolve(source), destination, ...(mode === 'ro' ? { readonly: true } : {}) };
}

function parsePublish(spec: string): PortMapping {
  const m = /^(?:(\d+\.\d+\.\d+\.\d+):)?(\d+):(\d+)(?:\/(tcp|udp|sctp))?$/.exec(spec);
  const hostPort = Number(m?.[2]);
  const containerPort = Number(m?.[3]);
  const ok = (p: number): boolean => Number.isInteger(p) && p >= 1 && p <= 65535;
  if (!m || !ok(hostPort) || !ok(containerPort)) throw new InvalidRunRequest(`invalid port mapping "${spec}": use HOSTPORT:PORT[/tcp|udp]`);
  return {
    hostPort,
    containerPort,
    protocol: (m[4] ?? 'tcp') as 'tcp' | 'udp' | 'sctp',
    ...(m[1] ? { hostIP: m[1] } : {}),
  };
}

export function runRequest(image: string, command: string[], flags: RunFlags): RunRequest {
  if (flags.interactive && !flags.tty) throw new InvalidRunRequest('-i without -t is not supported: use -it');
  if (flags.detach && flags.rm && flags.tty) throw new InvalidRunRequest('-d cannot be combined with --rm and -t');
  const resources: ContainerResources = {};
  if (flags.memory !== undefined) resources.memoryLimitBytes = parseMemory(flags.memory);
  if (flags.cpus !== undefined) Object.assign(resources, parseCpus(flags.cpus));
  if (flags.pidsLimit !== undefined) resources.pidsLimit = parsePidsLimit(flags.pidsLimit);
  for (const e of flags.env ?? []) if (!/^[^=\s]+(=|$)/.test(e)) throw new InvalidRunRequest(`invalid environment variable "${e}": use KEY=VALUE`);
  const env = (flags.env ?? []).map((e) => (e.includes('=') ? e : `${e}=${process.env[e] ?? ''}`));
  const network = flags.network ?? 'none';
  if (network !== 'none' && network !== 'host' && network !== 'pod') throw new InvalidRunRequest(`invalid network "${network}": use none, host or pod`);
  const runtime = flags.runtime;
  if (runtime !== undefined && runtimeHandler(runtime) === undefined && !runtime.startsWith('/')) {
    throw new InvalidRunRequest(`invalid runtime "${runtime}": use crun, runc, gvisor or an absolute path`);
  }
  const ports = (flags.publish ?? []).map(parsePublish);
  if (ports.length > 0 && network === 'host') throw new InvalidRunRequest('-p cannot be used with --network host');
  return {
    image,
    ...(command.length > 0 ? { args: command } : {}),
    ...(flags.entrypoint !== undefined ? { entrypoint: [flags.entrypoint] } : {}),
    ...(flags.name !== undefined ? { name: flags.name } : {}),
    ...(env.length > 0 ? { env } : {}),
    ...(flags.user !== undefined ? { user: flags.user } : {}),
    ...(flags.workdir !== undefined ? { workingDir: flags.workdir } : {}),
    ...(flags.volume ? { mounts: flags.volume.map(parseVolume) } : {}),
    ...(Object.keys(resources).length > 0 ? { resources } : {}),
    ...(runtime !== undefined ? { runtime } : {}),
    ...(ports.length > 0 ? { portMappings: ports } : {}),
    network: ports.length > 0 ? 'pod' : network,
    tty: flags.tty ?? false,
    ...(flags.readOnly ? { readonlyRootfs: true } : {}),
    ...(flags.rm ? { autoRemove: true } : {}),
  };
}

/** Runs the container per the flags; resolves with the exit code the command should end with. */
export async function runContainer(engine: Engine, req: RunRequest, flags: RunFlags): Promise<number> {
  if (flags.detach) {
    const r = await engine.run(req);
    process.stdout.write(`${r.id}\n`);
    return 0;
  }
  const r = await engine.run({ ...req, start: !req.tty });
  let interrupted: NodeJS.Signals | undefined;
  const stopping = new AbortController();
  const onSignal = (sig: NodeJS.Signals): void => {
    // The first signal stops (and with --rm removes) the container; a second one exits at once.
    if (interrupted) process.exit(128 + signalNumber(sig));
    interrupted = sig;
    stopping.abort();
  };
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, onSignal);
  const stdin = process.stdin;
  const rawTty = req.tty === true && flags.interactive === true && stdin.isTTY;
  try {
    if (req.tty) {
      const session = attachContainer(engine.bundleOf(r.id), {
        ...(flags.interactive ? { stdin } : {}),
        stdout: process.stdout,
        stderr: process.stderr,
      });
      await session.ready;
      if (rawTty) stdin.setRawMode(true);
      const resize = (): void => {
        if (process.stdout.isTTY) session.resize(process.stdout.rows, process.stdout.columns);
      };
      await engine.containers.start(r.id);
      resize();
      process.stdout.on('resize', resize);
      try {
        await Promise.race([
          engine.wait(r.id, { pollMs: 50, signal: stopping.signal }).catch(() => undefined),
          new Promise((res) => stopping.signal.addEventListener('abort', res, { once: true })),
        ]);
      } finally {
        process.stdout.off('resize', resize);
        session.close();
        await session.done;
      }
    } else {
      for await (const line of engine.containers.readLogs(r.id, { follow: true, pollMs: 5, signal: stopping.signal })) {
        (line.stream === 'stderr' ? process.stderr : process.stdout).write(`${line.content}\n`);
      }
    }
  } catch (err) {
    if (!stopping.signal.aborted) throw err;
  } finally {
    if (rawTty) stdin.setRawMode(false);
    if (flags.interactive) stdin.destroy();
  }
  try {
    let st = await engine.containers.state(r.id);
    if (st.status !== 'stopped') st = await engine.containers.stop(r.id, interrupted ? 1 : 10);
    if (flags.rm) await engine.removeContainer(r.id, { force: true });
    return interrupted ? 128 + signalNumber(interrupted) : (st.exitCode ?? 0);
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
}

function signalNumber(sig: NodeJS.Signals): number {
  return sig === 'SIGHUP' ? 1 : sig === 'SIGINT' ? 2 : 15;
}
