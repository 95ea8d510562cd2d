// `skiff token list|create|delete`: the cluster's bootstrap tokens, with kubeadm token's verbs,
// flags and output (cmd/kubeadm/app/cmd/token.go). A token is a Secret in kube-system, so listing
// and revoking is reading and deleting Secrets with the admin kubeconfig.
import { join } from 'node:path';
import type { Command } from 'commander';
import { isNotFound } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import {
  BOOTSTRAP_TOKEN_NAMESPACE, BOOTSTRAP_USAGES, bootstrapTokenSecret, bootstrapTokenSecretName, DEFAULT_NODE_TOKEN_GROUP,
  generateBootstrapToken, isBootstrapTokenId, parseBootstrapToken, readBootstrapTokenSecret, validateExtraGroups,
  type BootstrapTokenInfo, type BootstrapUsage,
} from '../api/bootstrap-token/token.ts';
import type { Clientset } from '../client/clientset.ts';
import { parseDurationFlag } from './duration-flag.ts';

interface TokenFlags {
  kubeconfig?: string;
  dataDir: string;
}

interface CreateFlags {
  ttl: string;
  description?: string;
  usages: string;
  groups: string;
  printJoinCommand?: boolean;
}

export function registerTokenCommand(program: Command): void {
  const token = program.command('token')
    .description('Manage bootstrap tokens: the tokens `skiff agent --token` joins a node with')
    .option('--kubeconfig <file>', 'admin kubeconfig of the cluster (default: DATA_DIR/kubeconfig.yaml)')
    .option('--data-dir <dir>', 'the data dir of `skiff up`/`skiff server`', process.env.SKIFF_DATA_DIR ?? '/var/lib/skiff');
  token.command('list')
    .description('List bootstrap tokens')
    .action(async (_flags: unknown, cmd: Command) => {
      process.stdout.write(formatTokenTable(await listTokens(await clientset(cmd.optsWithGlobals())), new Date()));
    });
  token.command('create [token]')
    .description('Create a bootstrap token (random unless one of the form [a-z0-9]{6}.[a-z0-9]{16} is given) and print it')
    .option('--ttl <duration>', 'how long the token is valid (0: forever)', '24h0m0s')
    .option('--description <text>', 'a human friendly description of how the token is used')
    .option('--usages <list>', 'what the token may be used for: signing, authentication', BOOTSTRAP_USAGES.join(','))
    .option('--groups <list>', 'extra groups the token authenticates as, each system:bootstrappers:…', DEFAULT_NODE_TOKEN_GROUP)
    .option('--print-join-command', 'print the whole `skiff agent` line instead of the token alone')
    .action(async (given: string | undefined, flags: CreateFlags, cmd: Command) => {
      const global = cmd.optsWithGlobals<TokenFlags & CreateFlags>();
      const ttlMs = parseDurationFlag('--ttl', flags.ttl);
      const usages = flags.usages.split(',').map((u) => u.trim()).filter((u) => u !== '');
      for (const u of usages) {
        if (!(BOOTSTRAP_USAGES as readonly string[]).includes(u)) throw new Error(`--usages "${u}": expected one of ${BOOTSTRAP_USAGES.join(', ')}`);
      }
      const groups = flags.groups.split(',').map((g) => g.trim()).filter((g) => g !== '');
      validateExtraGroups(groups);
      const value = given ?? generateBootstrapToken();
      const cs = await clientset(global);
      await cs.resource<KubeObject>('v1', 'secrets').create(BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecret(parseBootstrapToken(value), {
        ...(flags.description ? { description: flags.description } : {}),
        ...(ttlMs > 0 ? { expires: new Date(Date.now() + ttlMs) } : {}),
        usages: usages as BootstrapUsage[], groups,
      }));
      if (flags.printJoinCommand) {
        const { joinCommand } = await import('./node-token.ts');
        const cfg = cs.rest.config;
        if (!cfg.caPem) throw new Error('--print-join-command: the kubeconfig holds no CA certificate to pin');
        process.stdout.write(`${joinCommand(cfg.server, value, cfg.caPem)}\n`);
      } else {
        process.stdout.write(`${value}\n`);
      }
    });
  token.command('delete <token...>')
    .description('Delete (revoke) bootstrap tokens, given as the whole token or its id')
    .action(async (tokens: string[], _flags: unknown, cmd: Command) => {
      const secrets = (await clientset(cmd.optsWithGlobals<TokenFlags>())).resource<KubeObject>('v1', 'secrets');
      for (const t of tokens) {
        const id = isBootstrapTokenId(t) ? t : parseBootstrapToken(t).id;
        try {
          await secrets.delete(BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecretName(id));
        } catch (err) {
          if (isNotFound(err)) throw new Error(`bootstrap token "${id}" not found`, { cause: err });
          throw err;
        }
        process.stdout.write(`bootstrap token "${id}" deleted\n`);
      }
    });
}

async function clientset(flags: TokenFlags): Promise<Clientset> {
  const { Clientset } = await import('../client/clientset.ts');
  return Clientset.fromKubeconfig(flags.kubeconfig ?? join(flags.dataDir, 'kubeconfig.yaml'), 'skiff-token');
}

export async function listTokens(cs: Clientset): Promise<BootstrapTokenInfo[]> {
  const list = await cs.resource<KubeObject>('v1', 'secrets').list(BOOTSTRAP_TOKEN_NAMESPACE);
  // readBootstrapTokenSecret skips Secrets of other types.
  return list.items.map(readBootstrapTokenSecret).filter((t): t is BootstrapTokenInfo => t !== undefined);
}

/** kubeadm token list's table: TOKEN TTL EXPIRES USAGES DESCRIPTION EXTRA GROUPS. */
export function formatTokenTable(tokens: readonly BootstrapTokenInfo[], now: Date): string {
  const rows = [['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS']];
  for (const t of tokens) {
    rows.push([
      `${t.id}.${t.secret}`,
      t.expires ? shortHumanDuration(t.expires.getTime() - now.getTime()) : '<forever>',
      t.expires ? t.expires.toISOString().replace(/\.\d{3}Z$/, 'Z') : '<never>',
      [...t.usages].sort().join(','),
      t.description || '<none>',
      t.groups.join(','),
    ]);
  }
  // Go's tabwriter as kubeadm sets it up: cells at least 10 wide, 3 spaces of padding.
  const widths = rows[0]!.map((_, i) => Math.max(10, ...rows.map((r) => r[i]!.length + 3)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('').trimEnd()).join('\n') + '\n';
}

/** k8s.io/apimachinery/pkg/util/duration.ShortHumanDuration. */
export function shortHumanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 24) return `${hours}h`;
  if (hours < 24 * 365) return `${Math.floor(hours / 24)}d`;
  return `${Math.floor(hours / 24 / 365)}y`;
}
