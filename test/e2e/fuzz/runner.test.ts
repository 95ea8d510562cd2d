// The fuzz machinery itself, without a server: a crash is charged to the request that caused it,
// the rest are still sent, and the oracle tells a Status from anything else.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { badMetadataCases, unknownFieldCases, wrongTypeCases } from './body-cases.ts';
import { describeCase, type FuzzCase, type Outcome } from './case.ts';
import { patchCases } from './patch-cases.ts';
import { queryCases } from './query-cases.ts';
import { judge } from './oracle.ts';
import { mulberry32 } from './prng.ts';
import { runner } from './runner.ts';
import type { Transport } from './transport.ts';

const mk = (what: string): FuzzCase => ({ group: 'g', method: 'GET', path: `/${what}`, what });
const status = (code: number, reason: string): Buffer => Buffer.from(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: 'm' }));
const answer = (code: number, body: Buffer, type = 'application/json'): Outcome => ({ kind: 'response', status: code, headers: { 'content-type': type }, body, ms: 1 });

test('a crash is charged to the one request that caused it, and every other case is still sent', async () => {
  let alive = true;
  let restarts = 0;
  const sent: string[] = [];
  const fake: Transport = {
    async send(c) {
      await new Promise((r) => setImmediate(r));
      sent.push(c.what);
      if (c.what === 'kill') { alive = false; return { kind: 'closed', error: 'socket hang up', ms: 1 }; }
      return answer(404, status(404, 'NotFound'));
    },
    close() {},
  };
  const r = runner({
    server: { transport: () => fake, alive: () => alive, restart: async () => { restarts++; alive = true; }, logTail: () => '' },
    boundMs: 1000, readyzBoundMs: 1000, concurrency: 3, checkTypes: () => undefined,
  });
  const cases = ['a', 'b', 'kill', 'c', 'd', 'e', 'f'].map(mk);
  const { failures } = await r.run(cases);
  const crashes = failures.filter((f) => f.cls === 'crash');
  assert.equal(crashes.length, 1, JSON.stringify(failures));
  assert.match(crashes[0]!.request, /GET \/kill/);
  assert.ok(restarts >= 2, 'restarted after the crash and after its replay');
  for (const w of ['a', 'b', 'c', 'd', 'e', 'f']) assert.ok(sent.includes(w), `${w} was sent`);
  assert.equal(failures.length, 1);
});

test('the oracle: 5xx, non-Status errors and missing answers fail; a Status, an allowed 504 or a closed violation pass', () => {
  const c = mk('x');
  assert.deepEqual(judge(c, answer(404, status(404, 'NotFound')), 1000, undefined), []);
  assert.equal(judge(c, answer(500, status(500, 'InternalError')), 1000, undefined)[0]?.cls, '5xx');
  assert.equal(judge(c, answer(404, Buffer.from('404 page not found'), 'text/plain'), 1000, undefined)[0]?.cls, 'not-a-Status');
  assert.equal(judge(c, answer(400, status(404, 'NotFound')), 1000, undefined)[0]?.cls, 'not-a-Status');
  assert.equal(judge(c, { kind: 'timeout', ms: 1000 }, 1000, undefined)[0]?.cls, 'no-answer-in-time');
  assert.equal(judge(c, { kind: 'closed', error: 'reset', ms: 1 }, 1000, undefined)[0]?.cls, 'closed-without-answer');
  assert.deepEqual(judge({ ...c, violation: true }, { kind: 'closed', error: 'reset', ms: 1 }, 1000, undefined), []);
  assert.deepEqual(judge({ ...c, allow504Timeout: true }, answer(504, status(504, 'Timeout')), 1000, undefined), []);
  assert.equal(judge(c, answer(504, status(504, 'Timeout')), 1000, undefined)[0]?.cls, '5xx');
  assert.equal(judge({ ...c, expect: { code: 405, reason: 'MethodNotAllowed' } }, answer(200, Buffer.from('{}')), 1000, undefined)[0]?.cls, 'expected-405');
  const typed = judge({ ...c, defName: 'D' }, answer(201, Buffer.from('{"kind":"Pod","metadata":{"name":"p"}}')), 1000, () => [{ field: 'spec', detail: 'must be an object' }]);
  assert.equal(typed[0]?.cls, 'stored-wrong-type');
});

test('the generator is deterministic for a seed', () => {
  const a = mulberry32(7);
  const b = mulberry32(7);
  for (let i = 0; i < 100; i++) assert.equal(a.next(), b.next());
  assert.notEqual(mulberry32(7).fork('x').next(), mulberry32(7).fork('y').next());
});

test('a seed gives the same requests, byte for byte', () => {
  const gen = (seed: number): string[] => {
    const rng = mulberry32(seed);
    return [
      ...wrongTypeCases(rng.fork('w'), 40), ...badMetadataCases(rng.fork('m'), 16), ...unknownFieldCases(rng.fork('u'), 12),
      ...patchCases(rng.fork('p'), 20, 'strategic'), ...patchCases(rng.fork('a'), 20, 'apply'), ...queryCases(rng.fork('q'), 30),
    ].map((c) => `${describeCase(c)} ${c.body?.toString('base64') ?? ''}`);
  };
  assert.deepEqual(gen(3), gen(3));
  assert.notDeepEqual(gen(3), gen(4));
});
