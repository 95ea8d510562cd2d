// Issue 14, decoding limits: bodies nested past the cap are 400s before anything recursive runs
// (create, strict create, update, delete options, YAML), YAML with many keys or aliases is decoded
// in linear time or refused, huge lists are answered without stalling the server, a huge name is
// refused with a short message, and a non-Latin-1 unknown field becomes a valid Warning header.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { validateHeaderValue } from 'node:http';
import { configMap, serverForSuite, type ApiResponse } from './api-helpers.ts';

const NS = '/api/v1/namespaces/default';
const CM = `${NS}/configmaps`;
const PODS = `${NS}/pods`;
const SVC = `${NS}/services`;

function assertStatus(r: ApiResponse, code: number, reason: string, message?: RegExp): any {
  assert.equal(r.status, code, `expected ${code} ${reason}, got ${r.status}: ${r.text.slice(0, 500)}`);
  const s = r.json();
  assert.equal(s.kind, 'Status', r.text.slice(0, 500));
  assert.equal(s.code, code);
  assert.equal(s.reason, reason, r.text.slice(0, 500));
  if (message) assert.match(String(s.message), message);
  return s;
}

/** `{"apiVersion":…,"data":{"x":[[[…]]]}}`: a ConfigMap whose data nests `depth` arrays deep. */
function deepConfigMap(name: string, depth: number): string {
  return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{"x":${'['.repeat(depth)}${']'.repeat(depth)}}}`;
}

const pod = (name: string, container: Record<string, unknown>): unknown => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9', ...container }], nodeName: 'no-such-node' },
});

describe('API hardening: decoding limits', () => {
  const ctx = serverForSuite({ before, after });

  async function assertReady(): Promise<void> {
    const r = await ctx.api.get('/readyz');
    assert.equal(r.status, 200, r.text);
  }

  test('10,000-deep JSON is 400 on create, strict create, update and in DeleteOptions', async () => {
    const deep = deepConfigMap('deep', 10_000);
    assertStatus(await ctx.api.post(CM, deep), 400, 'BadRequest', /nested too deeply/);
    assertStatus(await ctx.api.post(`${CM}?fieldValidation=Strict`, deep), 400, 'BadRequest', /nested too deeply/);
    assert.equal((await ctx.api.post(CM, configMap('deep'))).status, 201);
    assertStatus(await ctx.api.put(`${CM}/deep`, deep), 400, 'BadRequest', /nested too deeply/);
    const opts = `{"kind":"DeleteOptions","apiVersion":"v1","preconditions":${'{"x":'.repeat(10_000)}1${'}'.repeat(10_000)}}`;
    assertStatus(await ctx.api.del(`${CM}/deep`, opts), 400, 'BadRequest', /nested too deeply/);
    assert.equal((await ctx.api.get(`${CM}/deep`)).status, 200, 'the refused delete deleted nothing');
    assert.equal((await ctx.api.del(`${CM}/deep`)).status, 200);
    await assertReady();
  });

  test('deep YAML (flow and block) is 400', async () => {
    const head = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: deep-yaml\ndata:\n  x: ';
    assertStatus(await ctx.api.post(CM, `${head}${'['.repeat(10_000)}`, { contentType: 'application/yaml' }), 400, 'BadRequest', /nested too deeply/);
    assertStatus(await ctx.api.post(CM, `${head}\n${'- '.repeat(10_000)}x\n`, { contentType: 'application/yaml' }), 400, 'BadRequest', /nested too deeply/);
    await assertReady();
  });

  test('a YAML body with 50,000 keys is decoded (no pairwise key comparison); a duplicate key among them is a 400', async () => {
    const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: many-keys', 'data:'];
    for (let i = 0; i < 50_000; i++) lines.push(`  k${i}: v`);
    const r = await ctx.api.post(CM, lines.join('\n'), { contentType: 'application/yaml' });
    assert.equal(r.status, 201, r.text.slice(0, 500));
    assert.equal(Object.keys(r.json().data).length, 50_000);
    lines[3] = '  name: many-keys-dup';
    lines.push('  k49999: again');
    assertStatus(await ctx.api.post(CM, lines.join('\n'), { contentType: 'application/yaml' }), 400, 'BadRequest', /duplicate key "data\.k49999"/);
    await assertReady();
  });

  test('a 1 MiB YAML list is decoded off the event loop: /readyz answers while it is', async () => {
    const body = `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big-yaml\ndata:\n  x: "1"\nextra: [${'1,'.repeat(500_000)}1]\n`;
    const slow = ctx.api.post(CM, body, { contentType: 'application/yaml' });
    let answered = false;
    void slow.then(() => { answered = true; });
    // The decode takes seconds of one core; health checks meanwhile are served by the event loop,
    // one after another (on the loop, the body's decode would hold every one of them back).
    let readyWhileDecoding = 0;
    while (!answered) {
      await assertReady();
      if (!answered) readyWhileDecoding++;
    }
    const r = await slow;
    assert.equal(r.status, 201, r.text.slice(0, 300));
    assert.ok(readyWhileDecoding >= 5, `only ${readyWhileDecoding} /readyz answers came while the body was decoded`);
  });

  test('a YAML alias bomb and a merge-key bomb are 400', async () => {
    let laughs = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: lol\nlols:\n';
    laughs += '  a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 1; i < 10; i++) laughs += `  a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]\n`;
    assertStatus(await ctx.api.post(CM, laughs, { contentType: 'application/yaml' }), 400, 'BadRequest', /not valid YAML/);
    let merges = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: merges\nbase: &b\n';
    for (let i = 0; i < 20_000; i++) merges += `  k${i}: v\n`;
    merges += 'list:\n';
    for (let i = 0; i < 99; i++) merges += '- <<: *b\n';
    assertStatus(await ctx.api.post(CM, merges, { contentType: 'application/yaml' }), 400, 'BadRequest', /aliases expand it/);
    assertStatus(await ctx.api.post(CM, 'apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: loop, labels: *m}\n', { contentType: 'application/yaml' }), 400, 'BadRequest', /not valid YAML/);
    await assertReady();
  });

  test('a pod with 100,000 command words, one with 50,000 env vars and a Service with 20,000 ports are answered, and the server stays ready', async () => {
    const cmd = await ctx.api.post(PODS, pod('many-words', { command: Array.from({ length: 100_000 }, (_, i) => `w${i}`) }));
    assert.equal(cmd.status, 201, cmd.text.slice(0, 500));
    await assertReady();
    const env = await ctx.api.post(PODS, pod('many-env', { env: Array.from({ length: 50_000 }, (_, i) => ({ name: `E${i}`, value: 'v' })) }));
    assert.equal(env.status, 201, env.text.slice(0, 500));
    await assertReady();
    const ports = Array.from({ length: 20_000 }, (_, i) => ({ name: `p${i}`, port: i + 1, protocol: 'TCP', targetPort: 80 }));
    const svc = await ctx.api.post(SVC, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'many-ports' }, spec: { ports } });
    assert.equal(svc.status, 201, svc.text.slice(0, 500));
    await assertReady();
  });

  test('150,000 invalid env vars are one short 422 (at most 100 errors listed), not a stack overflow', async () => {
    const r = await ctx.api.post(PODS, pod('bad-env', { env: Array.from({ length: 150_000 }, () => ({ name: '1' })) }));
    const s = assertStatus(r, 422, 'Invalid', /and 149900 more errors\]$/);
    assert.equal(s.details.causes.length, 100);
    assert.ok(r.text.length < 128 * 1024, String(r.text.length));
    await assertReady();
  });

  test('a 1 MB name is refused by its length with a short message', async () => {
    const name = 'a'.repeat(1 << 20);
    for (const [path, body] of [[CM, configMap(name)], [PODS, pod(name, {})]] as const) {
      const r = await ctx.api.post(path, body);
      assert.ok(r.status === 422 || r.status === 400, `${r.status}: ${r.text.slice(0, 300)}`);
      assert.ok(r.text.length < 4096, `${r.text.length} bytes: ${r.text.slice(0, 300)}`);
      assert.match(r.json().message, /must be no more than 253 characters/);
    }
    await assertReady();
  });

  test('an unknown field named outside Latin-1 is a valid, escaped Warning header; under Strict a short 400', async () => {
    const body = { ...configMap('warn-unicode'), '字段\n': 1 };
    const r = await ctx.api.post(`${CM}?fieldValidation=Warn`, body);
    assert.equal(r.status, 201, r.text.slice(0, 500));
    const warning = r.headers.warning;
    assert.ok(warning, 'a Warning header');
    const values = Array.isArray(warning) ? warning : [warning];
    for (const v of values) assert.doesNotThrow(() => validateHeaderValue('Warning', v));
    assert.ok(values.some((v) => v === '299 - "unknown field \\"\\u5b57\\u6bb5\\n\\""'), values.join(' | '));
    const many = { ...configMap('strict-many'), ...Object.fromEntries(Array.from({ length: 2000 }, (_, i) => [`x${i}${'y'.repeat(1000)}`, 1])) };
    const strict = await ctx.api.post(`${CM}?fieldValidation=Strict`, many);
    assertStatus(strict, 400, 'BadRequest', /^strict decoding error: unknown field "x0y+\.\.\."/);
    assert.ok(strict.text.length < 64 * 1024, String(strict.text.length));
    const warned = await ctx.api.post(`${CM}?fieldValidation=Warn`, { ...many, metadata: { name: 'warn-many' } });
    assert.equal(warned.status, 201);
    const all = [warned.headers.warning ?? []].flat().join('\n');
    assert.ok(all.length > 0 && all.length < 8192, String(all.length));
    await assertReady();
  });
});
