// The service account token signing key, kept beside the cluster PKI as sa.key (private, 0600)
// and sa.pub: the files kubeadm writes for kube-apiserver's --service-account-signing-key-file and
// --service-account-key-file (cmd/kubeadm/app/phases/certs/certs.go CreateServiceAccountKeyAndPublicKeyFiles).
// Created at the first start that finds it missing, so older data directories keep working.
import { createPrivateKey, generateKeyPair, type KeyObject } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeFileAtomic } from '../auth/atomic-write.ts';
import { signingKey, type SigningKey } from './jwt.ts';

export const SA_KEY_FILE = 'sa.key';
export const SA_PUB_FILE = 'sa.pub';

const generate = promisify(generateKeyPair);

export async function ensureServiceAccountKey(pkiDir: string): Promise<SigningKey> {
  await mkdir(pkiDir, { recursive: true, mode: 0o700 });
  const keyPath = join(pkiDir, SA_KEY_FILE);
  let pem: string | undefined;
  try {
    pem = await readFile(keyPath, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  let privateKey: KeyObject;
  if (pem !== undefined) {
    try {
      privateKey = createPrivateKey(pem);
    } catch (err) {
      throw new Error(`Cannot load the service account signing key "${keyPath}": ${(err as Error).message}; remove it to generate a new one (tokens issued so far stop working)`);
    }
  } else {
    // RSA 2048 as kubeadm: every JWT library verifies RS256.
    const pair = await generate('rsa', { modulusLength: 2048 });
    privateKey = pair.privateKey;
    await writeFileAtomic(keyPath, privateKey.export({ type: 'pkcs8', format: 'pem' }), 0o600);
  }
  const key = signingKey(privateKey);
  // The public half is derived from the private key each start, so it always matches.
  await writeFileAtomic(join(pkiDir, SA_PUB_FILE), key.publicKey.export({ type: 'spki', format: 'pem' }), 0o644);
  return key;
}
