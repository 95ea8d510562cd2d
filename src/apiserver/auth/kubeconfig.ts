// A kubeconfig with one cluster, one user and one context, credentials embedded as base64 data
// (the format of k8s.io/client-go/tools/clientcmd/api/v1/types.go).
import { stringify } from 'yaml';
import { writeFileAtomic } from './atomic-write.ts';

export interface KubeconfigOptions {
  server: string;
  caCertPem: string;
  clientCertPem?: string;
  clientKeyPem?: string;
  token?: string;
  clusterName?: string;
  userName?: string;
  contextName?: string;
  namespace?: string;
}

const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');

export function renderKubeconfig(opts: KubeconfigOptions): string {
  if ((opts.clientCertPem === undefined) !== (opts.clientKeyPem === undefined)) {
    throw new Error('Cannot render kubeconfig: clientCertPem and clientKeyPem go together');
  }
  const cluster = opts.clusterName ?? 'skiff';
  const user = opts.userName ?? 'skiff-admin';
  const context = opts.contextName ?? cluster;
  const userEntry: Record<string, string> = {};
  if (opts.clientCertPem !== undefined && opts.clientKeyPem !== undefined) {
    userEntry['client-certificate-data'] = b64(opts.clientCertPem);
    userEntry['client-key-data'] = b64(opts.clientKeyPem);
  }
  if (opts.token !== undefined) userEntry.token = opts.token;
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    preferences: {},
    clusters: [{ name: cluster, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.caCertPem) } }],
    users: [{ name: user, user: userEntry }],
    contexts: [{ name: context, context: { cluster, user, ...(opts.namespace ? { namespace: opts.namespace } : {}) } }],
    'current-context': context,
  };
  // Long base64 values stay on one line, as kubectl writes them.
  return stringify(config, { lineWidth: 0 });
}

export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  await writeFileAtomic(path, renderKubeconfig(opts), 0o600);
}
