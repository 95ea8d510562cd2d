// The CRI container log format conmon writes (k8s-file): one record per line,
// `<RFC3339Nano timestamp> <stdout|stderr> <P|F> <content>`, where `P` marks a piece of a line
// that continues in the next record and `F` its final piece. Mirrors the parser in
// kubernetes/pkg/kubelet/kuberuntime/logs/logs.go.
import { constants } from 'node:fs';
import { open, readdir, rename, rm, stat } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface CriRecord {
  timestamp: string;
  stream: 'stdout' | 'stderr';
  partial: boolean;
  content: string;
}

/** A whole line as the container printed it, with its partial records joined. */
export interface LogLine {
  timestamp: string;
  stream: 'stdout' | 'stderr';
  content: string;
}

export function parseCriRecord(line: string): CriRecord | undefined {
  const a = line.indexOf(' ');
  const b = a < 0 ? -1 : line.indexOf(' ', a + 1);
  if (b < 0) return undefined;
  const timestamp = line.slice(0, a);
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const rest = line.slice(b + 1);
  const c = rest.indexOf(' ');
  const tag = c < 0 ? rest : rest.slice(0, c);
  // Old files without the tag field hold full lines only.
  if (tag !== 'P' && tag !== 'F') return { timestamp, stream, partial: false, content: rest };
  return { timestamp, stream, partial: tag === 'P', content: c < 0 ? '' : rest.slice(c + 1) };
}

/** Joins partial records per stream into whole lines. */
export class LineAssembler {
  readonly #pending = new Map<string, CriRecord[]>();

  push(record: CriRecord): LogLine | undefined {
    if (record.partial) {
      const list = this.#pending.get(record.stream) ?? [];
      list.push(record);
      this.#pending.set(record.stream, list);
      return undefined;
    }
    const pieces = this.#pending.get(record.stream) ?? [];
    this.#pending.delete(record.stream);
    const first = pieces[0] ?? record;
    return {
      timestamp: first.timestamp,
      stream: record.stream,
      content: pieces.map((p) => p.content).join('') + record.content,
    };
  }

  /** Lines still missing their final record (the writer ended mid-line), oldest first. */
  flush(): LogLine[] {
    const out: LogLine[] = [];
    for (const pieces of this.#pending.values()) {
      const first = pieces[0];
      if (first) out.push({ timestamp: first.timestamp, stream: first.stream, content: pieces.map((p) => p.content).join('') });
    }
    this.#pending.clear();
    return out.sort((a, b) => (a.timestamp < b.timestamp ? -1 : a.timestamp > b.timestamp ? 1 : 0));
  }
}

export function formatLogLine(line: LogLine, timestamps: boolean): string {
  return timestamps ? `${line.timestamp} ${line.content}\n` : `${line.content}\n`;
}

export interface ReadLogsOptions {
  follow?: boolean;
  /** Only the last N lines (before following). */
  tail?: number;
  /** Only lines at or after this time. */
  since?: Date;
  /** Which streams; both by default. */
  streams?: ReadonlyArray<'stdout' | 'stderr'>;
  signal?: AbortSignal;
  /** While following: checked when the file has no new data; true ends the read. */
  stopWhen?: () => boolean | Promise<boolean>;
  pollMs?: number;
}

function accept(line: LogLine, o: ReadLogsOptions): boolean {
  if (o.streams && !o.streams.includes(line.stream)) return false;
  if (o.since && Date.parse(line.timestamp) < o.since.getTime()) return false;
  return true;
}

/** An open log file read forward in whole lines; bytes of an unfinished line wait for the rest. */
class LogCursor {
  readonly ino: number;
  offset = 0;
  readonly #fh: FileHandle;
  #carry: Buffer = Buffer.alloc(0);

  private constructor(fh: FileHandle, ino: number) {
    this.#fh = fh;
    this.ino = ino;
  }

