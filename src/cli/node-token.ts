// The join token `skiff up` keeps in DATA_DIR/node-token (0600, as k3s keeps its node token) and
// the one line that joins another machine: `skiff agent --server … --token … --ca-cert-hash …`
// (kubeadm init's closing "kubeadm join" line).
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isNotFound } from '../api/errors.ts';
import type { KubeObject } from '../api/meta.ts';
import { writeFileAtomic } from '../apiserver/auth/atomic-write.ts';
import {
  BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecret, bootstrapTokenSecretName, generateBootstrapToken, parseBootstrapToken, readBootstrapTokenSecret,
} from '../api/bootstrap-token/token.ts';
import { caCertHash } from '../apiserver/auth/ca-hash.ts';
import type { Clientset } from '../client/clientset.ts';

export const NODE_TOKEN_FILE = 'node-token';

/**
 * The token in DATA_DIR/node-token if its Secret still holds it, else a new one (written to the
 * file). A token revoked with `skiff token delete` stays revoked: the next start makes another
 * rather than bringing the old one back. The node token does not expire (k3s's does not either).
 */
export async function ensureNodeToken(clientset: Clientset, dataDir: string): Promise<string> {
  const path = join(dataDir, NODE_TOKEN_FILE);
  const secrets = clientset.resource<KubeObject>('v1', 'secrets');
  const existing = await readFile(path, 'utf8').then((t) => t.trim(), () => undefined);
  if (existing) {
    try {
      const token = parseBootstrapToken(existing);
      const secret = await secrets.get(BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecretName(token.id));
      const info = readBootstrapTokenSecret(secret);
      if (info && info.secret === token.secret && (!info.expires || info.expires.getTime() > Date.now()) && info.usages.includes('authentication')) return existing;
    } catch (err) {
      if (!isNotFound(err) && (err as { code?: string }).code !== 'InvalidBootstrapToken') throw err;
    }
  }
  const token = generateBootstrapToken();
  await secrets.create(BOOTSTRAP_TOKEN_NAMESPACE, bootstrapTokenSecret(parseBootstrapToken(token), { description: 'The node token of skiff up (DATA_DIR/node-token).' }));
  await writeFileAtomic(path, `${token}\n`, 0o600);
  return token;
}

/** The command that joins a machine to the cluster at `serverUrl`. */
export function joinCommand(serverUrl: string, token: string, caCertPem: string): string {
  return `skiff agent --server ${serverUrl} --token ${token} --ca-cert-hash ${caCertHash(caCertPem)}`;
}
