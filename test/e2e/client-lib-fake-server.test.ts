// skiff's informer against a scripted fake API server, for the answers a real server gives only
// rarely: a watch refused with HTTP 410, an ERROR event, "Too large resource version" (504), an
// expired continue token, and a server URL with a path (a proxy in front of the API).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KubeObject } from '../../src/api/meta.ts';
import { Clientset } from '../../src/client/clientset.ts';
import { Informer } from '../../src/client/informer.ts';
import { waitUntil } from './harness.ts';

type Handler = (req: IncomingMessage, res: ServerResponse, q: URLSearchParams) => void;

const PREFIX = '/k8s/clusters/c1';
const PATH = `${PREFIX}/api/v1/namespaces/default/configmaps`;

function cm(name: string, rv: number): KubeObject {
  return { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: 'default', resourceVersion: String(rv) } };
}

function list(rv: number, items: KubeObject[], cont?: string): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: String(rv), ...(cont ? { continue: cont } : {}) }, items }));
  };
}

function status(code: number, reason: string, message: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code, ...extra };
}

function fail(code: number, reason: string, message: string, extra: Record<string, unknown> = {}): Handler {
  return (_req, res) => {
    res.writeHead(code, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify(status(code, reason, message, extra)));
  };
}

/** A watch that sends these events and then stays open (until the client goes). */
function watch(events: Array<{ type: string; object: unknown }>, close = false): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    for (const ev of events) res.write(`${JSON.stringify(ev)}\n`);
    if (close) res.end();
  };
}