  static async open(path: string): Promise<LogCursor | undefined> {
    try {
      const fh = await open(path, 'r');
      return new LogCursor(fh, (await fh.stat()).ino);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
  }

  /** Complete lines written since the last call. */
  async read(): Promise<string[]> {
    const lines: string[] = [];
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (;;) {
      const { bytesRead } = await this.#fh.read(buf, 0, buf.length, this.offset);
      if (bytesRead === 0) return lines;
      this.offset += bytesRead;
      let data = Buffer.concat([this.#carry, buf.subarray(0, bytesRead)]);
      let nl = data.indexOf(0x0a);
      while (nl >= 0) {
        lines.push(data.subarray(0, nl).toString('utf8'));
        data = data.subarray(nl + 1);
        nl = data.indexOf(0x0a);
      }
      this.#carry = Buffer.from(data);
    }
  }

  rewind(): void {
    this.offset = 0;
    this.#carry = Buffer.alloc(0);
  }

  async close(): Promise<void> {
    await this.#fh.close();
  }
}

async function statPath(path: string): Promise<{ ino: number; size: number } | undefined> {
  try {
    const s = await stat(path);
    return { ino: s.ino, size: s.size };
  } catch {
    return undefined;
  }
}

/**
 * Lines of a CRI log file. With `follow`, keeps reading until aborted or `stopWhen`, across
 * rotations: the renamed file is read to its end before the new one is opened.
 */
export async function* readCriLog(path: string, options: ReadLogsOptions = {}): AsyncGenerator<LogLine> {
  const assembler = new LineAssembler();
  const wholeLines = (lines: string[]): LogLine[] => {
    const out: LogLine[] = [];
    for (const line of lines) {
      const rec = parseCriRecord(line);
      const whole = rec && assembler.push(rec);
      if (whole && accept(whole, options)) out.push(whole);
    }
    return out;
  };
  let cursor = await LogCursor.open(path);
  try {
    const initial = cursor ? wholeLines(await cursor.read()) : [];
    if (!options.follow) for (const l of assembler.flush()) if (accept(l, options)) initial.push(l);
    const first = options.tail === undefined ? initial : options.tail <= 0 ? [] : initial.slice(-options.tail);
    for (const l of first) yield l;
    if (!options.follow) return;
    const pollMs = options.pollMs ?? 100;
    while (!options.signal?.aborted) {
      cursor ??= await LogCursor.open(path);
      const fresh = cursor ? await cursor.read() : [];
      if (fresh.length > 0) {
        for (const l of wholeLines(fresh)) yield l;
        continue;
      }
      const now = await statPath(path);
      if (cursor && now && now.ino !== cursor.ino) {
        // Rotated, and the old file is read to its end: move on to the new one.
        await cursor.close();
        cursor = await LogCursor.open(path);
        continue;
      }
      if (cursor && now && now.size < cursor.offset) {
        cursor.rewind(); // truncated in place
        continue;
      }
      if (options.stopWhen && (await options.stopWhen())) {
        // One last look: the writer may have flushed between the read and the check.
        const last = cursor ? await cursor.read() : [];
        for (const l of wholeLines(last)) yield l;
        for (const l of assembler.flush()) if (accept(l, options)) yield l;
        return;
      }
      try {
        await sleep(pollMs, undefined, options.signal ? { signal: options.signal } : {});
      } catch {
        return;
      }
    }
  } finally {
    await cursor?.close();
  }
}

export interface RotateOptions {
  maxBytes: number;
  /** Files kept in total, the live one included (kubelet's containerLogMaxFiles). */
  maxFiles: number;
}

function rotatedSuffix(d: Date): string {
  return d.toISOString().replace(/[-:]/g, '').replace('T', '-').replace(/\..*$/, '') + `.${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/**
 * Renames the live log aside once it reaches `maxBytes`, asks the writer to reopen (`reopen`),
 * and deletes the oldest rotated files beyond `maxFiles`. Returns whether it rotated.
 */
export async function rotateCriLog(path: string, options: RotateOptions, reopen: () => Promise<void>): Promise<boolean> {
  const s = await statPath(path);
  if (!s || s.size < options.maxBytes) return false;
  await rename(path, `${path}.${rotatedSuffix(new Date())}`);
  await reopen();
  const prefix = `${basename(path)}.`;
  const rotated = (await readdir(dirname(path))).filter((n) => n.startsWith(prefix)).sort();
  const excess = rotated.length - Math.max(0, options.maxFiles - 1);
  for (const name of rotated.slice(0, Math.max(0, excess))) await rm(join(dirname(path), name), { force: true });
  return true;
}

/** Tells conmon to reopen its log file by writing to the `ctl` FIFO it keeps in the bundle. */
export async function conmonReopenLog(ctlFifo: string): Promise<void> {
  // Non-blocking: a FIFO without a reader (conmon gone) fails with ENXIO instead of hanging.
  const fh = await open(ctlFifo, constants.O_WRONLY | constants.O_NONBLOCK);
  try {
    await fh.write('2 0 0\n');
  } finally {
    await fh.close();
  }
}
