import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { IncomingHttpHeaders } from 'node:http';
import http2 from 'node:http2';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Container, Probe } from '../../api/types/core-v1.ts';
import { decodeHealthCheckResponse, encodeHealthCheckRequest } from './grpc-probe.ts';
import { PROBE_USER_AGENT } from './http-probe.ts';
import { runProbe } from './run-probe.ts';
import type { ExecFn } from './types.ts';

const servers: Array<{ close(cb: () => void): unknown }> = [];
const listen = async <T extends net.Server | http2.Http2Server>(server: T): Promise<number> => {
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
};

let httpPort = 0;
let httpsPort = 0;
let grpcPort = 0;
let lastHeaders: IncomingHttpHeaders = {};
const tmp = mkdtempSync('/tmp/skiff-probe-');

function routes(req: http.IncomingMessage, res: http.ServerResponse): void {
  lastHeaders = req.headers;
  const port = (req.socket.address() as AddressInfo).port;
  switch (req.url) {
    case '/healthz':
      res.end('ok');
      return;
    case '/query?x=1':
      res.end('query');
      return;
    case '/fail':
      res.writeHead(500).end('secret details');
      return;
    case '/same-host':
      res.writeHead(302, { location: '/healthz' }).end();
      return;
    case '/redirect-to-fail':
      res.writeHead(301, { location: `http://127.0.0.1:${port}/fail` }).end();
      return;
    case '/other-host':
      res.writeHead(302, { location: `http://localhost:${port}/healthz` }).end('moved');
      return;
    case '/loop':
      res.writeHead(302, { location: '/loop' }).end();
      return;
    case '/hang':
      return; // never answers
    default:
      res.writeHead(404).end();
  }
}

function healthServer(): http2.Http2Server {
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (b: Buffer) => chunks.push(b));
    stream.on('end', () => {
      if (headers[':path'] !== '/grpc.health.v1.Health/Check') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unknown service' }, { endStream: true });
        return;
      }
      const body = Buffer.concat(chunks);
      const service = body.length > 7 ? body.subarray(7).toString() : '';
      if (service === 'missing') {
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '5', 'grpc-message': 'unknown service' }, { endStream: true });
        return;
      }
      if (service === 'slow') return;
      const status = service === 'down' ? 2 : 1;
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
      const msg = Buffer.from([0x08, status]);
      const frame = Buffer.alloc(5);
      frame.writeUInt32BE(msg.length, 1);
      stream.end(Buffer.concat([frame, msg]));
    });
  });
  return server;
}

before(async () => {
  httpPort = await listen(http.createServer(routes));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=probe', '-keyout', join(tmp, 'k.pem'), '-out', join(tmp, 'c.pem')], { stdio: 'ignore' });
  httpsPort = await listen(https.createServer({ key: readFileSync(join(tmp, 'k.pem')), cert: readFileSync(join(tmp, 'c.pem')) }, routes));
  grpcPort = await listen(healthServer());
});
after(async () => {
  for (const s of servers) {
    (s as { closeAllConnections?: () => void }).closeAllConnections?.();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  }
  rmSync(tmp, { recursive: true, force: true });
});

const container: Container = { name: 'web', ports: [{ name: 'http', containerPort: 0 }] };
const ctx = (extra: { exec?: ExecFn } = {}) => ({ podIP: '127.0.0.1', container: { ...container, ports: [{ name: 'http', containerPort: httpPort }] }, ...extra });
const httpGet = (path: string, extra: Partial<NonNullable<Probe['httpGet']>> = {}): Probe => ({ httpGet: { path, port: httpPort, ...extra }, timeoutSeconds: 1 });

