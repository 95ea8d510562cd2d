// Credentials from a docker-style config file (`$DOCKER_CONFIG/config.json`, else
// `~/.docker/config.json`): `auths.<registry>.auth` (base64 `user:password`) or
// `username`/`password`. Credential helpers and stores (`credsStore`, `credHelpers`) are not run.
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { Credentials } from './registry-auth.ts';

interface AuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
}

export function dockerConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.DOCKER_CONFIG ?? join(homedir(), '.docker'), 'config.json');
}

/** Credentials stored for `registry` (as references spell it: `docker.io`, `127.0.0.1:5000`), if any. */
export async function dockerConfigCredentials(registry: string, path = dockerConfigPath()): Promise<Credentials | undefined> {
  let doc: { auths?: Record<string, AuthEntry> };
  try {
    doc = JSON.parse(await readFile(path, 'utf8')) as typeof doc;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`Cannot read credentials file "${path}": ${(err as Error).message}`, { cause: err });
  }
  const auths = doc.auths ?? {};
  const keys = registry === 'docker.io' ? ['https://index.docker.io/v1/', 'index.docker.io', 'docker.io', 'registry-1.docker.io'] : [registry];
  for (const [key, entry] of Object.entries(auths)) {
    const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
    if (!keys.includes(key) && !keys.includes(host)) continue;
    if (typeof entry.auth === 'string' && entry.auth !== '') {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0) return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
    }
    if (typeof entry.username === 'string' && typeof entry.password === 'string') return { username: entry.username, password: entry.password };
  }
  return undefined;
}
