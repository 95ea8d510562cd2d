// The request path's front door against malformed and hostile requests (issue 14): request
// targets `new URL` rejects or that are not canonical, verbs a route does not take, paths that
// used to reach more than they named, componentstatuses, slow clients, connection and in-flight
// limits. One server for the file, with small timeouts and limits so the slow-client cases are fast.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request, type RequestOptions } from 'node:https';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { parse } from 'yaml';
import { configMap, deployment, eventually, serverForSuite, type ApiResponse } from './api-helpers.ts';

const TOKEN = 'routing-test-token-0123456789';
const tokenDir = mkdtempSync(join(tmpdir(), 'skiff-routing-'));
writeFileSync(join(tokenDir, 'tokens.csv'), `${TOKEN},routing-tester,uid-routing,"system:authenticated"\n`);

const PER_CLIENT = 24;
const ctx = serverForSuite({ before, after }, {
  extraArgs: [
    '--no-controllers', '--no-scheduler',
    '--token-file', join(tokenDir, 'tokens.csv'),
    '--headers-timeout', '1', '--request-read-timeout', '3', '--tls-handshake-timeout', '1',
    '--max-connections-per-client', String(PER_CLIENT),
    '--max-mutating-requests-inflight', '1',
  ],
});
after(() => rmSync(tokenDir, { recursive: true, force: true }));

const NS = 'routing';
const CM = `/api/v1/namespaces/${NS}/configmaps`;

interface Creds { ca: Buffer; cert: Buffer; key: Buffer; host: string; port: number }
function creds(): Creds {
  const kc = parse(readFileSync(ctx.srv.kubeconfig, 'utf8'));
  const url = new URL(kc.clusters[0].cluster.server as string);
  const user = kc.users[0].user;
  return {
    ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'] as string, 'base64'),
    cert: Buffer.from(user['client-certificate-data'] as string, 'base64'),
    key: Buffer.from(user['client-key-data'] as string, 'base64'),
    host: url.hostname, port: Number(url.port),
  };
}

interface RawAnswer { status: number; head: string; body: string; raw: string }

/** Open a TLS connection, write `head` as is, and read until the server closes the connection. */
function rawRequest(head: string, opts: { cert?: boolean } = {}): Promise<RawAnswer> {
  const c = creds();
  return new Promise((resolve, reject) => {
    const s = tlsConnect({
      host: c.host, port: c.port, ca: c.ca, servername: 'localhost', rejectUnauthorized: false,
      ...(opts.cert ? { cert: c.cert, key: c.key } : {}),
    }, () => s.write(head));
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => { s.destroy(); reject(new Error(`no answer to ${JSON.stringify(head.slice(0, 80))} in 10 s`)); }, 10_000);
    s.on('data', (d: Buffer) => chunks.push(d));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      const raw = Buffer.concat(chunks).toString('utf8');
      const i = raw.indexOf('\r\n\r\n');
      const headPart = i < 0 ? raw : raw.slice(0, i);
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(raw)?.[1] ?? 0), head: headPart, body: i < 0 ? '' : raw.slice(i + 4), raw });
    });
  });
}

function line(method: string, target: string, extra = ''): string {
  return `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${extra}Connection: close\r\n\r\n`;
}
const UPGRADE = 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n';
function upgradeLine(method: string, target: string): string {
  return `${method} ${target} HTTP/1.1\r\nHost: localhost\r\n${UPGRADE}\r\n`;
}

function assertStatus(r: RawAnswer | ApiResponse, code: number, reason: string, message?: RegExp): void {
  const body = 'text' in r ? r.text : r.body;
  const status = 'text' in r ? r.status : r.status;
  assert.equal(status, code, body.slice(0, 300));
  const s = JSON.parse(body) as { kind: string; code: number; reason: string; message: string; status: string };
  assert.deepEqual([s.kind, s.status, s.code, s.reason], ['Status', 'Failure', code, reason], body.slice(0, 300));
  if (message) assert.match(s.message, message);
}

async function assertReady(): Promise<void> {
  const r = await ctx.api.get('/readyz');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.text, 'ok');
}