test('Pod liveness probe, using http endpoint: 2xx is success, named ports resolve, headers as upstream', async () => {
  assert.deepEqual(await runProbe(httpGet('/healthz'), ctx()), { result: 'success', message: 'ok' });
  assert.equal(lastHeaders['user-agent'], PROBE_USER_AGENT);
  assert.equal(lastHeaders.accept, '*/*');
  assert.equal(lastHeaders.connection, 'close');
  assert.deepEqual(await runProbe(httpGet('/healthz', { port: 'http', httpHeaders: [{ name: 'X-Probe', value: 'yes' }, { name: 'Accept', value: 'text/plain' }] }), ctx()), { result: 'success', message: 'ok' });
  assert.equal(lastHeaders['x-probe'], 'yes');
  assert.equal(lastHeaders.accept, 'text/plain');
  assert.equal((await runProbe(httpGet('query?x=1', { port: String(httpPort) }), ctx())).message, 'query');
  assert.equal((await runProbe(httpGet('/healthz', { host: '127.0.0.1' }), { ...ctx(), podIP: '10.255.255.1' })).result, 'success');
});

test('Pod liveness probe, using http endpoint, failure: non-2xx/3xx fails without quoting the body', async () => {
  assert.deepEqual(await runProbe(httpGet('/fail'), ctx()), { result: 'failure', message: 'HTTP probe failed with statuscode: 500' });
  assert.deepEqual(await runProbe(httpGet('/nope'), ctx()), { result: 'failure', message: 'HTTP probe failed with statuscode: 404' });
});

test('redirects: same host followed, other host not followed and a warning, loops stop after 10', async () => {
  assert.deepEqual(await runProbe(httpGet('/same-host'), ctx()), { result: 'success', message: 'ok' });
  assert.deepEqual(await runProbe(httpGet('/redirect-to-fail'), ctx()), { result: 'failure', message: 'HTTP probe failed with statuscode: 500' });
  assert.deepEqual(await runProbe(httpGet('/other-host'), ctx()), { result: 'success', warning: true, message: 'Probe terminated redirects, Response body: moved' });
  const loop = await runProbe(httpGet('/loop'), ctx());
  assert.equal(loop.result, 'failure');
  assert.match(loop.message, /stopped after 10 redirects$/);
});

