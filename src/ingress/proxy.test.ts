// The proxy against real HTTP servers on 127.0.0.1 standing in for pods; a Router fed objects directly.
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { Agent, createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { after, before, test } from 'node:test';
import { WebSocket, WebSocketServer } from 'ws';
import { selfSignedServingCert } from '../pki/serving-cert.ts';
import type { Ingress } from '../api/types/networking-v1-ingress.ts';
import type { EndpointSlice, Secret, Service } from './objects.ts';
import { IngressProxy } from './proxy.ts';
import { Router } from './router.ts';
import { classes, ingress, path, service, slice, tlsSecret } from './test-fixtures.ts';

interface Echo { name: string; method: string; url: string; headers: IncomingHttpHeaders; body: string }
interface Backend { name: string; port: number; server: Server }

const backends: Backend[] = [];
const routerErrors: string[] = [];
const router = new Router((m) => routerErrors.push(m));
let proxy: IngressProxy;
let httpPort = 0;
let httpsPort = 0;
let certA: { certPem: string; keyPem: string };
let certDefault: { certPem: string; keyPem: string };

async function startBackend(name: string): Promise<Backend> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => { body += c; });
    req.on('end', () => {
      if (req.url === '/status/418') {
        res.writeHead(418, { 'x-backend': name }).end('teapot');
        return;
      }
      const echo: Echo = { name, method: req.method ?? '', url: req.url ?? '', headers: req.headers, body };
      res.writeHead(200, { 'content-type': 'application/json', 'x-backend': name, 'keep-alive': 'timeout=5', connection: 'keep-alive' });
      res.end(JSON.stringify(echo));
    });
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (req.url !== '/ws') {
      socket.end('HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\n\r\nnot here');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.send(`hello from ${name} xff=${String(req.headers['x-forwarded-for'])}`);
      ws.on('message', (m: Buffer) => ws.send(`${name} echo ${m.toString()}`));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const b = { name, port: (server.address() as AddressInfo).port, server };
  backends.push(b);
  return b;
}

/** A port nothing listens on (a pod that has just gone). */
async function deadPort(): Promise<number> {
  const s = createServer();
  s.listen(0, '127.0.0.1');
  await once(s, 'listening');
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

function svc(name: string, ports: number[]): { service: Service; slice: EndpointSlice } {
  return {
    service: service(name, [{ name: 'http', port: 80 }]),
    slice: slice(name, [{ name: 'http', port: ports[0]! }], ports.length ? ['127.0.0.1'] : []),
  };
}

/** Services whose endpoints are 127.0.0.1 at the given ports (one slice per port, since a slice has one port set). */
function feed(ingresses: Ingress[], services: Record<string, number[]>, secrets: Secret[] = []): void {
  const svcs: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (const [name, ports] of Object.entries(services)) {
    svcs.push(svc(name, ports).service);
    ports.forEach((p, i) => slices.push(slice(name, [{ name: 'http', port: p }], ['127.0.0.1'], 'default', String(i))));
  }
  router.update({ ingresses, ingressClasses: classes(), services: svcs, endpointSlices: slices, secrets });
}

interface Reply { status: number; headers: IncomingHttpHeaders; body: string; socket: Socket }

function get(host: string, p: string, o: { method?: string; body?: string; agent?: Agent; headers?: Record<string, string> } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: httpPort, method: o.method ?? 'GET', path: p, headers: { host, ...o.headers }, agent: o.agent ?? false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body, socket: req.socket as Socket }));
    });
    req.on('error', reject);
    req.end(o.body);
  });
}

function echo(r: Reply): Echo {
  assert.equal(r.status, 200, r.body);
  return JSON.parse(r.body) as Echo;
}

before(async () => {
  [certA, certDefault] = await Promise.all([selfSignedServingCert('a.example'), selfSignedServingCert('skiff-ingress-default')]);
  await Promise.all([startBackend('a1'), startBackend('a2'), startBackend('b1')]);
  proxy = new IngressProxy({ router, defaultCert: certDefault, connectTimeoutMs: 2000 });
  httpPort = (await proxy.listenHttp('127.0.0.1', 0)).port;
  httpsPort = (await proxy.listenHttps('127.0.0.1', 0)).port;
});

after(async () => {
  await proxy.close();
  await Promise.all(backends.map((b) => new Promise((r) => { b.server.closeAllConnections(); b.server.close(r); })));
});

const port = (name: string): number => backends.find((b) => b.name === name)!.port;

