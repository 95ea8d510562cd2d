// Registry authentication as the distribution spec's token flow describes it
// (docs/spec/auth/token.md): a request answered 401 with `WWW-Authenticate: Bearer realm,service,
// scope` is retried with a token fetched from the realm (anonymously, or with basic credentials);
// a `Basic` challenge is answered with the credentials themselves. Mirrors the order of
// containerd's remotes/docker/authorizer.go: prefer Bearer, fall back to Basic.
import type { IncomingMessage } from 'node:http';
import { RegistryError, RegistryUnauthorized } from './errors.ts';
import { httpGet, readBody } from './http-request.ts';
import { parseWwwAuthenticate } from './www-authenticate.ts';

export interface Credentials {
  username: string;
  password: string;
}

export interface RegistryAuthOptions {
  /** The registry's name (for messages). */
  registry: string;
  /** Repository path the pull reads: the default token scope is `repository:<path>:pull`. */
  repository: string;
  credentials?: Credentials | undefined;
  allowPlainLoopback: boolean;
  signal?: AbortSignal | undefined;
}

const MAX_TOKEN_RESPONSE = 1 << 20;

export class RegistryAuth {
  readonly #options: RegistryAuthOptions;
  #header: string | undefined;
  /** Authorization headers already tried and refused: a second refusal is final. */
  readonly #refused = new Set<string>();

  constructor(options: RegistryAuthOptions) {
    this.#options = options;
  }

  /** The Authorization header to send to the registry, if any yet. */
  get header(): string | undefined {
    return this.#header;
  }

  /**
   * Answers a 401: works out new credentials from its challenges. Throws RegistryUnauthorized when
   * there is nothing new to try (the same header was refused before, or no usable challenge).
   */
  async challenge(res: IncomingMessage): Promise<void> {
    if (this.#header !== undefined) this.#refused.add(this.#header);
    const challenges = parseWwwAuthenticate(res.headers['www-authenticate']);
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm !== undefined);
    const basic = challenges.find((c) => c.scheme === 'basic');
    const { credentials, repository } = this.#options;
    let next: string | undefined;
    if (bearer) {
      const scope = bearer.params.scope ?? `repository:${repository}:pull`;
      next = `Bearer ${await this.#fetchToken(bearer.params.realm!, bearer.params.service, scope)}`;
    } else if (basic && credentials) {
      next = basicHeader(credentials);
    }
    if (next === undefined || this.#refused.has(next)) throw this.#unauthorized(next === undefined && basic !== undefined);
    this.#header = next;
  }

  async #fetchToken(realm: string, service: string | undefined, scope: string): Promise<string> {
    const { credentials, registry } = this.#options;
    let url: URL;
    try {
      url = new URL(realm);
    } catch (err) {
      throw new RegistryError(`registry ${registry}: bad token realm "${realm}"`, 401, { cause: err });
    }
    if (service !== undefined) url.searchParams.set('service', service);
    url.searchParams.set('scope', scope);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (credentials) headers.authorization = basicHeader(credentials);
    const { message } = await httpGet(url, { headers, allowPlainLoopback: this.#options.allowPlainLoopback, signal: this.#options.signal });
    const body = await readBody(message, MAX_TOKEN_RESPONSE, `token from ${url.origin}`);
    const status = message.statusCode ?? 0;
    if (status === 401 || status === 403) {
      throw new RegistryUnauthorized(`registry ${registry}: the token service ${url.origin}${url.pathname} refused ${credentials ? `the credentials of "${credentials.username}"` : 'anonymous access'} (HTTP ${status})`);
    }
    if (status !== 200) throw new RegistryError(`registry ${registry}: token service ${url.origin}${url.pathname} answered HTTP ${status}`, status);
    let token: unknown;
    try {
      const doc = JSON.parse(body.toString('utf8')) as { token?: unknown; access_token?: unknown };
      token = doc.token ?? doc.access_token;
    } catch (err) {
      throw new RegistryError(`registry ${registry}: token service answered invalid JSON`, status, { cause: err });
    }
    if (typeof token !== 'string' || token === '') throw new RegistryError(`registry ${registry}: token service answered no token`, status);
    return token;
  }

  #unauthorized(basicWithoutCredentials: boolean): RegistryUnauthorized {
    const { credentials, registry, repository } = this.#options;
    if (basicWithoutCredentials) return new RegistryUnauthorized(`registry ${registry} wants a user name and password for ${repository} (give --user)`);
    return new RegistryUnauthorized(credentials
      ? `registry ${registry} refused access to ${repository} for "${credentials.username}"`
      : `registry ${registry} refused anonymous access to ${repository}: the repository does not exist or needs credentials`);
  }
}

function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`).toString('base64')}`;
}
