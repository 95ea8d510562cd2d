// The default Store backend: embedded SQLite through better-sqlite3 (synchronous API, one
// connection owned by this process). See schema.ts for the tables and the durability choice.
//
// Writes use group commit: every create/update/delete issued before the event loop's next check
// phase (setImmediate) is applied in one IMMEDIATE transaction. Each write still gets its own
// revision; a write whose precondition fails (KeyExists, KeyNotFound, ResourceVersionConflict)
// is skipped and fails alone. Promises settle only after COMMIT returned, and watchers are fed
// from the same synchronous step, so they see exactly the committed writes in revision order.
// Reads are synchronous and therefore always see one consistent revision.

import { channel } from 'node:diagnostics_channel';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import Database from 'better-sqlite3';
import type { Database as Db, Statement } from 'better-sqlite3';
import { StoreError, compacted, keyExists, keyNotFound, rvConflict } from '../errors.ts';
import type { KeyValue, ListOptions, ListResult, Store, StoreEvent, Watcher, WatchOptions } from '../types.ts';
import { initSchema } from './schema.ts';
import { SqliteWatcher, closedError } from './sqlite-watcher.ts';
import type { WatchSource } from './sqlite-watcher.ts';

export interface SqliteStoreOptions {
  /** Database file; ':memory:' works for tests (no durability, no WAL). */
  path: string;
  /** History kept for watches and old-revision lists. Default 5 minutes. */
  historyRetentionMs?: number;
  /** How often retention-based compaction runs. Default min(60 s, retention). */
  compactionIntervalMs?: number;
  /** Live events buffered per slow watcher before it falls back to reading the log. Default 100,000. */
  maxWatchBuffer?: number;
  /** Revisions compacted per transaction; the event loop gets a turn between them. Default 5,000. */
  compactionChunk?: number;
}

export const DEFAULT_HISTORY_RETENTION_MS = 5 * 60_000;

/** Published after each compaction: { path, revision, durationMs } or { path, revision, error }. */
export const compactionChannel = channel('skiff:store:compaction');
const DEFAULT_MAX_WATCH_BUFFER = 100_000;
const CATCH_UP_SPAN = 1_000;
const DEFAULT_COMPACTION_CHUNK = 5_000;

type WriteOp =
  | { kind: 'create'; key: string; value: string }
  | { kind: 'update'; key: string; value: string; expected: number }
  | { kind: 'delete'; key: string; expected: number | undefined };

interface PendingWrite {
  op: WriteOp;
  resolve: (kv: KeyValue) => void;
  reject: (err: unknown) => void;
}

interface CurrentRow {
  rev: number;
  create_rev: number;
  value: string;
}

interface KvRow {
  key: string;
  value: string;
  create_rev: number;
  rev: number;
}

interface LogRow extends KvRow {
  prev_rev: number;
  deleted: number;
  prev_value: string | null;
  prev_deleted: number | null;
  prev_create_rev: number | null;
}

const toKv = (r: KvRow): KeyValue => ({ key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.rev });

// TEXT compares as UTF-8 bytes (BINARY collation), so key order is byte order and
// prefix || 0xFF is above every key that starts with prefix (0xFF never occurs in UTF-8).
const UPPER = `(@prefix || CAST(X'FF' AS TEXT))`;
const byteCompare = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Opens (creating if needed) a SQLite store. Synchronous; see openStore for the async entry point. */
export function openSqliteStore(opts: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(opts);
}

export class SqliteStore implements Store {
  #db: Db;
  #closed = false;
  #rev: number;
  #compacted: number;
  #pending: PendingWrite[] = [];
  #flushScheduled = false;
  #watchers = new Set<SqliteWatcher>();
  #maxWatchBuffer: number;
  #retentionMs: number;
  #compactionChunk: number;
  #path: string;
  #timer: NodeJS.Timeout;
  #samples: { at: number; rev: number }[] = [];
  #compactChain: Promise<void> = Promise.resolve();
  #stmts = new Map<string, Statement>();
  #getCur: Statement<[string], CurrentRow>;
  #insLog: Statement<[number, string, string, number, number, number]>;
  #putCur: Statement<[string, number]>;
  #delCur: Statement<[string]>;
  #commitBatch: (batch: PendingWrite[], outcomes: (KeyValue | StoreError)[], events: StoreEvent[]) => number;
  #compactRange: (from: number, to: number) => void;