function standardIngresses(): Ingress[] {
  return [ingress('web', {
    rules: [
      { host: 'a.example', http: { paths: [path('/', 'Prefix', 'svc-a'), path('/b', 'Prefix', 'svc-b')] } },
      { host: 'b.example', http: { paths: [path('/exact', 'Exact', 'svc-b')] } },
      { host: 'empty.example', http: { paths: [path('/', 'Prefix', 'svc-empty')] } },
      { host: 'dead.example', http: { paths: [path('/', 'Prefix', 'svc-dead')] } },
      { host: 'half.example', http: { paths: [path('/', 'Prefix', 'svc-half')] } },
    ],
    tls: [{ hosts: ['a.example'], secretName: 'tls-a' }],
  })];
}

async function feedStandard(): Promise<void> {
  feed(standardIngresses(), {
    'svc-a': [port('a1'), port('a2')], 'svc-b': [port('b1')], 'svc-empty': [],
    'svc-dead': [await deadPort()], 'svc-half': [await deadPort(), port('b1')],
  }, [tlsSecret('tls-a', certA.certPem, certA.keyPem)]);
}

test('requests go by host and path to the Services\' endpoints, in turn, with forwarding headers', async () => {
  await feedStandard();
  const names = new Set<string>();
  for (let i = 0; i < 4; i++) names.add(echo(await get('a.example', '/x?q=1')).name);
  assert.deepEqual([...names].sort(), ['a1', 'a2']);
  const e = echo(await get('A.Example:8080', '/b/c?d=e', { headers: { 'x-forwarded-for': '6.6.6.6', connection: 'keep-alive, x-drop-me', 'x-drop-me': '1', 'x-keep': 'yes' } }));
  assert.equal(e.name, 'b1');
  assert.equal(e.url, '/b/c?d=e');
  assert.equal(e.headers.host, 'A.Example:8080');
  assert.equal(e.headers['x-forwarded-for'], '127.0.0.1');
  assert.equal(e.headers['x-real-ip'], '127.0.0.1');
  assert.equal(e.headers['x-forwarded-proto'], 'http');
  assert.equal(e.headers['x-forwarded-host'], 'A.Example:8080');
  assert.equal(e.headers['x-forwarded-port'], String(httpPort));
  assert.equal(e.headers['x-keep'], 'yes');
  assert.equal(e.headers['x-drop-me'], undefined);
  assert.equal(echo(await get('b.example', '/exact')).name, 'b1');
  const teapot = await get('a.example', '/status/418');
  assert.equal(teapot.status, 418);
  assert.equal(teapot.body, 'teapot');
  assert.equal(teapot.headers['x-backend'] !== undefined, true);
});

test('bodies are forwarded both ways', async () => {
  await feedStandard();
  const big = 'x'.repeat(300_000);
  const e = echo(await get('b.example', '/exact', { method: 'POST', body: big, headers: { 'content-type': 'text/plain' } }));
  assert.equal(e.method, 'POST');
  assert.equal(e.body.length, big.length);
  // Chunked (no length).
  const chunked = await new Promise<Echo>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: httpPort, method: 'PUT', path: '/exact', headers: { host: 'b.example' } }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve(JSON.parse(body) as Echo));
    });
    req.on('error', reject);
    req.write('one,');
    setImmediate(() => req.end('two'));
  });
  assert.equal(chunked.body, 'one,two');
  assert.equal(chunked.headers['transfer-encoding'], 'chunked');
});

test('404 for what no rule routes, 503 without endpoints, 502 when no endpoint answers, another endpoint tried first', async () => {
  await feedStandard();
  const nf = await get('nowhere.example', '/');
  assert.equal(nf.status, 404);
  assert.equal((await get('b.example', '/exact/more')).status, 404);
  assert.equal((await get('empty.example', '/')).status, 503);
  assert.equal((await get('dead.example', '/')).status, 502);
  // One endpoint refuses connections (gone before its EndpointSlice says so): the other answers.
  for (let i = 0; i < 4; i++) assert.equal(echo(await get('half.example', '/')).name, 'b1');
  // Refused means never seen, so even a POST goes to the other endpoint.
  for (let i = 0; i < 2; i++) assert.equal(echo(await get('half.example', '/', { method: 'POST' })).name, 'b1');
});