describe('client-lib: informer against a scripted server', () => {
  let server: Server;
  let url: string;
  const lists: Handler[] = [];
  const watches: Handler[] = [];
  const requests: string[] = [];
  const open = new Set<ServerResponse>();

  before(async () => {
    server = createServer((req, res) => {
      const u = new URL(req.url ?? '/', 'http://x');
      const isWatch = u.searchParams.get('watch') === 'true';
      requests.push(`${isWatch ? 'watch' : 'list'} ${u.pathname === PATH ? '' : u.pathname} rv=${u.searchParams.get('resourceVersion') ?? ''} continue=${u.searchParams.get('continue') ?? ''}`.replace(/ {2}/, ' '));
      const h = u.pathname === PATH ? (isWatch ? watches : lists).shift() : undefined;
      if (!h) { fail(404, 'NotFound', `no scripted answer for ${req.url ?? ''}`)(req, res, u.searchParams); return; }
      open.add(res);
      res.on('close', () => open.delete(res));
      h(req, res, u.searchParams);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${PREFIX}`;
  });

  after(async () => {
    for (const r of open) r.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  /** Each test scripts its own answers: leftovers of a failed test must not leak into the next. */
  function reset(): void {
    requests.length = 0;
    lists.length = 0;
    watches.length = 0;
  }

  async function runInformer(until: (inf: Informer) => boolean, what: string): Promise<{ inf: Informer; events: string[]; errors: unknown[] }> {
    const cs = new Clientset({ server: url, namespace: 'default' });
    const events: string[] = [];
    const errors: unknown[] = [];
    const inf = new Informer(cs.resource('v1', 'configmaps'), { namespace: 'default', pageSize: 2, onError: (e) => errors.push(e) });
    inf.addHandlers({
      add: (o) => events.push(`add ${o.metadata.name ?? ''}`),
      update: (_a, o) => events.push(`update ${o.metadata.name ?? ''}`),
      delete: (o) => events.push(`delete ${o.metadata.name ?? ''}`),
    });
    const ac = new AbortController();
    const run = inf.run(ac.signal);
    try {
      await waitUntil(() => until(inf), 10_000, what);
    } finally {
      ac.abort();
      await run;
      cs.rest.close();
    }
    assert.equal(lists.length, 0, 'every scripted list was used');
    return { inf, events, errors };
  }

  test('HTTP 410 on the watch: re-list, deliver the difference, watch from the new version', async () => {
    reset();
    lists.push(list(10, [cm('a', 5), cm('b', 6)]), list(20, [cm('b', 15), cm('c', 18)]));
    watches.push(fail(410, 'Expired', 'too old resource version: 10 (15)'), watch([{ type: 'ADDED', object: cm('d', 21) }]));
    const { inf, events, errors } = await runInformer((i) => i.get('default/d') !== undefined, 'the event after the re-list');
    assert.equal(inf.lists, 2);
    assert.deepEqual(events, ['add a', 'add b', 'delete a', 'update b', 'add c', 'add d']);
    assert.deepEqual(errors, [], '410 is routine, not an error');
    assert.deepEqual(requests, ['list rv= continue=', 'watch rv=10 continue=', 'list rv= continue=', 'watch rv=20 continue=']);
    assert.equal(inf.resourceVersion, '21');
  });

  test('an ERROR event with 410: re-list', async () => {
    reset();
    lists.push(list(10, [cm('a', 5)]), list(30, [cm('a', 25)]));
    watches.push(
      watch([{ type: 'MODIFIED', object: cm('a', 11) }, { type: 'ERROR', object: status(410, 'Expired', 'too old resource version: 11 (20)') }], true),
      watch([{ type: 'BOOKMARK', object: { kind: 'ConfigMap', apiVersion: 'v1', metadata: { resourceVersion: '31' } } }]),
    );
    const { inf, events } = await runInformer((i) => i.resourceVersion === '31', 'the bookmark after the re-list');
    assert.equal(inf.lists, 2);
    assert.deepEqual(events, ['add a', 'update a', 'update a']);
    assert.deepEqual(requests.filter((r) => r.startsWith('watch')), ['watch rv=10 continue=', 'watch rv=30 continue=']);
  });

  test('a clean close re-watches from the last event\'s version without a list', async () => {
    reset();
    lists.push(list(10, []));
    watches.push(watch([{ type: 'ADDED', object: cm('a', 12) }], true), watch([], true), watch([{ type: 'DELETED', object: cm('a', 14) }]));
    const { inf, events } = await runInformer((i) => i.resourceVersion === '14', 'the delete');
    assert.equal(inf.lists, 1);
    assert.equal(inf.size, 0);
    assert.deepEqual(events, ['add a', 'delete a']);
    assert.deepEqual(requests.filter((r) => r.startsWith('watch')), ['watch rv=10 continue=', 'watch rv=12 continue=', 'watch rv=12 continue=']);
  });

  test('"Too large resource version" on the watch: start over with a list, not the same watch forever', async () => {
    reset();
    lists.push(list(50, [cm('a', 40)]), list(8, [cm('a', 7)]));
    const tooLarge = fail(504, 'Timeout', 'Timeout: Too large resource version: 50, current: 8', { details: { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 } });
    watches.push(tooLarge, watch([{ type: 'ADDED', object: cm('b', 9) }]));
    const { inf, events, errors } = await runInformer((i) => i.get('default/b') !== undefined, 'the watch after the re-list');
    assert.equal(inf.lists, 2);
    assert.equal(errors.length, 1);
    assert.deepEqual(events, ['add a', 'update a', 'add b']);
    assert.deepEqual(requests.filter((r) => r.startsWith('watch')), ['watch rv=50 continue=', 'watch rv=8 continue=']);
  });

  test('an expired continue token restarts the paged list from the beginning', async () => {
    reset();
    lists.push(
      list(10, [cm('a', 1), cm('b', 2)], 'tok1'),
      fail(410, 'Expired', 'The provided continue parameter is too old to display a consistent list result.'),
      list(12, [cm('a', 1), cm('b', 2)], 'tok2'),
      list(12, [cm('c', 11)]),
    );
    watches.push(watch([]));
    const { inf, events } = await runInformer((i) => i.hasSynced() && i.watches === 1, 'the first watch');
    assert.equal(inf.lists, 1, 'one completed list');
    assert.deepEqual(events, ['add a', 'add b', 'add c']);
    assert.deepEqual(requests, ['list rv= continue=', 'list rv= continue=tok1', 'list rv= continue=', 'list rv= continue=tok2', 'watch rv=12 continue=']);
  });
});
