// The host tools a packet-filter component drives (nft, conntrack, sysctl), in this network
// namespace or, for tests and benchmarks, in a named one under /run/netns entered with nsenter.
import { writeFile } from 'node:fs/promises';
import { HostCommandFailed } from './errors.ts';
import { nft, nftApply } from './nft.ts';
import { runProcess } from '../spawner/run-process.ts';

export interface ConntrackFilter {
  protocol: 'tcp' | 'udp' | 'sctp';
  /** Original destination address (the Service IP the client used). */
  origDst?: string;
  /** Original destination port. */
  origDstPort?: number;
  /** The address DNAT sent the flow to (the endpoint). */
  dstNat?: string;
}

export interface NetTools {
  /** One `nft -f -` transaction. */
  nftApply(script: string): Promise<void>;
  /** `nft ARGS…`, returning stdout. */
  nft(args: readonly string[]): Promise<string>;
  /** `conntrack -D` with these filters; the number of entries deleted (0 when none matched). */
  conntrackDelete(filter: ConntrackFilter): Promise<number>;
  /** Writes a sysctl such as `net.ipv4.conf.all.route_localnet`. */
  setSysctl(name: string, value: string): Promise<void>;
}

const CONNTRACK = process.env.SKIFF_CONNTRACK ?? 'conntrack';

/** The tools acting on this process's network namespace, or on /run/netns/`netns` when given. */
export function netTools(netns?: string): NetTools {
  const path = netns === undefined ? undefined : netns.includes('/') ? netns : `/run/netns/${netns}`;
  const wrap = (file: string, args: readonly string[]): [string, string[]] =>
    path === undefined ? [file, [...args]] : ['nsenter', [`--net=${path}`, file, ...args]];
  const run = async (file: string, args: readonly string[], input?: string): Promise<string> => {
    const [f, a] = wrap(file, args);
    const r = await runProcess(f, a, { timeoutMs: 60_000, ...(input === undefined ? {} : { input }) });
    if (r.code !== 0) throw new HostCommandFailed(`${file} ${args.join(' ')} failed: ${r.stderr.toString().trim() || `exit ${r.code}`}`);
    return r.stdout.toString();
  };
  return {
    nftApply: path === undefined ? nftApply : async (script) => { await run('nft', ['-f', '-'], script); },
    nft: path === undefined ? nft : (args) => run('nft', args),
    async conntrackDelete(f) {
      const args = ['-D', '-p', f.protocol];
      if (f.origDst !== undefined) args.push('--orig-dst', f.origDst);
      if (f.origDstPort !== undefined) args.push('--orig-port-dst', String(f.origDstPort));
      if (f.dstNat !== undefined) args.push('--dst-nat', f.dstNat);
      const [file, a] = wrap(CONNTRACK, args);
      const r = await runProcess(file, a, { timeoutMs: 30_000 });
      // conntrack exits 1 when nothing matched; its summary line on stderr says how many went.
      const n = Number(/(\d+) flow entries have been deleted/.exec(r.stderr.toString())?.[1] ?? NaN);
      if (r.code === 0 || (r.code === 1 && n === 0)) return Number.isNaN(n) ? 0 : n;
      throw new HostCommandFailed(`conntrack ${args.join(' ')} failed: ${r.stderr.toString().trim() || `exit ${r.code}`}`);
    },
    async setSysctl(name, value) {
      if (path === undefined) await writeFile(`/proc/sys/${name.replaceAll('.', '/')}`, value);
      else await run('sysctl', ['-q', '-w', `${name}=${value}`]);
    },
  };
}
