// `skiff kubeconfig --user NAME [--group G]…`: a kubeconfig for a user, with a client certificate
// the cluster CA signs (CN=NAME, O=each group: how Kubernetes' x509 authenticator reads users and
// groups). It is signed directly with the CA key in the data dir, as `skiff up` signs its admin
// certificate — the same certificate a CertificateSigningRequest for
// kubernetes.io/kube-apiserver-client would get once approved, without needing a running server.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Command } from 'commander';
import { loadKubeconfig } from '../client/kubeconfig.ts';
import { writeFileAtomic } from '../apiserver/auth/atomic-write.ts';
import { renderKubeconfig } from '../apiserver/auth/kubeconfig.ts';
import { PKI_FILES } from '../apiserver/auth/pki.ts';
import { issueCert } from '../pki/certs.ts';
import { parseDurationFlag } from './duration-flag.ts';

interface KubeconfigFlags {
  user: string;
  group: string[];
  dataDir: string;
  output?: string;
  expiration: string;
  server?: string;
  namespace?: string;
}

const DAY_MS = 24 * 3600_000;
/** Lifetime of a user's certificate unless --expiration says otherwise (kubeadm's default for its kubeconfigs). */
const DEFAULT_EXPIRATION = '8760h';

export interface UserKubeconfigOptions {
  user: string;
  groups: string[];
  dataDir: string;
  expirationMs: number;
  server?: string;
  namespace?: string;
}

/** The kubeconfig text for a user, signed with the CA of `dataDir`. */
export async function userKubeconfig(o: UserKubeconfigOptions): Promise<string> {
  if (o.user.trim() === '') throw new Error('--user: a user name is required');
  if (o.expirationMs < 10 * 60_000) throw new Error('--expiration: at least 10m');
  const pkiDir = join(o.dataDir, 'pki');
  let caCertPem: string;
  let caKeyPem: string;
  try {
    caCertPem = await readFile(join(pkiDir, PKI_FILES.caCert), 'utf8');
    caKeyPem = await readFile(join(pkiDir, PKI_FILES.caKey), 'utf8');
  } catch (err) {
    throw new Error(`Cannot read the cluster CA in "${pkiDir}": ${(err as Error).message} (is --data-dir the data dir of \`skiff up\`/\`skiff server\`, and may you read it?)`, { cause: err });
  }
  const server = o.server ?? (await loadKubeconfig(join(o.dataDir, 'kubeconfig.yaml'))).server;
  const cert = await issueCert({ certPem: caCertPem, keyPem: caKeyPem }, { cn: o.user, orgs: o.groups, usage: 'client', days: o.expirationMs / DAY_MS });
  return renderKubeconfig({
    server, caCertPem, clientCertPem: cert.certPem, clientKeyPem: cert.keyPem,
    clusterName: 'skiff', userName: o.user, contextName: `${o.user}@skiff`, ...(o.namespace ? { namespace: o.namespace } : {}),
  });
}

export function registerKubeconfigCommand(program: Command): void {
  program.command('kubeconfig')
    .description('Write a kubeconfig for a user: a client certificate signed by the cluster CA (CN=user, O=groups)')
    .requiredOption('--user <name>', 'the user name the API server will see')
    .option('--group <group>', 'a group the user is in (repeat for more)', (v: string, prev: string[]) => [...prev, v], [] as string[])
    .option('--data-dir <dir>', 'the data dir of `skiff up`/`skiff server` (its pki/ holds the CA)', process.env.SKIFF_DATA_DIR ?? '/var/lib/skiff')
    .option('-o, --output <file>', 'write the kubeconfig to this file (mode 0600) instead of standard output')
    .option('--expiration <duration>', 'how long the certificate is valid, e.g. 24h or 720h', DEFAULT_EXPIRATION)
    .option('--server <url>', 'the API server URL (default: the one in DATA_DIR/kubeconfig.yaml)')
    .option('-n, --namespace <ns>', 'the context\'s default namespace')
    .action(async (flags: KubeconfigFlags) => {
      const text = await userKubeconfig({
        user: flags.user, groups: flags.group, dataDir: flags.dataDir, expirationMs: parseDurationFlag('--expiration', flags.expiration),
        ...(flags.server ? { server: flags.server } : {}), ...(flags.namespace ? { namespace: flags.namespace } : {}),
      });
      if (flags.output) await writeFileAtomic(flags.output, text, 0o600);
      else process.stdout.write(text);
    });
}
