// The distribution API v2 calls a pull makes (GET /v2/<name>/manifests/<ref>, GET
// /v2/<name>/blobs/<digest>), with authentication challenges answered and transient failures
// retried. Status codes become the errors of ./errors.ts, naming the reference.
import type { IncomingMessage } from 'node:http';
import { sha256Digest } from '../digest.ts';
import { MEDIA_DOCKER_LIST, MEDIA_DOCKER_MANIFEST, MEDIA_OCI_INDEX, MEDIA_OCI_MANIFEST } from '../media-types.ts';
import { RegistryError, RegistryUnauthorized, RemoteImageNotFound } from './errors.ts';
import { httpGet, readBody } from './http-request.ts';
import { RegistryAuth } from './registry-auth.ts';
import type { Credentials } from './registry-auth.ts';
import type { RegistryEndpoint } from './registry-host.ts';
import { withRetry } from './retry.ts';

export interface RegistryClientOptions {
  endpoint: RegistryEndpoint;
  repository: string;
  /** The reference being pulled, for messages. */
  refName: string;
  credentials?: Credentials | undefined;
  retries?: number | undefined;
  signal?: AbortSignal | undefined;
}

export interface FetchedManifest {
  body: Buffer;
  /** Content-Type as served (parameters dropped); may be empty. */
  mediaType: string;
  /** sha256 of the body as received. */
  digest: string;
  /** Docker-Content-Digest, when the registry sent one. */
  headerDigest: string | undefined;
}

export interface BlobResponse {
  message: IncomingMessage;
  /** Offset of the body's first byte in the blob: the Range start when honoured, else 0. */
  start: number;
}

export const MANIFEST_ACCEPT = [MEDIA_OCI_INDEX, MEDIA_DOCKER_LIST, MEDIA_OCI_MANIFEST, MEDIA_DOCKER_MANIFEST].join(', ');
const MAX_MANIFEST = 4 << 20;
const MAX_ERROR_BODY = 64 << 10;

export class RegistryClient {
  readonly #options: RegistryClientOptions;
  readonly #auth: RegistryAuth;

  constructor(options: RegistryClientOptions) {
    this.#options = options;
    this.#auth = new RegistryAuth({
      registry: options.endpoint.name,
      repository: options.repository,
      credentials: options.credentials,
      allowPlainLoopback: options.endpoint.plainHttp,
      signal: options.signal,
    });
  }

  /** GET a manifest or index by tag or digest. */
  async getManifest(reference: string): Promise<FetchedManifest> {
    return this.#retry(async () => {
      const message = await this.#get(`manifests/${reference}`, { accept: MANIFEST_ACCEPT }, `manifest ${reference}`);
      const body = await readBody(message, MAX_MANIFEST, `${this.#options.refName}: manifest ${reference}`);
      const header = message.headers['docker-content-digest'];
      return {
        body,
        mediaType: (message.headers['content-type'] ?? '').split(';')[0]!.trim(),
        digest: sha256Digest(body),
        headerDigest: typeof header === 'string' && header !== '' ? header : undefined,
      };
    });
  }

  /** Opens a blob from byte `offset` on (a Range request when > 0). The caller reads the body. */
  async openBlob(digest: string, offset: number): Promise<BlobResponse> {
    return this.#retry(async () => {
      const headers: Record<string, string> = {};
      if (offset > 0) headers.range = `bytes=${offset}-`;
      const message = await this.#get(`blobs/${digest}`, headers, `blob ${digest}`, offset > 0 ? [206, 416] : []);
      if (message.statusCode === 206) {
        const m = /^bytes (\d+)-/.exec(String(message.headers['content-range'] ?? ''));
        return { message, start: m ? Number(m[1]) : offset };
      }
      return { message, start: 0 };
    });
  }

  async #retry<T>(fn: () => Promise<T>): Promise<T> {
    const opts = { signal: this.#options.signal, ...(this.#options.retries !== undefined ? { retries: this.#options.retries } : {}) };
    try {
      return await withRetry(fn, opts);
    } catch (err) {
      const code = (err as { code?: unknown }).code;
      if (typeof code === 'string' && code.startsWith('E') && !(err instanceof RegistryError)) {
        throw new RegistryError(`${this.#options.refName}: cannot reach registry ${this.#options.endpoint.name}: ${(err as Error).message}`, undefined, { cause: err });
      }
      throw err;
    }
  }

  /** One GET with authentication; answers other than 200 (and `accept`ed statuses) throw. */
  async #get(path: string, headers: Record<string, string>, what: string, accept: number[] = []): Promise<IncomingMessage> {
    const url = new URL(`${this.#options.repository}/${path}`, this.#options.endpoint.base);
    for (let round = 0; ; round++) {
      const auth = this.#auth.header;
      const { message } = await httpGet(url, {
        headers: auth === undefined ? headers : { ...headers, authorization: auth },
        allowPlainLoopback: this.#options.endpoint.plainHttp,
        signal: this.#options.signal,
      });
      const status = message.statusCode ?? 0;
      if (status === 200 || accept.includes(status)) return message;
      if (status === 401 && round < 2) {
        message.resume();
        await this.#auth.challenge(message);
        continue;
      }
      throw await this.#statusError(message, what);
    }
  }

  async #statusError(message: IncomingMessage, what: string): Promise<Error> {
    const status = message.statusCode ?? 0;
    const detail = registryErrorDetail(await readBody(message, MAX_ERROR_BODY, what).catch(() => Buffer.alloc(0)));
    const { refName, endpoint, repository } = this.#options;
    if (status === 404) return new RemoteImageNotFound(refName, `${what}: ${detail || 'HTTP 404'}`);
    if (status === 401 || status === 403) {
      return new RegistryUnauthorized(`${refName}: registry ${endpoint.name} denied access to ${repository} (HTTP ${status}${detail ? `: ${detail}` : ''})`);
    }
    return new RegistryError(`${refName}: registry ${endpoint.name} answered HTTP ${status} for ${what}${detail ? `: ${detail}` : ''}`, status);
  }
}

/** `{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}` → `MANIFEST_UNKNOWN: manifest unknown`. */
function registryErrorDetail(body: Buffer): string {
  try {
    const doc = JSON.parse(body.toString('utf8')) as { errors?: { code?: unknown; message?: unknown }[] };
    if (!Array.isArray(doc.errors)) return '';
    return doc.errors.map((e) => [e.code, e.message].filter((x) => typeof x === 'string' && x !== '').join(': ')).join('; ');
  } catch {
    return '';
  }
}
