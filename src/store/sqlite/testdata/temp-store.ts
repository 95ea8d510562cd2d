// Test helper: a SQLite store in a fresh temporary directory, removed by cleanup().

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteStore } from '../sqlite-store.ts';
import type { SqliteStore, SqliteStoreOptions } from '../sqlite-store.ts';

export interface TempStore {
  dir: string;
  path: string;
  store: SqliteStore;
  reopen(opts?: Omit<SqliteStoreOptions, 'path'>): Promise<SqliteStore>;
  cleanup(): Promise<void>;
}

export async function tempStore(opts: Omit<SqliteStoreOptions, 'path'> = {}): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), 'skiff-store-'));
  const path = join(dir, 'state.db');
  const t: TempStore = {
    dir,
    path,
    store: openSqliteStore({ ...opts, path }),
    async reopen(next = opts) {
      await t.store.close();
      t.store = openSqliteStore({ ...next, path });
      return t.store;
    },
    async cleanup() {
      await t.store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return t;
}