describe('api hardening: routing and connections', () => {
  before(async () => {
    assert.equal((await ctx.api.post('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } })).status, 201);
    // The token user writes configmaps in the namespace: RBAC's edit role there.
    assert.equal((await ctx.api.post(`/apis/rbac.authorization.k8s.io/v1/namespaces/${NS}/rolebindings`, {
      apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'routing-tester-edit' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'edit' },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'routing-tester' }],
    })).status, 201);
  });

  test('targets new URL rejects or that are not origin-form answer 400 and never crash the server', async () => {
    const targets: Array<[string, RegExp]> = [
      ['//', /empty segment/],
      ['//api/v1/namespaces', /empty segment/],
      ['http://[::1', /not an absolute path/],
      ['http://localhost/api/v1/namespaces', /not an absolute path/],
      ['https://localhost:6443/api/v1/namespaces/routing/configmaps', /not an absolute path/],
      ['/api/v1/namespaces/routing/configmaps/%E0%A4%A', /malformed percent-encoding/],
    ];
    for (const [target, msg] of targets) {
      for (const cert of [false, true]) {
        for (const upgrade of [false, true]) {
          const r = await rawRequest(upgrade ? upgradeLine('GET', target) : line('GET', target), { cert });
          assertStatus(r, 400, 'BadRequest', msg);
        }
      }
    }
    // Asterisk-form and authority-form: a 400, or the connection closed, but the server stays up.
    const star = await rawRequest(line('OPTIONS', '*'));
    assertStatus(star, 400, 'BadRequest', /not an absolute path/);
    const connectForm = await rawRequest('CONNECT localhost:6443 HTTP/1.1\r\nHost: localhost:6443\r\n\r\n', { cert: true });
    assert.ok(connectForm.status === 0 || connectForm.status === 400, connectForm.raw.slice(0, 200));
    assert.equal(ctx.srv.proc.exitCode, null, 'the server is still running');
    await assertReady();
  });

  test('dot segments, empty segments and encoded slashes are refused and delete nothing', async () => {
    for (const name of ['a', 'b', 'x']) assert.equal((await ctx.api.post(CM, configMap(name))).status, 201);
    const bad: Array<[string, string, RegExp]> = [
      ['DELETE', `${CM}/.`, /"\." segment/],
      ['DELETE', `${CM}/x/status/../..`, /"\.\." segment/],
      ['DELETE', `${CM}/%2e`, /"\." segment/],
      ['DELETE', `${CM}/%2E%2E`, /"\.\." segment/],
      ['DELETE', `${CM}/x%2F..`, /encodes a slash/],
      ['DELETE', `${CM}//`, /empty segment/],
      ['DELETE', `/api/v1/namespaces/${NS}//configmaps`, /empty segment/],
      ['GET', `${CM}/..`, /"\.\." segment/],
      ['GET', `${CM}/x/..`, /"\.\." segment/],
      ['PUT', `${CM}/./x`, /"\." segment/],
    ];
    for (const [method, path, msg] of bad) {
      // Raw, so that no client library resolves the dot segments before they are sent.
      const r = await rawRequest(line(method, path), { cert: true });
      assertStatus(r, 400, 'BadRequest', msg);
    }
    const list = await ctx.api.get(CM);
    assert.deepEqual(list.json().items.map((i: { metadata: { name: string } }) => i.metadata.name).sort(), ['a', 'b', 'x']);
    assert.equal((await ctx.api.get(`/api/v1/namespaces/${NS}`)).status, 200);
  });

  test('status subresources refuse DELETE and POST (405) and the objects stay', async () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }] } };
    assert.equal((await ctx.api.post(`/api/v1/namespaces/${NS}/pods`, pod)).status, 201);
    assert.equal((await ctx.api.post(`/apis/apps/v1/namespaces/${NS}/deployments`, deployment('d')).then((r) => r.status)), 201);
    const notAllowed: Array<[string, string]> = [
      ['DELETE', `/api/v1/namespaces/${NS}/pods/p/status`],
      ['POST', `/api/v1/namespaces/${NS}/pods/p/status`],
      ['POST', `/api/v1/namespaces/${NS}/pods/new-pod/status`],
      ['DELETE', `/apis/apps/v1/namespaces/${NS}/deployments/d/status`],
      ['DELETE', `/apis/apps/v1/namespaces/${NS}/deployments/d/scale`],
      ['DELETE', `/api/v1/namespaces/${NS}/status`],
      ['DELETE', `/api/v1/namespaces/${NS}/finalize`],
      ['DELETE', '/api/v1/nodes/n/status'],
      ['DELETE', `/api/v1/namespaces/${NS}/pods/p/log`],
      ['PUT', `/api/v1/namespaces/${NS}/pods/p/binding`],
      ['DELETE', `/api/v1/namespaces/${NS}/pods/p/eviction`],
      ['DELETE', `/api/v1/namespaces/${NS}/pods/p/exec`],
      ['DELETE', `/api/v1/watch/namespaces/${NS}/configmaps`],
      ['GET', `/api/v1/namespaces/${NS}/bindings`],
      ['DELETE', '/api'],
      ['DELETE', '/api/v1/namespaces'],
      ['POST', '/version'],
      ['PUT', '/openapi/v2'],
    ];
    for (const [method, path] of notAllowed) {
      const body = method === 'POST' || method === 'PUT' ? pod : undefined;
      const r = await ctx.api.request(method, path, body ? { body } : {});
      assertStatus(r, 405, 'MethodNotAllowed', /^the server does not allow this method on the requested resource$/);
    }
    const notFoundPaths: Array<[string, string]> = [
      ['DELETE', `/api/v1/namespaces/${NS}/pods/p/status/extra`],
      ['DELETE', `${CM}/a/nonsense`],
      ['DELETE', `${CM}/a/status`],
      ['GET', `/api/v1/namespaces/${NS}/pods/p/proxy`],
      ['GET', `/api/v1/namespaces/${NS}/services/s/proxy`],
      ['GET', `/api/v1/namespaces/${NS}/pods/p/ephemeralcontainers`],
      ['GET', `/api/v1/namespaces/${NS}/namespaces`],
      ['DELETE', `/api/v1/namespaces/${NS}/namespaces`],
      ['DELETE', `/api/v1/namespaces/${NS}/namespaces/${NS}`],
      ['GET', '/healthz/no-such-check'],
      ['GET', '/readyz/no-such-check'],
      ['GET', `/api/v1/proxy/namespaces/${NS}/pods/p`],
    ];
    for (const [method, path] of notFoundPaths) assertStatus(await ctx.api.request(method, path), 404, 'NotFound');
    // No route is no route, whatever the name: the generic 404 (an existing object's name is not echoed).
    for (const path of [`${CM}/a/nonsense`, `/apis/apps/v1/namespaces/${NS}/deployments/d/nonsense`, `/api/v1/namespaces/${NS}/pods/p/proxy`]) {
      assertStatus(await ctx.api.get(path), 404, 'NotFound', /^the server could not find the requested resource$/);
    }
    assert.equal((await ctx.api.get(`/api/v1/namespaces/${NS}/pods/p`)).status, 200);
    assert.equal((await ctx.api.get(`/api/v1/namespaces/${NS}/pods/new-pod`)).status, 404);
    assert.equal((await ctx.api.get(`/apis/apps/v1/namespaces/${NS}/deployments/d`)).status, 200);
    assert.equal((await ctx.api.get(`/api/v1/namespaces/${NS}`)).json().metadata.deletionTimestamp, undefined);
    assert.equal((await ctx.api.get(`${CM}/a`)).status, 200);
  });

  test('componentstatuses is read-only and never reaches another registry', async () => {
    for (const [method, path] of [['DELETE', '/api/v1/componentstatuses'], ['DELETE', '/api/v1/componentstatuses/etcd-0'], ['POST', '/api/v1/componentstatuses'], ['PUT', '/api/v1/componentstatuses/etcd-0'], ['PATCH', '/api/v1/componentstatuses/etcd-0']] as const) {
      const r = await ctx.api.request(method, path, method === 'DELETE' ? {} : { body: { apiVersion: 'v1', kind: 'ComponentStatus', metadata: { name: 'etcd-0' } }, contentType: method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' });
      assertStatus(r, 405, 'MethodNotAllowed');
    }
    assertStatus(await ctx.api.get('/api/v1/componentstatuses?watch=true'), 405, 'MethodNotAllowed');
    assert.equal((await ctx.api.get(`/api/v1/namespaces/${NS}/pods/p`)).status, 200, 'the pod outlived DELETE componentstatuses');

    const list = await ctx.api.get('/api/v1/componentstatuses');
    assert.equal(list.status, 200, list.text);
    const doc = list.json();
    assert.equal(doc.kind, 'ComponentStatusList');
    const byName = new Map<string, { conditions: Array<{ type: string; status: string; message?: string; error?: string }> }>(doc.items.map((i: any) => [i.metadata.name, i]));
    assert.deepEqual([...byName.keys()].sort(), ['controller-manager', 'etcd-0', 'scheduler']);
    assert.deepEqual(byName.get('etcd-0')!.conditions, [{ type: 'Healthy', status: 'True', message: 'ok' }]);
    // This server runs without them (--no-scheduler, --no-controllers) and says so.
    assert.equal(byName.get('scheduler')!.conditions[0]!.status, 'False');
    assert.match(byName.get('scheduler')!.conditions[0]!.error!, /--no-scheduler/);
    const one = await ctx.api.get('/api/v1/componentstatuses/etcd-0');
    assert.equal(one.status, 200);
    assert.equal(one.json().kind, 'ComponentStatus');
    assertStatus(await ctx.api.get('/api/v1/componentstatuses/nope'), 404, 'NotFound');
    const table = await ctx.api.get('/api/v1/componentstatuses', { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' });
    assert.equal(table.json().kind, 'Table');
    assert.equal(table.json().rows.length, 3);

    const disc = (await ctx.api.get('/api/v1')).json() as { resources: Array<{ name: string; verbs: string[] }> };
    assert.deepEqual(disc.resources.find((r) => r.name === 'componentstatuses')!.verbs, ['get', 'list']);
    assert.deepEqual(disc.resources.find((r) => r.name === 'pods/status')!.verbs, ['get', 'patch', 'update']);
    assert.equal(disc.resources.find((r) => r.name === 'pods/proxy'), undefined, 'an unserved subresource is not advertised');
  });

  test('errors are counted in apiserver_request_total', async () => {
    const m = await ctx.api.get('/metrics');
    assert.match(m.text, /apiserver_request_total\{[^}]*code="400"[^}]*\} \d+/);
    assert.match(m.text, /apiserver_request_total\{verb="DELETE"[^}]*resource="componentstatuses"[^}]*code="405"[^}]*\} \d+/);
    assert.match(m.text, /apiserver_current_inflight_requests\{request_kind="mutating"\} \d+/);
  });

  test('a client that never finishes its headers is cut off (408) while others are served', async () => {
    const slow = rawRequest('GET /api/v1/namespaces HTTP/1.1\r\nHost: localhost\r\nX-Slow: ', { cert: true });
    const idle = new Promise<boolean>((resolve) => {
      const c = creds();
      const s = netConnect({ host: c.host, port: c.port }, () => {});
      s.on('error', () => {});
      s.on('close', () => resolve(true)); // no TLS handshake at all: --tls-handshake-timeout ends it
    });
    const ok = await ctx.api.get(CM);
    assert.equal(ok.status, 200);
    await assertReady();
    const cut = await slow;
    assert.equal(cut.status, 408, cut.raw.slice(0, 200));
    assert.equal(await idle, true);
    await assertReady();
  });

  test('the request timeout ends a slow body but not a watch opened before it', async () => {
    const watch = await ctx.api.watch(`${CM}?watch=true&fieldSelector=metadata.name%3Dlate`);
    assert.equal(watch.status, 200);
    // The body never arrives in full: cut once --request-read-timeout (3 s) passes.
    const slowBody = await rawRequest(`POST ${CM} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"apiVersion"`, { cert: true });
    assert.equal(slowBody.status, 408, slowBody.raw.slice(0, 200));
    // The watch is now older than the request timeout and still delivers.
    assert.equal((await ctx.api.post(CM, configMap('late'))).status, 201);
    const ev = await watch.waitFor((e) => e.type === 'ADDED' && e.object.metadata.name === 'late');
    assert.equal(ev.object.metadata.name, 'late');
    assert.equal(watch.isEnded(), false);
    watch.close();
  });

  test('mutating requests over --max-mutating-requests-inflight get 429 with Retry-After; system:masters is exempt', async () => {
    const c = creds();
    // A non-admin POST whose body never completes holds the only mutating slot until it is cut off.
    const holder = tlsConnect({ host: c.host, port: c.port, ca: c.ca, servername: 'localhost', rejectUnauthorized: false }, () => {
      holder.write(`POST ${CM} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`);
    });
    holder.on('error', () => {});
    holder.resume(); // read the 408 that ends it, so 'close' comes
    const holderClosed = new Promise<void>((r) => holder.on('close', () => r()));
    await new Promise<void>((r) => holder.once('secureConnect', () => r()));
    const asTester = (name: string): Promise<ApiResponse> => httpsJson(c, 'POST', CM, configMap(name), { Authorization: `Bearer ${TOKEN}` });
    // The holder has its slot once the server counts one mutating request in flight.
    await eventually(async () => /apiserver_current_inflight_requests\{request_kind="mutating"\} 1\b/.test((await ctx.api.get('/metrics')).text), 5000, 'the slow POST to hold the mutating slot');
    const r = await asTester('tester-1');
    assertStatus(r, 429, 'TooManyRequests', /^Too many requests, please try again later\.$/);
    assert.equal(r.headers['retry-after'], '1');
    assert.equal((await ctx.api.post(CM, configMap('admin-1'))).status, 201, 'system:masters is not limited');
    assert.equal((await ctx.api.get(CM, { Authorization: `Bearer ${TOKEN}` })).status, 200, 'read-only requests have their own limit');
    await holderClosed;
    const after = await asTester('tester-2');
    assert.equal(after.status, 201, after.text);
  });

  test(`a client address holding ${PER_CLIENT} connections gets no more, others are served`, async () => {
    const c = creds();
    const held: TLSSocket[] = [];
    try {
      for (let i = 0; i < PER_CLIENT; i++) {
        const s = await openWatch(c, '127.0.0.2');
        held.push(s);
      }
      // One more from the same address is closed before its handshake completes.
      await assert.rejects(openWatch(c, '127.0.0.2'), (err: Error) => /socket|ECONNRESET|TLS/i.test(err.message));
      assert.equal((await ctx.api.get(CM)).status, 200, '127.0.0.1 is still served');
      await assertReady();
    } finally {
      for (const s of held) s.destroy();
    }
    // Once the address's connections are gone, it is served again.
    const again = await eventually(() => openWatch(c, '127.0.0.2'), 5000, 'a connection from 127.0.0.2 after the others closed');
    again.destroy();
  });
});

/** A watch from `localAddress` on its own connection; resolves once its 200 arrived. */
function openWatch(c: Creds, localAddress: string): Promise<TLSSocket> {
  return new Promise((resolve, reject) => {
    const opts: RequestOptions = {
      host: c.host, port: c.port, ca: c.ca, cert: c.cert, key: c.key, servername: 'localhost', agent: false, localAddress,
      path: `${CM}?watch=true&fieldSelector=metadata.name%3Dnever`, headers: { Accept: 'application/json' },
    };
    const req = request(opts, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`watch answered ${res.statusCode}`)); res.resume(); return; }
      res.on('error', () => {});
      resolve(res.socket as TLSSocket);
    });
    req.on('error', reject);
    req.end();
  });
}

function httpsJson(c: Creds, method: string, path: string, body: unknown, headers: Record<string, string>): Promise<ApiResponse> {
  return new Promise((resolve, reject) => {
    const data = Buffer.from(JSON.stringify(body));
    const req = request({
      host: c.host, port: c.port, ca: c.ca, servername: 'localhost', agent: false, method, path,
      headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'Content-Length': data.length, ...headers },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const text = raw.toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, raw, json: () => JSON.parse(text) });
      });
    });
    req.on('error', reject);
    req.end(data);
  });
}
