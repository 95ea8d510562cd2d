// Watch: a chunked stream of one JSON event per line, served from the watch cache
// (k8s.io/apiserver/pkg/endpoints/handlers/watch.go + storage/cacher/cache_watcher.go).
// Events are filtered by selectors with upstream's transitions: an object that starts matching is
// ADDED, one that stops matching is DELETED.
import { expired } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { apiVersionOf } from '../../api/scheme.ts';
import { watchParams } from '../cache/list-options.ts';
import { TooOldError, type CacheEvent } from '../cache/watch-cache.ts';
import { toTable } from '../table/index.ts';
import type { RequestScope } from './context.ts';
import { buildFilter } from './filter.ts';
import { negotiate } from './negotiate.ts';
import { partialMetadata, served, servedJson } from './objects.ts';
import { isStorageVersion } from '../registry/convert.ts';
import { registryKey } from './context.ts';

/** Close a watcher whose client reads slower than this much buffered output. */
const MAX_BUFFERED = 32 * 1024 * 1024;
const BOOKMARK_INTERVAL_MS = 10_000;

export async function handleWatch(s: RequestScope): Promise<void> {
  const fs = s.query.get('fieldSelector') ?? '';
  const name = s.ri.name || fieldName(fs);
  // A watch narrowed only by name (kubectl get -w NAME, wait, informers of one object) needs no generic filter.
  const onlyName = !(s.query.get('labelSelector') ?? '').trim() && /^metadata\.name==?[^,]+$/.test(fs.trim());
  const filter = onlyName ? undefined : buildFilter(s.info, s.query);
  const fmt = negotiate(s.req.headers.accept);
  const params = watchParams(s.query);
  const bookmarks = params.allowWatchBookmarks;
  const initialEvents = params.sendInitialEvents;
  const timeoutSec = params.timeoutSeconds ?? 1800 + Math.floor(Math.random() * 1800);
  // Resume after a specific version, or (""/"0"/sendInitialEvents) start with the current state.
  const from = params.rv === undefined || params.rv === 0 || initialEvents ? undefined : params.rv;
  const cache = s.server.cache;
  // A version the cache has not reached: wait for its progress, then 504 ResourceVersionTooLarge
  // (TooLargeResourceVersionError) as upstream's cacher does.
  if (params.rv !== undefined && params.rv > 0) await cache.waitFor(params.rv);
  else if (params.resourceVersion === '') await cache.sync();

  const res = s.res;
  const nsPrefix = s.registry.prefix(s.ri.namespace);
  const sharedLines = fmt.kind === 'json' && isStorageVersion(s.info);
  let tableColumnsSent = false;
  let lastRev = from ?? 0;
  let closed = false;
  const pending: string[] = [];
  let started = false;

  const encode = (type: string, obj: KubeObject, cachedJson?: string): string => {
    if (fmt.kind === 'table') {
      const t = toTable(s.info, [served(s.info, obj)], { now: Date.now(), includeObject: includeObjectOf(s.query) }) as unknown as Record<string, unknown>;
      t.apiVersion = fmt.apiVersion;
      if (tableColumnsSent) t.columnDefinitions = [];
      tableColumnsSent = true;
      return `{"type":"${type}","object":${JSON.stringify(t)}}\n`;
    }
    if (fmt.kind === 'partial') return `{"type":"${type}","object":${JSON.stringify(partialMetadata(served(s.info, obj), fmt.apiVersion))}}\n`;
    return `{"type":"${type}","object":${cachedJson ?? JSON.stringify(served(s.info, obj))}}\n`;
  };

  const send = (line: string): void => {
    if (closed) return;
    if (!started) { pending.push(line); return; }
    res.write(line);
    if (res.writableLength > MAX_BUFFERED) finish();
  };

  const matches = (o: KubeObject | undefined): boolean => !!o && (!filter || filter(o)) && (!name || o.metadata.name === name);

  // The line for an event is built once and shared by every JSON watcher of this version.
  const emit = (type: 'ADDED' | 'MODIFIED' | 'DELETED', ev: CacheEvent): void => {
    if (!sharedLines) { send(encode(type, ev.obj.obj, servedJson(s.info, ev.obj))); return; }
    const lines = (ev.lines ??= {});
    send(lines[type] ??= `{"type":"${type}","object":${servedJson(s.info, ev.obj)}}\n`);
  };

  const onEvent = (ev: CacheEvent): void => {
    lastRev = Math.max(lastRev, ev.rev);
    const cur = ev.obj.obj;
    const curMatch = matches(cur);
    if (ev.type === 'ADDED') {
      if (curMatch) emit('ADDED', ev);
      return;
    }
    if (ev.type === 'DELETED') {
      if (matches(ev.prev?.obj ?? cur)) emit('DELETED', ev);
      return;
    }
    const prevMatch = matches(ev.prev?.obj);
    if (curMatch && prevMatch) emit('MODIFIED', ev);
    else if (curMatch) emit('ADDED', ev);
    else if (prevMatch) emit('DELETED', ev);
  };

  let sub: { close(): void } | undefined;
  let subscribedAt = 0;
  try {
    // One named object in a namespace (or of a cluster-scoped kind): subscribe to its key alone.
    const exact = name !== '' && (s.ri.namespace !== '' || !s.info.namespaced);
    const r = exact ? cache.subscribe(s.registry.key(s.ri.namespace, name), from, onEvent, true) : cache.subscribe(nsPrefix, from, onEvent);
    sub = r.subscription;
    subscribedAt = r.revision;
  } catch (err) {
    if (err instanceof TooOldError) {
      res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private' });
      const status = expired(`too old resource version: ${from} (${cache.oldestWatchable(nsPrefix)})`).status;
      res.end(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
      return;
    }
    throw err;
  }

  const key = registryKey(s.info);
  s.server.watchCount.set(key, (s.server.watchCount.get(key) ?? 0) + 1);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  started = true;
  if (initialEvents && bookmarks) {
    pending.push(bookmark(s, Math.max(subscribedAt, lastRev), true));
  }
  for (const line of pending.splice(0)) res.write(line);

  const bookmarkTimer = bookmarks ? setInterval(() => send(bookmark(s, Math.max(cache.revision, lastRev))), BOOKMARK_INTERVAL_MS) : undefined;
  let finish: () => void = () => {};
  await new Promise<void>((resolve) => {
    const timeout = setTimeout(() => finish(), timeoutSec * 1000);
    const onAbort = (): void => finish();
    s.server.signal.addEventListener('abort', onAbort);
    finish = () => {
      if (closed) return;
      closed = true;
      clearTimeout(timeout);
      if (bookmarkTimer) clearInterval(bookmarkTimer);
      s.server.signal.removeEventListener('abort', onAbort);
      sub?.close();
      s.server.watchCount.set(key, (s.server.watchCount.get(key) ?? 1) - 1);
      if (!res.writableEnded) res.end();
      resolve();
    };
    res.on('close', () => finish());
    s.req.on('close', () => finish());
  });
}

function bookmark(s: RequestScope, rev: number, initialEventsEnd = false): string {
  const metadata: Record<string, unknown> = { resourceVersion: String(rev) };
  if (initialEventsEnd) metadata.annotations = { 'k8s.io/initial-events-end': 'true' };
  return `{"type":"BOOKMARK","object":${JSON.stringify({ kind: s.info.kind, apiVersion: apiVersionOf(s.info), metadata })}}\n`;
}

function includeObjectOf(q: URLSearchParams): 'None' | 'Metadata' | 'Object' {
  const v = q.get('includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** `metadata.name=x` in a field selector narrows a watch to one object (kubectl get -w NAME, wait). */
function fieldName(fs: string): string {
  const m = /(?:^|,)metadata\.name==?([^,]+)/.exec(fs);
  return m?.[1] ?? '';
}