test('a kept-alive connection follows routing changes, and no request fails while tables are swapped', async () => {
  await feedStandard();
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const sockets = new Set<Socket>();
  try {
    const first = await get('a.example', '/b', { agent });
    sockets.add(first.socket);
    assert.equal(echo(first).name, 'b1');
    feed([ingress('web', { rules: [{ host: 'a.example', http: { paths: [path('/', 'Prefix', 'svc-a')] } }] })], { 'svc-a': [port('a1')] });
    const second = await get('a.example', '/b', { agent });
    sockets.add(second.socket);
    assert.equal(echo(second).name, 'a1');
    // Swap tables between every request, on the same connection and on new ones.
    let failures = 0;
    await Promise.all([0, 1, 2, 3].map(async (w) => {
      for (let i = 0; i < 50; i++) {
        feed([ingress('web', { rules: [{ host: 'a.example', http: { paths: [path('/', 'Prefix', (i + w) % 2 ? 'svc-a' : 'svc-b')] } }] })], { 'svc-a': [port('a1'), port('a2')], 'svc-b': [port('b1')] });
        const r = await get('a.example', '/', w === 0 ? { agent } : {});
        if (w === 0) sockets.add(r.socket);
        if (r.status !== 200) failures += 1;
      }
    }));
    assert.equal(failures, 0);
    assert.equal(sockets.size, 1, 'the kept-alive connection was reused throughout');
  } finally {
    agent.destroy();
  }
});

function tlsGet(servername: string, ca: string | undefined): Promise<{ status: number; body: string; cn: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({
      host: '127.0.0.1', port: httpsPort, path: '/b', servername, headers: { host: servername }, agent: false,
      ...(ca ? { ca } : { rejectUnauthorized: false }),
    }, (res) => {
      const cn = String((res.socket as TLSSocket).getPeerCertificate().subject.CN);
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, cn }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('HTTPS: the certificate from the Ingress\'s Secret by SNI, the built-in one otherwise', async () => {
  await feedStandard();
  const a = await tlsGet('a.example', certA.certPem);
  assert.equal(a.status, 200);
  const e = JSON.parse(a.body) as Echo;
  assert.equal(e.name, 'b1');
  assert.equal(e.headers['x-forwarded-proto'], 'https');
  assert.match(a.cn, /^a\.example@/);
  // A name no Secret covers gets the default certificate, which a client trusting a.example's refuses.
  const other = await tlsGet('b.example', undefined);
  assert.match(other.cn, /^skiff-ingress-default@/);
  await assert.rejects(tlsGet('b.example', certA.certPem));
  assert.deepEqual(routerErrors, []);
});

test('WebSocket upgrades are proxied; a refused upgrade is relayed', async () => {
  feed([ingress('ws', { rules: [{ host: 'ws.example', http: { paths: [path('/', 'Prefix', 'svc-ws')] } }] })], { 'svc-ws': [port('a2')] });
  const ws = new WebSocket(`ws://127.0.0.1:${httpPort}/ws`, { headers: { host: 'ws.example' } });
  const messages: string[] = [];
  const got = (n: number): Promise<void> => new Promise((resolve) => {
    const check = (): void => { if (messages.length >= n) resolve(); else ws.once('message', (m: Buffer) => { messages.push(m.toString()); check(); }); };
    check();
  });
  await got(1);
  assert.equal(messages[0], 'hello from a2 xff=127.0.0.1');
  ws.send('ping');
  await got(2);
  assert.equal(messages[1], 'a2 echo ping');
  ws.close();
  await once(ws, 'close');

  const refused = new WebSocket(`ws://127.0.0.1:${httpPort}/other`, { headers: { host: 'ws.example' } });
  const [, res] = await once(refused, 'unexpected-response') as [unknown, { statusCode: number }];
  assert.equal(res.statusCode, 400);
  refused.on('error', () => undefined);
  refused.terminate();

  // Over TLS, with the Secret's certificate for the server name.
  feed([ingress('wss', { tls: [{ hosts: ['a.example'], secretName: 'tls-a' }], rules: [{ host: 'a.example', http: { paths: [path('/', 'Prefix', 'svc-ws')] } }] })],
    { 'svc-ws': [port('a1')] }, [tlsSecret('tls-a', certA.certPem, certA.keyPem)]);
  // ws hands these to https.request (its types leave servername out).
  const tlsOptions = { headers: { host: 'a.example' }, servername: 'a.example', ca: certA.certPem };
  const wss = new WebSocket(`wss://127.0.0.1:${httpsPort}/ws`, tlsOptions);
  const [hello] = await once(wss, 'message') as [Buffer];
  assert.equal(hello.toString(), 'hello from a1 xff=127.0.0.1');
  wss.close();
  await once(wss, 'close');

  const nf = new WebSocket(`ws://127.0.0.1:${httpPort}/ws`, { headers: { host: 'nowhere.example' } });
  const [, res404] = await once(nf, 'unexpected-response') as [unknown, { statusCode: number }];
  assert.equal(res404.statusCode, 404);
  nf.on('error', () => undefined);
  nf.terminate();
});
