// The kernel's packet rules through the `nft` tool (Debian's nftables): every change is one script
// fed to `nft -f -`, which the kernel applies as a single transaction, so a sync is all or nothing.
// The service proxy and the NetworkPolicy enforcer each own one table and touch no other.
import { HostCommandFailed } from './errors.ts';
import { runProcess } from '../spawner/run-process.ts';

export type NftFamily = 'ip' | 'ip6' | 'inet' | 'bridge' | 'arp' | 'netdev';

const NFT = process.env.SKIFF_NFT ?? 'nft';

/** Applies `script` as one transaction; throws with nft's own message when the kernel refuses it. */
export async function nftApply(script: string): Promise<void> {
  const r = await runProcess(NFT, ['-f', '-'], { input: script, timeoutMs: 60_000 });
  if (r.code !== 0) throw new HostCommandFailed(`nft -f - failed: ${r.stderr.toString().trim() || `exit ${r.code}`}`);
}

/** Runs `nft ARGS…` and returns its stdout. */
export async function nft(args: readonly string[]): Promise<string> {
  const r = await runProcess(NFT, args, { timeoutMs: 60_000 });
  if (r.code !== 0) throw new HostCommandFailed(`nft ${args.join(' ')} failed: ${r.stderr.toString().trim() || `exit ${r.code}`}`);
  return r.stdout.toString();
}

/** Names of the tables of `family` in this network namespace. */
export async function nftTables(family: NftFamily): Promise<string[]> {
  const out = await nft(['list', 'tables', family]);
  return out.split('\n').map((l) => /^table \S+ (\S+)$/.exec(l.trim())?.[1]).filter((n): n is string => n !== undefined);
}

/** Deletes a table with everything in it; false when there was none. */
export async function nftDeleteTable(family: NftFamily, name: string): Promise<boolean> {
  if (!(await nftTables(family)).includes(name)) return false;
  await nft(['delete', 'table', family, name]);
  return true;
}
