// Renders pull events for a person: on a terminal a bar per blob, redrawn in place; otherwise
// (logs, pipes) one line per blob when it is done, so the output reads well in a file.
import type { PullBlob, PullEvent } from './pull-events.ts';

export interface ProgressOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

interface Row {
  blob: PullBlob;
  completed: number;
  resumedFrom: number;
  state: 'waiting' | 'exists' | 'downloading' | 'downloaded';
}

const REDRAW_MS = 100;

export function createProgressPrinter(out: ProgressOutput): (event: PullEvent) => void {
  return out.isTTY === true ? ttyPrinter(out) : linePrinter(out);
}

function label(blob: PullBlob, layers: number): string {
  const what = blob.role === 'config' ? 'config' : `layer ${blob.index}/${layers}`;
  return `${what.padEnd(11)} ${blob.digest.slice(7, 19)}`;
}

function header(event: PullEvent, print: (line: string) => void): void {
  if (event.type === 'resolving') {
    print(`Pulling ${event.ref}${event.plainHttp ? ` (plain HTTP: ${event.registry} is a loopback registry)` : ''}`);
  } else if (event.type === 'resolved') {
    const bytes = event.blobs.reduce((n, b) => n + b.size, 0);
    const layers = event.blobs.filter((b) => b.role === 'layer').length;
    const from = event.indexDigest !== undefined ? ` from index ${event.indexDigest.slice(0, 19)}` : '';
    print(`Manifest ${event.manifestDigest}${from}: ${layers} layer${layers === 1 ? '' : 's'}, ${formatBytes(bytes)}`);
  } else if (event.type === 'storing') {
    print('Storing and unpacking layers');
  }
}

function linePrinter(out: ProgressOutput): (event: PullEvent) => void {
  const print = (line: string): void => { out.write(`${line}\n`); };
  const resumed = new Map<string, number>();
  let layers = 0;
  return (event) => {
    if (event.type === 'resolved') layers = event.blobs.filter((b) => b.role === 'layer').length;
    if (event.type !== 'blob') return header(event, print);
    if (event.state === 'downloading' && event.resumedFrom > 0) resumed.set(event.blob.digest, event.resumedFrom);
    if (event.state === 'exists') print(`${label(event.blob, layers)}: already present`);
    if (event.state === 'downloaded') {
      const from = resumed.get(event.blob.digest);
      print(`${label(event.blob, layers)}: downloaded ${formatBytes(event.blob.size)}${from !== undefined ? ` (resumed at ${formatBytes(from)})` : ''}`);
    }
  };
}

function ttyPrinter(out: ProgressOutput): (event: PullEvent) => void {
  const rows: Row[] = [];
  let drawn = 0;
  let lastDraw = 0;
  let layers = 0;
  const draw = (): void => {
    lastDraw = Date.now();
    const width = Math.max(10, Math.min(40, (out.columns ?? 80) - 50));
    let text = drawn > 0 ? `\x1b[${drawn}A` : '';
    for (const r of rows) text += `\x1b[2K${label(r.blob, layers)} ${rowText(r, width)}\n`;
    drawn = rows.length;
    out.write(text);
  };
  return (event) => {
    if (event.type === 'resolved') {
      layers = event.blobs.filter((b) => b.role === 'layer').length;
      header(event, (line) => out.write(`${line}\n`));
      for (const blob of event.blobs) rows.push({ blob, completed: 0, resumedFrom: 0, state: 'waiting' });
      return draw();
    }
    if (event.type !== 'blob') return header(event, (line) => out.write(`${line}\n`));
    const row = rows.find((r) => r.blob.digest === event.blob.digest);
    if (!row) return;
    const changed = row.state !== event.state;
    row.state = event.state;
    row.completed = event.completed;
    if (event.resumedFrom > 0) row.resumedFrom = event.resumedFrom;
    if (changed || Date.now() - lastDraw >= REDRAW_MS) draw();
  };
}

function rowText(r: Row, width: number): string {
  if (r.state === 'waiting') return 'waiting';
  if (r.state === 'exists') return 'already present';
  const total = Math.max(1, r.blob.size);
  const filled = Math.min(width, Math.floor((r.completed / total) * width));
  const bar = `[${'='.repeat(filled)}${filled < width ? '>' : ''}${' '.repeat(Math.max(0, width - filled - 1))}]`;
  const pct = `${Math.floor((r.completed / total) * 100)}%`.padStart(4);
  const tail = r.state === 'downloaded' ? 'done' : r.resumedFrom > 0 ? `resumed at ${formatBytes(r.resumedFrom)}` : '';
  return `${bar} ${pct} ${formatBytes(r.completed)}/${formatBytes(r.blob.size)} ${tail}`.trimEnd();
}

export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = bytes / 1000;
  let u = 0;
  while (v >= 1000 && u < units.length - 1) {
    v /= 1000;
    u++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
