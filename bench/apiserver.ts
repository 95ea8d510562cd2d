// API server benchmark (issue 2): creates/s at 1, 16, 64 clients, GETs/s, a 10,000-pod list,
// watch fan-out to 1,000 watchers, RSS with 100,000 objects, and the floor: raw better-sqlite3.
import { request } from 'node:https';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { removeDir, startServer, tempDir } from '../test/e2e/harness.ts';
import { clientFromKubeconfig, percentile, type BenchClient } from './http-client.ts';

function line(name: string, value: number, unit: string): void {
  console.log(`${name}: ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
}

async function loop(concurrency: number, total: number, fn: (i: number) => Promise<void>): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    for (;;) {
      const i = next++;
      if (i >= total) return;
      await fn(i);
    }
  }));
  return (performance.now() - t0) / 1000;
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) / 1024;
}

async function must(c: BenchClient, method: string, path: string, body?: unknown): Promise<string> {
  const r = await c.req(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 200)}`);
  return r.body;
}

function sqliteFloor(dir: string): number {
  const db = new Database(join(dir, 'floor.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE kv (k TEXT PRIMARY KEY, v TEXT)');
  const ins = db.prepare('INSERT INTO kv (k, v) VALUES (?, ?)');
  const value = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x', namespace: 'default' }, data: { a: 'b' } });
  const n = 20_000;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) ins.run(`/registry/core/configmaps/default/floor-${i}`, value);
  const secs = (performance.now() - t0) / 1000;
  db.close();
  return n / secs;
}

const TOKEN = 'bench-token-0123456789';
const WRK_DIR = join(import.meta.dirname, 'wrk');

/**
 * Throughput is driven by wrk (C, one thread) so that the load generator, which shares the two
 * cores with the server, costs as little as possible; it authenticates with a bearer token.
 */
function wrk(url: string, script: string, connections: number, seconds: number, env: Record<string, string>): { rps: number; errors: number; requests: number } {
  const out = execFileSync('wrk', ['-t1', `-c${connections}`, `-d${seconds}s`, '-s', join(WRK_DIR, script), url], {
    env: { ...process.env, SKIFF_TOKEN: TOKEN, ...env }, encoding: 'utf8',
  });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? NaN);
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors:.*?timeout (\d+)/.exec(out)?.[1] ?? 0);
  if (errors > 0) process.stderr.write(out);
  return { rps, errors, requests };
}

export async function benchApiServer(): Promise<void> {
  const dir = await tempDir('bench');
  const floor = sqliteFloor(dir);
  line('sqlite_autocommit_inserts_per_second (floor)', floor, 'tx/s');
  writeFileSync(join(dir, 'tokens.csv'), `${TOKEN},bench,bench-uid,"system:masters"\n`);
  await benchTypedDecoding(dir);
  // As users run it: the controllers (and their informers) live in the same process. Not the
  // scheduler: the 10,000 pods listed below have no node to go to, and failing them all at once
  // (a status write and an event each) would be the scheduler's work, not the API server's.
  const srv = await startServer({ dataDir: join(dir, 'server'), logLevel: 'error', extraArgs: ['--token-file', join(dir, 'tokens.csv'), '--no-scheduler'] });
  const c = clientFromKubeconfig(srv.kubeconfig, 256);
  try {
    await must(c, 'POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
    const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { key: 'value' } });
    let created = 0;
    for (const conc of [1, 16, 64]) {
      const r = wrk(srv.url, 'create-configmaps.lua', conc, 8, { SKIFF_PREFIX: `c${conc}` });
      if (r.errors > 0) throw new Error(`${r.errors} failed creates with ${conc} clients`);
      created += r.requests;
      line(`create_configmaps_${conc}_clients`, r.rps, 'creates/s');
      if (conc === 64) line('create_64_clients_vs_sqlite_floor', r.rps / floor, 'ratio');
    }
    await loop(64, 1000, async (i) => { await must(c, 'POST', '/api/v1/namespaces/bench/configmaps', cm(`g-${i + 1}`)); });
    const g = wrk(srv.url, 'get-configmaps.lua', 64, 8, { SKIFF_PREFIX: 'g', SKIFF_COUNT: '1000' });
    if (g.errors > 0) throw new Error(`${g.errors} failed GETs`);
    line('get_configmap_64_clients', g.rps, 'gets/s');

    // 10,000 pods, then list them all.
    const pod = (name: string) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'bench' } }, spec: { containers: [{ name: 'c', image: 'busybox:latest' }] } });
    await loop(64, 10_000, async (i) => { await must(c, 'POST', '/api/v1/namespaces/bench/pods', pod(`p-${i}`)); });
    const lat: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      const body = await must(c, 'GET', '/api/v1/namespaces/bench/pods');
      lat.push(performance.now() - t0);
      if (i === 0 && (JSON.parse(body) as { items: unknown[] }).items.length !== 10_000) throw new Error('list returned the wrong count');
    }
    lat.sort((a, b) => a - b);
    line('list_10000_pods_p50', percentile(lat, 50), 'ms');

    await benchFanout(c);

    // Fill to 100,000 small objects and read the server's RSS.
    const have = created + 10_000;
    if (have < 100_000) await loop(64, 100_000 - have, async (i) => { await must(c, 'POST', '/api/v1/namespaces/bench/configmaps', cm(`f-${i}`)); });
    const total = (JSON.parse(await must(c, 'GET', '/api/v1/configmaps?limit=1')) as { metadata: { remainingItemCount: number } }).metadata.remainingItemCount + 1 + 10_000;
    line('objects_stored', total, 'objects');
    const rss = rssMiB(srv.proc.pid!);
    line('server_rss_with_100000_objects', rss, 'MiB');
  } catch (err) {
    console.error(`bench apiserver failed; the server's last output:\n${srv.logs().slice(-4000)}`);
    throw err;
  } finally {
    c.close();
    await srv.stop();
    await removeDir(dir);
  }
}

