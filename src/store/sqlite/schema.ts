// The on-disk layout of the SQLite store, modelled on kine (github.com/k3s-io/kine): every write
// appends one row to `log`, whose INTEGER PRIMARY KEY is the global revision. `current` maps each
// live key to the log row holding its latest value, so get/list/count at the current revision are
// single index range scans; reads at an older revision and watch replay go to `log` itself.

import type { Database } from 'better-sqlite3';

export const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS log (
  rev        INTEGER PRIMARY KEY,
  key        TEXT    NOT NULL,
  value      TEXT    NOT NULL,
  create_rev INTEGER NOT NULL,
  prev_rev   INTEGER NOT NULL,
  deleted    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS log_key_rev ON log (key, rev);
CREATE TABLE IF NOT EXISTS current (
  key TEXT    PRIMARY KEY,
  rev INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meta (
  name  TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (name, value) VALUES ('revision', 0), ('compacted', 0);
`;

export class SchemaError extends Error {
  readonly code = 'SchemaVersion';
  constructor(path: string, found: number) {
    super(`Cannot open store "${path}": schema version ${found} is newer than this build understands (${SCHEMA_VERSION})`);
    this.name = 'SchemaError';
  }
}

export class StoreLockedError extends Error {
  readonly code = 'StoreLocked';
  constructor(path: string, cause: unknown) {
    super(`Cannot open store "${path}": the database is in use by another process`, { cause });
    this.name = 'StoreLockedError';
  }
}

/**
 * Pragmas and tables. Durability choice: WAL with synchronous=NORMAL. A transaction is committed
 * once its frames are written to the WAL file (write(2), no fsync), so a process crash — including
 * kill -9 — never loses an acknowledged write; only an OS crash or power loss can lose the last
 * few transactions (they never corrupt the database). This is the trade kine and most embedded
 * control planes make; FULL would fsync on every group commit.
 */
export function initSchema(db: Database, path: string): void {
  // The store keeps the revision counter and the watch feed in memory, so exactly one process
  // may own the file. EXCLUSIVE locking (set before WAL is first used, so no shared-memory index
  // is needed) holds the write lock from the first write below until close or process exit; a
  // second opener fails at once instead of silently forking the revision sequence. The price:
  // other tools cannot read the file while skiff runs.
  db.pragma('locking_mode = EXCLUSIVE');
  db.pragma('busy_timeout = 0');
  try {
    db.pragma('journal_mode = WAL');
    db.exec('BEGIN IMMEDIATE; COMMIT');
  } catch (err) {
    if ((err as { code?: string }).code?.startsWith('SQLITE_BUSY') === true) throw new StoreLockedError(path, err);
    throw err;
  }
  db.pragma('synchronous = NORMAL');
  const found = db.pragma('user_version', { simple: true }) as number;
  if (found > SCHEMA_VERSION) throw new SchemaError(path, found);
  db.exec(DDL);
  if (found < SCHEMA_VERSION) db.pragma(`user_version = ${SCHEMA_VERSION}`);
}
