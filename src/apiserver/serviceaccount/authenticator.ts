// Bearer tokens that are service account JWTs: signature, time and audience checked once and
// remembered briefly per token, the service account and bound object looked up on every request
// so that deleting either ends the token at once (pkg/serviceaccount/jwt.go JWTTokenAuthenticator).
import type { UserInfo } from '../admission/types.ts';
import { checkBoundObjects, checkClaims, InvalidTokenError, serviceAccountGroups, type ObjectLookup, type TokenClaims } from './claims.ts';
import { JwtError, looksLikeJwt, verifyJwt, type SigningKey } from './jwt.ts';

export const DEFAULT_ISSUER = 'https://kubernetes.default.svc.cluster.local';

export interface ServiceAccountTokenOptions {
  key: SigningKey;
  /** The iss of tokens this server issues and accepts (kube-apiserver --service-account-issuer). */
  issuer: string;
  /** Audiences the API server accepts (--api-audiences; defaults to the issuer). */
  audiences: string[];
  lookup: ObjectLookup;
}

// How long a verified (or rejected) signature is remembered: enough to spare repeated RSA work for
// a client's burst of requests, short enough that the cache stays small.
const VERIFIED_TTL_MS = 10_000;
const MAX_CACHED = 4096;

type Verdict = { claims: TokenClaims; until: number } | { error: string; until: number };

export class ServiceAccountTokenAuthenticator {
  readonly #opts: ServiceAccountTokenOptions;
  readonly #verified = new Map<string, Verdict>();

  constructor(opts: ServiceAccountTokenOptions) {
    this.#opts = opts;
  }

  get issuer(): string { return this.#opts.issuer; }
  get audiences(): string[] { return this.#opts.audiences; }

  /** The user a token names, or undefined when it is not a valid service account token. */
  async authenticate(token: string, now = new Date()): Promise<UserInfo | undefined> {
    if (!looksLikeJwt(token)) return undefined;
    const claims = this.#verify(token, now);
    if (!claims) return undefined;
    try {
      await checkBoundObjects(claims, this.#opts.lookup, now);
    } catch (err) {
      if (err instanceof InvalidTokenError) return undefined;
      throw err;
    }
    const k8s = claims['kubernetes.io'];
    return {
      name: claims.sub,
      uid: k8s.serviceaccount.uid,
      groups: [...serviceAccountGroups(k8s.namespace), 'system:authenticated'],
    };
  }

  #verify(token: string, now: Date): TokenClaims | undefined {
    const t = now.getTime();
    const known = this.#verified.get(token);
    // A remembered verdict still needs the expiry checked: it may have passed since.
    if (known && known.until > t) return 'claims' in known && known.claims.exp * 1000 > t ? known.claims : undefined;
    let verdict: Verdict;
    try {
      const claims = checkClaims(verifyJwt(token, this.#opts.key), { issuer: this.#opts.issuer, audiences: this.#opts.audiences, now });
      verdict = { claims, until: t + VERIFIED_TTL_MS };
    } catch (err) {
      if (!(err instanceof JwtError) && !(err instanceof InvalidTokenError)) throw err;
      verdict = { error: err.message, until: t + VERIFIED_TTL_MS };
    }
    if (this.#verified.size >= MAX_CACHED) this.#evict(t);
    this.#verified.set(token, verdict);
    return 'claims' in verdict ? verdict.claims : undefined;
  }

  #evict(now: number): void {
    for (const [k, v] of this.#verified) if (v.until <= now) this.#verified.delete(k);
    // Still full: drop the oldest entries (a Map iterates in insertion order).
    for (const k of this.#verified.keys()) {
      if (this.#verified.size < MAX_CACHED) break;
      this.#verified.delete(k);
    }
  }
}
