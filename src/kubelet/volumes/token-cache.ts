// Service account tokens for projected volumes, refreshed as pkg/kubelet/token/token_manager.go
// does: a cached token is reused until 80% of its lifetime (or 24 h) has passed.
import { VolumeError } from './errors.ts';
import type { VolumeSources } from './types.ts';

interface Cached {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

const MAX_TTL_MS = 24 * 3600 * 1000;

export class TokenCache {
  readonly #sources: VolumeSources;
  readonly #now: () => number;
  readonly #tokens = new Map<string, Cached>();

  constructor(sources: VolumeSources, now: () => number = Date.now) {
    this.#sources = sources;
    this.#now = now;
  }

  async get(namespace: string, serviceAccount: string, audience: string | undefined, expirationSeconds: number, pod: { name: string; uid: string }): Promise<string> {
    const key = JSON.stringify([namespace, serviceAccount, audience ?? '', expirationSeconds, pod.uid]);
    const now = this.#now();
    const cached = this.#tokens.get(key);
    if (cached && !this.#needsRefresh(cached, now)) return cached.token;
    if (!this.#sources.requestServiceAccountToken) {
      throw new VolumeError(`failed to fetch token: the API server does not serve TokenRequest (serviceaccounts/${serviceAccount}/token)`);
    }
    let tr;
    try {
      tr = await this.#sources.requestServiceAccountToken(namespace, serviceAccount, audience, expirationSeconds, pod);
    } catch (err) {
      throw new VolumeError(`failed to fetch token: ${(err as Error).message}`, { cause: err });
    }
    const parsed = tr.expirationTimestamp ? Date.parse(tr.expirationTimestamp) : Number.NaN;
    const expiresAt = Number.isFinite(parsed) ? parsed : now + expirationSeconds * 1000;
    this.#tokens.set(key, { token: tr.token, issuedAt: now, expiresAt });
    return tr.token;
  }

  /** Forget the tokens of a pod that is gone. */
  forgetPod(uid: string): void {
    for (const key of this.#tokens.keys()) if ((JSON.parse(key) as unknown[])[4] === uid) this.#tokens.delete(key);
  }

  #needsRefresh(c: Cached, now: number): boolean {
    const ttl = c.expiresAt - c.issuedAt;
    return now >= c.expiresAt || now - c.issuedAt >= Math.min(ttl * 0.8, MAX_TTL_MS);
  }
}
