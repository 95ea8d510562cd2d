// Opens the configured Store backend. Backends are imported lazily so a deployment only loads
// the driver it uses (better-sqlite3's native module, or later the etcd client).

import type { Store } from './types.ts';

export type { KeyValue, ListOptions, ListResult, Store, StoreEvent, Watcher, WatchOptions } from './types.ts';
export { guaranteedUpdate } from './types.ts';
export * from './errors.ts';

export interface SqliteBackendOptions {
  backend: 'sqlite';
  /** Database file path (created if missing); ':memory:' for throwaway stores in tests. */
  path: string;
  /** History kept for watches and old-revision lists, in ms. Default 5 minutes. */
  historyRetentionMs?: number;
  /** How often retention-based compaction runs, in ms. Default min(60 s, retention). */
  compactionIntervalMs?: number;
}

// An etcd backend will add its own member here, e.g. { backend: 'etcd'; endpoints: string[] }.
export type StoreOptions = SqliteBackendOptions;

export async function openStore(opts: StoreOptions): Promise<Store> {
  switch (opts.backend) {
    case 'sqlite': {
      const { openSqliteStore } = await import('./sqlite/sqlite-store.ts');
      const sqliteOpts: Parameters<typeof openSqliteStore>[0] = { path: opts.path };
      if (opts.historyRetentionMs !== undefined) sqliteOpts.historyRetentionMs = opts.historyRetentionMs;
      if (opts.compactionIntervalMs !== undefined) sqliteOpts.compactionIntervalMs = opts.compactionIntervalMs;
      return openSqliteStore(sqliteOpts);
    }
    default: {
      const other: { backend: string } = opts;
      throw new Error(`Cannot open store: unknown backend "${other.backend}"`);
    }
  }
}