/** 1,000 watchers on one resource; latency from a write's acknowledgement to each watcher receiving it. */
async function benchFanout(c: BenchClient): Promise<void> {
  const watchers = 1000;
  const received = new Map<string, number[]>();
  const reqs: Array<ReturnType<typeof request>> = [];
  const agent = c.newAgent(watchers + 10);
  let ready = 0;
  await new Promise<void>((resolve, reject) => {
    for (let i = 0; i < watchers; i++) {
      const r = request({ method: 'GET', host: c.host, port: c.port, agent, path: '/api/v1/namespaces/bench/configmaps?watch=true&fieldSelector=metadata.name%3Dfan&resourceVersion=0', headers: { Accept: 'application/json' } }, (res) => {
        ready++;
        if (ready === watchers) resolve();
        let buf = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => {
          const now = performance.now();
          buf += d;
          let nl: number;
          // The watchers share the bench process: find the sequence number without parsing the whole event.
          while ((nl = buf.indexOf('\n')) >= 0) {
            const seq = /"seq":"(\d+)"/.exec(buf.slice(0, nl))?.[1];
            buf = buf.slice(nl + 1);
            if (seq) (received.get(seq) ?? received.set(seq, []).get(seq)!).push(now);
          }
        });
        res.on('error', () => {});
      });
      r.on('error', reject);
      r.end();
      reqs.push(r);
    }
  });
  const latencies: number[] = [];
  await must(c, 'POST', '/api/v1/namespaces/bench/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fan' }, data: { seq: '0' } });
  for (let s = 1; s <= 20; s++) {
    const t0 = performance.now();
    await must(c, 'PUT', '/api/v1/namespaces/bench/configmaps/fan', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'fan' }, data: { seq: String(s) } });
    const end = Date.now() + 5000;
    while ((received.get(String(s))?.length ?? 0) < watchers && Date.now() < end) await new Promise((r) => setTimeout(r, 1));
    for (const t of received.get(String(s)) ?? []) latencies.push(t - t0);
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const r of reqs) r.destroy();
  agent.destroy();
  latencies.sort((a, b) => a - b);
  line('watch_fanout_1000_watchers_p50', percentile(latencies, 50), 'ms');
  line('watch_fanout_1000_watchers_p99', percentile(latencies, 99), 'ms');
  line('watch_fanout_deliveries', latencies.length, `of ${20 * watchers}`);
}

/**
 * What typed decoding (every body checked against its schema before it is stored) costs: creates and
 * GETs at 64 clients on fresh servers with the check on and off, alternated so drift on the shared
 * cores hits both alike.
 */
async function benchTypedDecoding(dir: string): Promise<void> {
  const sums = { typed: { create: 0, get: 0 }, untyped: { create: 0, get: 0 } };
  const rounds = 2;
  for (let round = 0; round < rounds; round++) {
    for (const mode of ['typed', 'untyped'] as const) {
      const data = join(dir, `decoding-${mode}-${round}`);
      const srv = await startServer({
        dataDir: data, logLevel: 'error',
        extraArgs: ['--token-file', join(dir, 'tokens.csv'), '--no-scheduler', ...(mode === 'untyped' ? ['--no-typed-decoding'] : [])],
      });
      const c = clientFromKubeconfig(srv.kubeconfig, 64);
      try {
        await must(c, 'POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
        const cr = wrk(srv.url, 'create-configmaps.lua', 64, 6, { SKIFF_PREFIX: 'c' });
        if (cr.errors > 0) throw new Error(`${cr.errors} failed creates (${mode})`);
        await loop(64, 1000, async (i) => {
          await must(c, 'POST', '/api/v1/namespaces/bench/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `g-${i + 1}` }, data: { key: 'value' } });
        });
        const g = wrk(srv.url, 'get-configmaps.lua', 64, 6, { SKIFF_PREFIX: 'g', SKIFF_COUNT: '1000' });
        if (g.errors > 0) throw new Error(`${g.errors} failed GETs (${mode})`);
        sums[mode].create += cr.rps / rounds;
        sums[mode].get += g.rps / rounds;
      } finally {
        c.close();
        await srv.stop();
        await removeDir(data);
      }
    }
  }
  line('create_configmaps_64_clients_typed_decoding', sums.typed.create, 'creates/s');
  line('create_configmaps_64_clients_untyped (peer)', sums.untyped.create, 'creates/s');
  line('create_typed_vs_untyped', sums.typed.create / sums.untyped.create, 'ratio');
  line('get_configmap_64_clients_typed_decoding', sums.typed.get, 'gets/s');
  line('get_configmap_64_clients_untyped (peer)', sums.untyped.get, 'gets/s');
  line('get_typed_vs_untyped', sums.typed.get / sums.untyped.get, 'ratio');
}
