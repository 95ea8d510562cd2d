// What every request handler can reach: the registries, the cache, and per-request facts.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ResourceInfo } from '../../api/scheme.ts';
import type { UserInfo } from '../admission/types.ts';
import type { WatchCache } from '../cache/watch-cache.ts';
import type { Registry } from '../registry/registry.ts';
import type { RequestInfo } from '../request-info.ts';
import type { TokenSigner } from '../serviceaccount/token-request.ts';

export interface ServerContext {
  cache: WatchCache;
  /** Registry by storage group/resource (`apps/deployments`, `/pods`). */
  registries: Map<string, Registry>;
  /** Open watches, for metrics. */
  watchCount: Map<string, number>;
  /** Closing: long-running requests end. */
  signal: AbortSignal;
  /** The client certificate for proxying pods/log, exec, attach and portforward to kubelets. */
  kubeletClient?: { certPem: string; keyPem: string };
  /** Signs serviceaccounts/token answers; without it TokenRequest is not served. */
  serviceAccountTokens?: TokenSigner;
  /** false: bodies are not checked against the schemas (only to measure what the check costs). */
  typedDecoding?: boolean;
}

export interface RequestScope {
  req: IncomingMessage;
  res: ServerResponse;
  ri: RequestInfo;
  query: URLSearchParams;
  user: UserInfo;
  info: ResourceInfo;
  registry: Registry;
  server: ServerContext;
}

export function registryKey(info: Pick<ResourceInfo, 'storage'>): string {
  return `${info.storage.group}/${info.storage.resource}`;
}
