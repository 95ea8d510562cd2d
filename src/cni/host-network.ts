// The host-side leftovers of skiff's network that no single CNI DEL removes: the bridge once the
// last pod is gone, portmap's shared CNI-HOSTPORT-* chains once no mapping uses them, and
// per-container chains whose DEL could not run (netns already gone, crash between steps).
import { readdir } from 'node:fs/promises';
import { HostCommandFailed } from './errors.ts';
import { cniChainName, parseRules } from './iptables-rules.ts';
import type { ParsedRules } from './iptables-rules.ts';
import { runCommand } from '../runtime/netns/run-command.ts';

const HOSTPORT_DNAT = 'CNI-HOSTPORT-DNAT';
const HOSTPORT_SETMARK = 'CNI-HOSTPORT-SETMARK';
const HOSTPORT_MASQ = 'CNI-HOSTPORT-MASQ';

export interface HostNetworkOptions {
  ipBinary?: string;
  iptablesBinary?: string;
}

export class HostNetwork {
  readonly #ip: string;
  readonly #iptables: string;

  constructor(options: HostNetworkOptions = {}) {
    this.#ip = options.ipBinary ?? 'ip';
    this.#iptables = options.iptablesBinary ?? 'iptables';
  }

  /** Ports enslaved to the bridge, or undefined when there is no such bridge. */
  async bridgePorts(bridge: string): Promise<string[] | undefined> {
    try {
      return await readdir(`/sys/class/net/${bridge}/brif`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Deletes a link; false when it did not exist. */
  async deleteLink(name: string): Promise<boolean> {
    const result = await runCommand(this.#ip, ['link', 'delete', name]);
    if (result.code === 0) return true;
    if (/Cannot find device|does not exist/.test(result.stderr)) return false;
    throw new HostCommandFailed(`Cannot delete link "${name}": ${result.stderr.trim()}`);
  }

  /** The nat table, or undefined when iptables is not installed. */
  async natRules(): Promise<ParsedRules | undefined> {
    const result = await this.#iptablesRun(['-t', 'nat', '-S']);
    return result === undefined ? undefined : parseRules(result);
  }

  /** Removes the chains the bridge (ipMasq) and portmap plugins made for one container, if left. */
  async removeContainerChains(networkName: string, containerId: string): Promise<string[]> {
    const rules = await this.natRules();
    if (rules === undefined) return [];
    const removed: string[] = [];
    for (const chain of [cniChainName(networkName, containerId), cniChainName(networkName, containerId, 'DN-')]) {
      if (rules.chains.has(chain)) {
        await this.#removeChain(chain, rules);
        removed.push(chain);
      }
    }
    return removed;
  }

  /**
   * portmap's top-level chains are shared by every CNI network on the host: remove them only when
   * no container's DNAT chain hangs off CNI-HOSTPORT-DNAT any more.
   */
  async removePortmapChainsIfUnused(): Promise<boolean> {
    const rules = await this.natRules();
    if (rules === undefined || !rules.chains.has(HOSTPORT_DNAT)) return false;
    if (rules.rules.some((r) => r.chain === HOSTPORT_DNAT)) return false;
    for (const chain of [HOSTPORT_DNAT, HOSTPORT_MASQ, HOSTPORT_SETMARK]) {
      if (rules.chains.has(chain)) await this.#removeChain(chain, rules);
    }
    return true;
  }

  async #removeChain(chain: string, rules: ParsedRules): Promise<void> {
    for (const rule of rules.rules) {
      if (rule.target === chain) await this.#iptablesRun(['-t', 'nat', '-D', rule.chain, ...rule.spec], true);
    }
    await this.#iptablesRun(['-t', 'nat', '-F', chain], true);
    await this.#iptablesRun(['-t', 'nat', '-X', chain], true);
  }

  /** Undefined when iptables is missing; with `tolerateMissing`, a vanished rule/chain is fine. */
  async #iptablesRun(args: string[], tolerateMissing = false): Promise<string | undefined> {
    let result;
    try {
      result = await runCommand(this.#iptables, ['-w', '5', ...args]);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    if (result.code === 0) return result.stdout;
    if (tolerateMissing && /does not exist|No chain|Bad rule|doesn't exist/i.test(result.stderr)) return '';
    throw new HostCommandFailed(`iptables ${args.join(' ')}: ${result.stderr.trim()}`);
  }
}
