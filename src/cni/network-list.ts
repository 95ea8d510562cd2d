// ADD, DEL and CHECK of a network configuration list: plugins run in order for ADD and CHECK and
// in reverse for DEL, each receiving the list's name and cniVersion, the previous result and the
// runtimeConfig for the capabilities it declares. Mirrors libcni's api.go (AddNetworkList,
// DelNetworkList, CheckNetworkList, injectRuntimeConfig).
import { CniError } from './errors.ts';
import type { PluginRunner } from './plugin-exec.ts';
import type { CniCommand, CniResult, NetworkConfigList, PluginConfig, RuntimeConf } from './types.ts';

/** The JSON one plugin of the list receives on stdin. */
export function pluginStdin(list: NetworkConfigList, plugin: PluginConfig, rt: RuntimeConf, prevResult?: CniResult): object {
  const conf: Record<string, unknown> = { ...plugin, cniVersion: list.cniVersion, name: list.name };
  if (prevResult !== undefined) conf.prevResult = prevResult;
  const runtimeConfig: Record<string, unknown> = {};
  for (const [capability, enabled] of Object.entries(plugin.capabilities ?? {})) {
    const value = rt.capabilityArgs?.[capability];
    if (enabled && value !== undefined) runtimeConfig[capability] = value;
  }
  if (Object.keys(runtimeConfig).length > 0) conf.runtimeConfig = runtimeConfig;
  return conf;
}

export async function addNetworkList(runner: PluginRunner, list: NetworkConfigList, rt: RuntimeConf): Promise<CniResult> {
  let prev: CniResult | undefined;
  for (const plugin of list.plugins) {
    const out = await runner.run(plugin.type, 'ADD', rt, pluginStdin(list, plugin, rt, prev));
    prev = parseResult(out, plugin.type, 'ADD');
  }
  if (prev === undefined) throw new CniError(list.name, 'ADD', 'network list has no plugins');
  return prev;
}

/**
 * Runs DEL through every plugin, in reverse, even when one fails (so a broken plugin does not leak
 * what the others hold); the first error is thrown at the end.
 */
export async function delNetworkList(runner: PluginRunner, list: NetworkConfigList, rt: RuntimeConf, cachedResult?: CniResult): Promise<void> {
  let firstError: Error | undefined;
  for (const plugin of [...list.plugins].reverse()) {
    try {
      await runner.run(plugin.type, 'DEL', rt, pluginStdin(list, plugin, rt, cachedResult));
    } catch (err) {
      firstError ??= err instanceof Error ? err : new Error(String(err));
    }
  }
  if (firstError !== undefined) throw firstError;
}

export async function checkNetworkList(runner: PluginRunner, list: NetworkConfigList, rt: RuntimeConf, cachedResult: CniResult): Promise<void> {
  if (list.disableCheck) return;
  for (const plugin of list.plugins) {
    await runner.run(plugin.type, 'CHECK', rt, pluginStdin(list, plugin, rt, cachedResult));
  }
}

export function parseResult(value: unknown, plugin: string, command: CniCommand): CniResult {
  const bad = (why: string) => new CniError(plugin, command, `invalid result: ${why}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not a JSON object');
  const r = value as Record<string, unknown>;
  if (typeof r.cniVersion !== 'string') throw bad('cniVersion must be a string');
  for (const key of ['interfaces', 'ips', 'routes'] as const) {
    if (r[key] !== undefined && !Array.isArray(r[key])) throw bad(`${key} must be an array`);
  }
  for (const ip of (r.ips ?? []) as unknown[]) {
    if (typeof ip !== 'object' || ip === null || typeof (ip as { address?: unknown }).address !== 'string') {
      throw bad('ips[].address must be a string');
    }
  }
  return value as CniResult;
}