/** A loopback port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const closed = net.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  return port;
}

test('connection refused and timeouts are failures worded like Go', async () => {
  const dead = await deadPort();
  assert.deepEqual(await runProbe(httpGet('/', { port: dead }), ctx()), {
    result: 'failure',
    message: `Get "http://127.0.0.1:${dead}/": dial tcp 127.0.0.1:${dead}: connect: connection refused`,
  });
  assert.deepEqual(await runProbe(httpGet('/hang'), ctx()), {
    result: 'failure',
    message: `Get "http://127.0.0.1:${httpPort}/hang": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`,
  });
  assert.deepEqual(await runProbe({ tcpSocket: { port: dead } }, ctx()), { result: 'failure', message: `dial tcp 127.0.0.1:${dead}: connect: connection refused` });
});

test('HTTPS probes skip certificate verification', async () => {
  assert.deepEqual(await runProbe(httpGet('/healthz', { port: httpsPort, scheme: 'HTTPS' }), ctx()), { result: 'success', message: 'ok' });
});

test('Pod liveness probe, using tcp socket: a listening port is success', async () => {
  assert.deepEqual(await runProbe({ tcpSocket: { port: 'http' } }, ctx()), { result: 'success', message: '' });
});

test('a pod without an IP is not probed on the node\'s localhost', async () => {
  const noIP = { ...ctx(), podIP: '' };
  for (const p of [httpGet('/healthz'), { tcpSocket: { port: httpPort } }, { grpc: { port: grpcPort } }]) {
    assert.deepEqual(await runProbe(p, noIP), { result: 'failure', errored: true, message: 'pod has no IP address yet' });
  }
});

test('bad ports are prober errors (the result is thrown away)', async () => {
  assert.deepEqual(await runProbe({ tcpSocket: { port: 'nope' } }, ctx()), { result: 'failure', errored: true, message: 'strconv.Atoi: parsing "nope": invalid syntax' });
  assert.deepEqual(await runProbe({ httpGet: { port: 70000 } }, ctx()), { result: 'failure', errored: true, message: 'invalid port number: 70000' });
});

test('Pod liveness probe, using local file: exec exit codes, output, timeout, static env expansion', async () => {
  const calls: Array<{ argv: string[]; timeoutMs: number }> = [];
  const exec: ExecFn = async (argv, timeoutMs) => {
    calls.push({ argv, timeoutMs });
    if (argv[0] === 'hang') return { exitCode: -1, output: '', timedOut: true };
    return { exitCode: argv[0] === 'true' ? 0 : 1, output: `ran ${argv.join(' ')}` };
  };
  const c: Container = { name: 'c', env: [{ name: 'FILE', value: '/tmp/health' }, { name: 'DYN', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }] };
  assert.deepEqual(await runProbe({ exec: { command: ['true', '$(FILE)', '$(DYN)', '$(NONE)'] }, timeoutSeconds: 3 }, { podIP: '', container: c, exec }), {
    result: 'success',
    message: 'ran true /tmp/health  $(NONE)',
  });
  assert.deepEqual(calls[0], { argv: ['true', '/tmp/health', '', '$(NONE)'], timeoutMs: 3000 });
  assert.deepEqual(await runProbe({ exec: { command: ['cat', '/tmp/health'] } }, { podIP: '', container: c, exec }), { result: 'failure', message: 'ran cat /tmp/health' });
  assert.equal(calls[1]?.timeoutMs, 1000, 'timeoutSeconds defaults to 1');
  assert.deepEqual(await runProbe({ exec: { command: ['hang', 'x'] } }, { podIP: '', container: c, exec }), { result: 'failure', message: 'command "hang x" timed out' });
  const failing: ExecFn = async () => {
    throw new Error('container not running');
  };
  assert.deepEqual(await runProbe({ exec: { command: ['true'] } }, { podIP: '', container: c, exec: failing }), { result: 'failure', errored: true, message: 'container not running' });
});

test('Pod liveness probe, using grpc call: SERVING is success; other answers fail with upstream wording', async () => {
  const grpc = (service?: string): Probe => ({ grpc: service === undefined ? { port: grpcPort } : { port: grpcPort, service }, timeoutSeconds: 1 });
  assert.deepEqual(await runProbe(grpc(), ctx()), { result: 'success', message: 'service healthy' });
  assert.deepEqual(await runProbe(grpc('down'), ctx()), { result: 'failure', message: 'service unhealthy (responded with "NOT_SERVING")' });
  assert.deepEqual(await runProbe(grpc('missing'), ctx()), { result: 'failure', message: 'error: health rpc probe failed: rpc error: code = NotFound desc = unknown service' });
  assert.deepEqual(await runProbe(grpc('slow'), ctx()), { result: 'failure', message: 'timeout: health rpc did not complete within 1s' });
  const dead = await deadPort();
  assert.deepEqual(await runProbe({ grpc: { port: dead } }, ctx()), {
    result: 'failure',
    message: `error: failed to connect service at "127.0.0.1:${dead}": dial tcp 127.0.0.1:${dead}: connect: connection refused`,
  });
  // An HTTP/1 server does not speak the health protocol.
  assert.equal((await runProbe({ grpc: { port: httpPort } }, ctx())).result, 'failure');
});

test('gRPC health messages encode and decode', () => {
  assert.deepEqual(encodeHealthCheckRequest(''), Buffer.from([0, 0, 0, 0, 0]));
  assert.deepEqual(encodeHealthCheckRequest('ab'), Buffer.from([0, 0, 0, 0, 4, 0x0a, 2, 0x61, 0x62]));
  assert.equal(decodeHealthCheckResponse(Buffer.from([0, 0, 0, 0, 2, 0x08, 3])), 3);
  assert.equal(decodeHealthCheckResponse(Buffer.from([0, 0, 0, 0, 0])), 0);
});
