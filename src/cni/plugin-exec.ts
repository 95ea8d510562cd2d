// Executes one CNI plugin binary the way the spec's runtime does: parameters in CNI_* environment
// variables, the network configuration as JSON on stdin, the result (or an error object with exit
// code 1) as JSON on stdout. Mirrors libcni's invoke/exec.go.
import { channel } from 'node:diagnostics_channel';
import { access, constants } from 'node:fs/promises';
import { join } from 'node:path';
import { runProcess } from '../runtime/spawner/run-process.ts';
import { CniError } from './errors.ts';
import type { CniCommand, RuntimeConf } from './types.ts';

export const DEFAULT_PLUGIN_DIRS: readonly string[] = ['/usr/lib/cni', '/opt/cni/bin'];

/** Published after every plugin run: `{ plugin, command, containerId, durationMs, ok }`. */
export const pluginChannel = channel('skiff:cni:plugin');

export interface PluginRunEvent {
  plugin: string;
  command: CniCommand;
  containerId: string;
  durationMs: number;
  ok: boolean;
}

export interface PluginExecutorOptions {
  pluginDirs?: readonly string[];
  /** A plugin still running after this long is killed and the call fails. */
  timeoutMs?: number;
}

/** Anything that can run a plugin; tests put a fake here. */
export interface PluginRunner {
  run(pluginType: string, command: CniCommand, rt: RuntimeConf, config: object): Promise<unknown>;
}

const PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export class PluginExecutor implements PluginRunner {
  readonly #dirs: readonly string[];
  readonly #timeoutMs: number;
  readonly #found = new Map<string, string>();

  constructor(options: PluginExecutorOptions = {}) {
    this.#dirs = options.pluginDirs ?? DEFAULT_PLUGIN_DIRS;
    this.#timeoutMs = options.timeoutMs ?? 60_000;
  }

  async find(pluginType: string): Promise<string> {
    const cached = this.#found.get(pluginType);
    if (cached !== undefined) return cached;
    if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(pluginType)) {
      throw new CniError(pluginType, 'find', 'invalid plugin type');
    }
    for (const dir of this.#dirs) {
      const path = join(dir, pluginType);
      try {
        await access(path, constants.X_OK);
        this.#found.set(pluginType, path);
        return path;
      } catch {
        // try the next directory
      }
    }
    throw new CniError(pluginType, 'find', `plugin not found in ${this.#dirs.join(':')}`);
  }

  async run(pluginType: string, command: CniCommand, rt: RuntimeConf, config: object): Promise<unknown> {
    const path = await this.find(pluginType);
    const env: Record<string, string> = {
      PATH: process.env.PATH ? `${process.env.PATH}:${PATH}` : PATH,
      CNI_COMMAND: command,
      CNI_CONTAINERID: rt.containerId,
      CNI_NETNS: rt.netns,
      CNI_IFNAME: rt.ifName,
      CNI_PATH: this.#dirs.join(':'),
    };
    if (rt.args && Object.keys(rt.args).length > 0) {
      env.CNI_ARGS = ['IgnoreUnknown=1', ...Object.entries(rt.args).map(([k, v]) => `${k}=${v}`)].join(';');
    }
    const started = performance.now();
    let ok = false;
    try {
      const { code, stdout, stderr } = await spawnWithInput(path, env, JSON.stringify(config), this.#timeoutMs);
      if (code !== 0) throw pluginError(pluginType, command, code, stdout, stderr);
      ok = true;
      if (stdout.trim() === '') return undefined;
      try {
        return JSON.parse(stdout) as unknown;
      } catch (err) {
        throw new CniError(pluginType, command, `cannot parse result: ${stdout.slice(0, 200)}`, undefined, undefined, { cause: err });
      }
    } finally {
      if (pluginChannel.hasSubscribers) {
        const event: PluginRunEvent = { plugin: pluginType, command, containerId: rt.containerId, durationMs: performance.now() - started, ok };
        pluginChannel.publish(event);
      }
    }
  }
}

function pluginError(plugin: string, command: string, exitCode: number | string, stdout: string, stderr: string): CniError {
  try {
    const body = JSON.parse(stdout) as { code?: unknown; msg?: unknown; details?: unknown };
    if (typeof body.msg === 'string') {
      return new CniError(plugin, command, body.msg, typeof body.code === 'number' ? body.code : undefined,
        typeof body.details === 'string' && body.details !== '' ? body.details : undefined);
    }
  } catch {
    // not a JSON error object: fall back to the raw output
  }
  const text = (stderr.trim() || stdout.trim()).slice(0, 500);
  return new CniError(plugin, command, text === '' ? `exit ${exitCode}` : `${text} (exit ${exitCode})`);
}

async function spawnWithInput(file: string, env: Record<string, string>, input: string, timeoutMs: number):
Promise<{ code: number | string; stdout: string; stderr: string }> {
  const r = await runProcess(file, [], { env, input, timeoutMs });
  const code = r.code ?? (r.timedOut ? `killed after ${timeoutMs} ms` : `signal ${r.signal}`);
  return { code, stdout: r.stdout.toString(), stderr: r.stderr.toString() };
}
