import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import type { IncomingMessage } from 'node:http';
import { isStatusError } from '../api/errors.ts';
import { decodeObject, readBody } from './http-io.ts';
import { OFF_THREAD_MIN_BYTES, yamlToJsonOffThread } from './yaml-off-thread.ts';

function request(body: string, contentType: string): IncomingMessage {
  const r = Readable.from([Buffer.from(body)]) as unknown as IncomingMessage;
  r.headers = { 'content-type': contentType };
  return r;
}

const bigYaml = (keys: number): string => `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: big\ndata:\n${Array.from({ length: keys }, (_, i) => `  k${i}: "v${i}"\n`).join('')}`;

test('a large YAML body is decoded on the worker thread while the event loop keeps turning', async () => {
  const text = bigYaml(60_000);
  assert.ok(text.length > OFF_THREAD_MIN_BYTES);
  let ticks = 0;
  const timer = setInterval(() => { ticks++; }, 1);
  try {
    const body = await readBody(request(text, 'application/yaml'));
    const obj = decodeObject(body, 'application/yaml') as { data: Record<string, string> };
    assert.equal(Object.keys(obj.data).length, 60_000);
    assert.equal(obj.data.k59999, 'v59999');
  } finally {
    clearInterval(timer);
  }
  assert.ok(ticks > 0, 'timers ran while the body was decoded');
});

test('the worker answers a decoding error with the decoder\'s 400', async () => {
  const dup = `${bigYaml(10_000)}  k0: again\n`;
  await assert.rejects(readBody(request(dup, 'application/yaml')), (err: unknown) => isStatusError(err) && err.code === 400 && /duplicate key "data.k0"/.test(err.message));
  const list = `- ${'x\n- '.repeat(40_000)}x\n`;
  await assert.rejects(readBody(request(list, 'application/yaml')), (err: unknown) => isStatusError(err) && err.code === 400 && /must be a JSON or YAML object/.test(err.message));
});

test('small YAML and JSON-looking bodies stay on the event loop unchanged', async () => {
  const small = 'a: 1\n';
  assert.equal((await readBody(request(small, 'application/yaml'))).toString(), small);
  const json = `{"a": "${'x'.repeat(OFF_THREAD_MIN_BYTES)}"}`;
  assert.equal((await readBody(request(json, 'application/apply-patch+yaml'))).toString(), json);
});

test('several decodes at once each get their own answer', async () => {
  const texts = [1, 2, 3].map((n) => `num: ${n}\npad: "${'y'.repeat(OFF_THREAD_MIN_BYTES)}"\n`);
  const out = await Promise.all(texts.map((t) => yamlToJsonOffThread(t)!));
  assert.deepEqual(out.map((j) => (JSON.parse(j) as { num: number }).num), [1, 2, 3]);
});
