// Reading a kubeconfig (the fields skiff and kubectl use): server, CA, client certificate or token.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, join } from 'node:path';
import { parse } from 'yaml';

export interface ClientConfig {
  server: string;
  caPem?: string;
  certPem?: string;
  keyPem?: string;
  token?: string;
  insecureSkipTLSVerify?: boolean;
  namespace: string;
  userAgent?: string;
}

type Named<T> = Array<{ name: string } & T>;
interface KubeconfigFile {
  'current-context'?: string;
  clusters?: Named<{ cluster: Record<string, any> }>;
  users?: Named<{ user: Record<string, any> }>;
  contexts?: Named<{ context: { cluster: string; user: string; namespace?: string } }>;
}

export class KubeconfigError extends Error {
  readonly code = 'KubeconfigError';
}

export async function loadKubeconfig(path: string, contextName?: string): Promise<ClientConfig> {
  let doc: KubeconfigFile;
  try {
    doc = parse(await readFile(path, 'utf8')) as KubeconfigFile;
  } catch (err) {
    throw new KubeconfigError(`Cannot read kubeconfig "${path}": ${(err as Error).message}`, { cause: err });
  }
  const base = dirname(path);
  const ctxName = contextName ?? doc['current-context'];
  const ctx = doc.contexts?.find((c) => c.name === ctxName)?.context;
  if (!ctx) throw new KubeconfigError(`Cannot use kubeconfig "${path}": context "${ctxName ?? ''}" not found`);
  const cluster = doc.clusters?.find((c) => c.name === ctx.cluster)?.cluster;
  if (!cluster?.server) throw new KubeconfigError(`Cannot use kubeconfig "${path}": cluster "${ctx.cluster}" has no server`);
  const user = doc.users?.find((u) => u.name === ctx.user)?.user ?? {};
  const file = async (p: string): Promise<string> => readFile(isAbsolute(p) ? p : join(base, p), 'utf8');
  const data = (b64: string): string => Buffer.from(b64, 'base64').toString('utf8');
  const cfg: ClientConfig = { server: String(cluster.server).replace(/\/+$/, ''), namespace: ctx.namespace ?? 'default' };
  if (cluster['certificate-authority-data']) cfg.caPem = data(cluster['certificate-authority-data']);
  else if (cluster['certificate-authority']) cfg.caPem = await file(cluster['certificate-authority']);
  if (cluster['insecure-skip-tls-verify']) cfg.insecureSkipTLSVerify = true;
  if (user['client-certificate-data']) cfg.certPem = data(user['client-certificate-data']);
  else if (user['client-certificate']) cfg.certPem = await file(user['client-certificate']);
  if (user['client-key-data']) cfg.keyPem = data(user['client-key-data']);
  else if (user['client-key']) cfg.keyPem = await file(user['client-key']);
  if (user.token) cfg.token = String(user.token);
  else if (user.tokenFile) cfg.token = (await file(user.tokenFile)).trim();
  return cfg;
}