  constructor(opts: SqliteStoreOptions) {
    this.#path = opts.path;
    this.#db = new Database(opts.path);
    try {
      initSchema(this.#db, opts.path);
    } catch (err) {
      this.#db.close();
      throw err;
    }
    const db = this.#db;
    const meta = (name: string): number =>
      (db.prepare('SELECT value FROM meta WHERE name = ?').pluck().get(name) as number | undefined) ?? 0;
    this.#compacted = meta('compacted');
    const maxRev = (db.prepare('SELECT max(rev) FROM log').pluck().get() as number | null) ?? 0;
    // Compaction may have removed the newest row (a deletion), but never anything above `compacted`.
    this.#rev = Math.max(maxRev, this.#compacted);

    this.#getCur = db.prepare('SELECT l.rev, l.create_rev, l.value FROM current c JOIN log l ON l.rev = c.rev WHERE c.key = ?');
    this.#insLog = db.prepare('INSERT INTO log (rev, key, value, create_rev, prev_rev, deleted) VALUES (?, ?, ?, ?, ?, ?)');
    this.#putCur = db.prepare('INSERT INTO current (key, rev) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET rev = excluded.rev');
    this.#delCur = db.prepare('DELETE FROM current WHERE key = ?');

    const commitTxn = db.transaction((batch: PendingWrite[], outcomes: (KeyValue | StoreError)[], events: StoreEvent[]): number => {
      let rev = this.#rev;
      for (const p of batch) {
        const out = this.#apply(p.op, rev + 1, events);
        if (!(out instanceof StoreError)) rev++;
        outcomes.push(out);
      }
      return rev;
    });
    this.#commitBatch = (batch, outcomes, events) => commitTxn.immediate(batch, outcomes, events);

    const delPrev = db.prepare('DELETE FROM log WHERE rev IN (SELECT prev_rev FROM log WHERE rev BETWEEN ? AND ? AND prev_rev > 0)');
    const delTombstones = db.prepare('DELETE FROM log WHERE rev BETWEEN ? AND ? AND deleted = 1');
    const setCompacted = db.prepare("UPDATE meta SET value = ? WHERE name = 'compacted'");
    // Rows at or below the compaction point that some newer row (also at or below it) supersedes
    // are dropped, and so are tombstones. What remains at or below it is exactly the state at
    // that revision, which current-table rows keep pointing at.
    const compactTxn = db.transaction((from: number, to: number): void => {
      delPrev.run(from, to);
      delTombstones.run(from, to);
      setCompacted.run(to);
    });
    this.#compactRange = (from, to) => compactTxn.immediate(from, to);

    this.#maxWatchBuffer = opts.maxWatchBuffer ?? DEFAULT_MAX_WATCH_BUFFER;
    this.#retentionMs = opts.historyRetentionMs ?? DEFAULT_HISTORY_RETENTION_MS;
    this.#compactionChunk = Math.max(1, opts.compactionChunk ?? DEFAULT_COMPACTION_CHUNK);
    const interval = opts.compactionIntervalMs ?? Math.min(60_000, this.#retentionMs);
    // History already on disk counts as written now: it is kept for one more retention period.
    this.#samples.push({ at: Date.now(), rev: this.#rev });
    this.#timer = setInterval(this.#retentionTick, Math.max(10, interval));
    this.#timer.unref();
  }

  async create(key: string, value: string): Promise<KeyValue> {
    return this.#write({ kind: 'create', key, value });
  }

  async update(key: string, value: string, expectedRevision: number): Promise<KeyValue> {
    return this.#write({ kind: 'update', key, value, expected: expectedRevision });
  }

  async delete(key: string, expectedRevision?: number): Promise<KeyValue> {
    return this.#write({ kind: 'delete', key, expected: expectedRevision });
  }

  async get(key: string): Promise<KeyValue> {
    this.#checkOpen();
    const row = this.#getCur.get(key);
    if (row === undefined) throw keyNotFound(key);
    return { key, value: row.value, createRevision: row.create_rev, modRevision: row.rev };
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.#checkOpen();
    const current = this.#rev;
    const requested = opts.revision ?? 0;
    if (requested > current) {
      throw new StoreError('Internal', prefix, `Cannot list "${prefix}" at revision ${requested}: the store is only at revision ${current}`);
    }
    const historical = requested > 0 && requested < current;
    if (historical && requested <= this.#compacted) throw compacted(requested, this.#compacted);
    const revision = historical ? requested : current;
    const limit = opts.limit !== undefined && opts.limit > 0 ? Math.floor(opts.limit) : 0;
    const { sql, params } = this.#rangeQuery(prefix, opts.startAfter, historical ? revision : 0, 'rows');
    const rows = this.#stmt(sql).all({ ...params, limit: limit > 0 ? limit + 1 : -1 }) as KvRow[];
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    const items = rows.map(toKv);
    const result: ListResult = { items, revision, more };
    // Counting the rest at an old revision scans the rest of the log range; clients page at an old
    // revision only when writes came between pages, and etcd gives the count there too.
    if (limit > 0) {
      const last = items[items.length - 1];
      result.remaining = more && last !== undefined ? this.#countRange(prefix, last.key, historical ? revision : 0) : 0;
    }
    return result;
  }

  async count(prefix: string): Promise<number> {
    this.#checkOpen();
    return this.#countRange(prefix, undefined, 0);
  }

  watch(prefix: string, opts: WatchOptions): Watcher {
    const w = new SqliteWatcher(this.#source, prefix, opts.afterRevision, opts.signal, {
      maxBuffer: this.#maxWatchBuffer,
      catchUpSpan: CATCH_UP_SPAN,
    });
    if (this.#closed) w.fail(closedError());
    else if (!w.finished) this.#watchers.add(w);
    return w;
  }

  async currentRevision(): Promise<number> {
    this.#checkOpen();
    return this.#rev;
  }

  async compactedRevision(): Promise<number> {
    this.#checkOpen();
    return this.#compacted;
  }

  async compact(revision: number): Promise<void> {
    this.#checkOpen();
    const run = this.#compactChain.then(() => this.#compactTo(revision));
    this.#compactChain = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    // Writes already accepted are committed and answered rather than dropped.
    this.#flush();
    this.#closed = true;
    clearInterval(this.#timer);
    for (const w of [...this.#watchers]) w.fail(closedError());
    this.#watchers.clear();
    // A running compaction is between chunks (chunks are synchronous); it sees #closed and stops.
    this.#db.close();
  }

  // ---- writes ----

  #write(op: WriteOp): Promise<KeyValue> {
    if (this.#closed) return Promise.reject(closedError());
    return new Promise<KeyValue>((resolve, reject) => {
      this.#pending.push({ op, resolve, reject });
      if (!this.#flushScheduled) {
        this.#flushScheduled = true;
        setImmediate(this.#flush);
      }
    });
  }

  #flush = (): void => {
    this.#flushScheduled = false;
    const batch = this.#pending;
    if (batch.length === 0 || this.#closed) return;
    this.#pending = [];
    const outcomes: (KeyValue | StoreError)[] = [];
    const events: StoreEvent[] = [];
    let rev: number;
    try {
      rev = this.#commitBatch(batch, outcomes, events);
    } catch (err) {
      const e = new StoreError('Internal', '', `Cannot commit ${batch.length} writes: ${(err as Error).message}`, { cause: err });
      for (const p of batch) p.reject(e);
      return;
    }
    this.#rev = rev;
    if (this.#watchers.size > 0) {
      for (const ev of events) {
        for (const w of this.#watchers) if (ev.kv.key.startsWith(w.prefix)) w.push(ev);
      }
    }
    batch.forEach((p, i) => {
      const out = outcomes[i];
      if (out instanceof StoreError) p.reject(out);
      else p.resolve(out as KeyValue);
    });
  };

  /** Applies one write at revision `rev` inside the batch transaction, or returns why not. */
  #apply(op: WriteOp, rev: number, events: StoreEvent[]): KeyValue | StoreError {
    const { key } = op;
    const cur = this.#getCur.get(key);
    const prev: KeyValue | undefined =
      cur === undefined ? undefined : { key, value: cur.value, createRevision: cur.create_rev, modRevision: cur.rev };
    switch (op.kind) {
      case 'create': {
        if (prev !== undefined) return keyExists(key);
        this.#insLog.run(rev, key, op.value, rev, 0, 0);
        this.#putCur.run(key, rev);
        const kv = { key, value: op.value, createRevision: rev, modRevision: rev };
        events.push({ type: 'put', kv });
        return kv;
      }
      case 'update': {
        if (prev === undefined) return keyNotFound(key);
        if (prev.modRevision !== op.expected) return rvConflict(key, op.expected, prev.modRevision);
        this.#insLog.run(rev, key, op.value, prev.createRevision, prev.modRevision, 0);
        this.#putCur.run(key, rev);
        const kv = { key, value: op.value, createRevision: prev.createRevision, modRevision: rev };
        events.push({ type: 'put', kv, prev });
        return kv;
      }
      case 'delete': {
        if (prev === undefined) return keyNotFound(key);
        if (op.expected !== undefined && prev.modRevision !== op.expected) return rvConflict(key, op.expected, prev.modRevision);
        // A tombstone keeps the last value and create revision, so a replayed delete event
        // can be rebuilt from its own row.
        this.#insLog.run(rev, key, prev.value, prev.createRevision, prev.modRevision, 1);
        this.#delCur.run(key);
        const kv = { key, value: prev.value, createRevision: prev.createRevision, modRevision: rev };
        events.push({ type: 'delete', kv, prev });
        return kv;
      }
    }
  }

  // ---- reads ----

  /**
   * SQL for keys under prefix (after startAfter) either from `current` (atRev = 0) or as of
   * revision atRev from the log: for each key its newest row at or below atRev, unless a tombstone.
   */
  #rangeQuery(prefix: string, startAfter: string | undefined, atRev: number, shape: 'rows' | 'count'): { sql: string; params: Record<string, string | number> } {
    const params: Record<string, string | number> = { prefix };
    const col = atRev > 0 ? 'l.key' : 'c.key';
    const where: string[] = [];
    // One lower bound only, so SQLite seeks straight to it (pagination stays O(page)).
    if (startAfter !== undefined && byteCompare(startAfter, prefix) >= 0) {
      where.push(`${col} > @after`);
      params.after = startAfter;
    } else {
      where.push(`${col} >= @prefix`);
    }
    if (prefix !== '') where.push(`${col} < ${UPPER}`);
    let from: string;
    if (atRev > 0) {
      from = 'log l';
      where.push('l.rev = (SELECT max(x.rev) FROM log x WHERE x.key = l.key AND x.rev <= @rev)', 'l.deleted = 0');
      params.rev = atRev;
    } else {
      from = 'current c JOIN log l ON l.rev = c.rev';
    }
    const cond = where.join(' AND ');
    if (shape === 'count') {
      if (atRev === 0) return { sql: `SELECT count(*) FROM current c WHERE ${cond}`, params };
      return { sql: `SELECT count(*) FROM ${from} WHERE ${cond}`, params };
    }
    return { sql: `SELECT ${col} AS key, l.value, l.create_rev, l.rev FROM ${from} WHERE ${cond} ORDER BY ${col} LIMIT @limit`, params };
  }

  #countRange(prefix: string, startAfter: string | undefined, atRev: number): number {
    const { sql, params } = this.#rangeQuery(prefix, startAfter, atRev, 'count');
    return this.#stmt(sql).pluck().get(params) as number;
  }

  #stmt(sql: string): Statement {
    let s = this.#stmts.get(sql);
    if (s === undefined) {
      s = this.#db.prepare(sql);
      this.#stmts.set(sql, s);
    }
    return s;
  }

  #readEvents(prefix: string, fromRev: number, toRev: number): StoreEvent[] {
    const keyCond = prefix === '' ? '' : ` AND l.key >= @prefix AND l.key < ${UPPER}`;
    const sql =
      'SELECT l.rev, l.key, l.value, l.create_rev, l.prev_rev, l.deleted, p.value AS prev_value, p.create_rev AS prev_create_rev, p.deleted AS prev_deleted' +
      ' FROM log l LEFT JOIN log p ON p.rev = l.prev_rev AND l.prev_rev > 0 AND l.deleted = 0' +
      ` WHERE l.rev BETWEEN @from AND @to${keyCond} ORDER BY l.rev`;
    const rows = this.#stmt(sql).all({ prefix, from: fromRev, to: toRev }) as LogRow[];
    return rows.map((r): StoreEvent => {
      const kv = toKv(r);
      if (r.deleted !== 0) {
        return { type: 'delete', kv, prev: { key: r.key, value: r.value, createRevision: r.create_rev, modRevision: r.prev_rev } };
      }
      // The previous version may already be compacted away; prev is optional for puts.
      if (r.prev_value !== null && r.prev_deleted === 0 && r.prev_create_rev !== null) {
        return { type: 'put', kv, prev: { key: r.key, value: r.prev_value, createRevision: r.prev_create_rev, modRevision: r.prev_rev } };
      }
      return { type: 'put', kv };
    });
  }

  #source: WatchSource = {
    revision: () => this.#rev,
    compactedRevision: () => this.#compacted,
    isClosed: () => this.#closed,
    readEvents: (prefix, fromRev, toRev) => this.#readEvents(prefix, fromRev, toRev),
    removeWatcher: (w) => {
      this.#watchers.delete(w);
    },
  };

  // ---- compaction ----

  async #compactTo(revision: number): Promise<void> {
    const target = Math.min(Math.floor(revision), this.#rev);
    if (!(target > this.#compacted)) return;
    const started = performance.now();
    try {
      await this.#compactChunks(target);
    } catch (err) {
      if (compactionChannel.hasSubscribers) compactionChannel.publish({ path: this.#path, revision: target, error: err });
      throw new StoreError('Internal', '', `Cannot compact to revision ${target}: ${(err as Error).message}`, { cause: err });
    }
    if (compactionChannel.hasSubscribers) {
      compactionChannel.publish({ path: this.#path, revision: this.#compacted, durationMs: performance.now() - started });
    }
  }

  async #compactChunks(target: number): Promise<void> {
    while (!this.#closed && this.#compacted < target) {
      const to = Math.min(target, this.#compacted + this.#compactionChunk);
      this.#compactRange(this.#compacted + 1, to);
      this.#compacted = to;
      // Long compactions give writes and reads a turn between chunks.
      if (to < target) await yieldToLoop();
    }
  }

  #retentionTick = (): void => {
    if (this.#closed) return;
    const now = Date.now();
    this.#samples.push({ at: now, rev: this.#rev });
    // The newest revision that was already current `retention` ago can go. That sample stays
    // (older ones are dropped) so later ticks still know its revision is old enough.
    const cutoff = now - this.#retentionMs;
    let i = -1;
    while (i + 1 < this.#samples.length && this.#samples[i + 1]!.at <= cutoff) i++;
    if (i < 0) return;
    const target = this.#samples[i]!.rev;
    this.#samples.splice(0, i);
    // Failures are published on compactionChannel; the next tick tries again.
    if (target > this.#compacted) this.compact(target).catch(() => undefined);
  };

  #checkOpen(): void {
    if (this.#closed) throw closedError();
  }
}
