import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../api/errors.ts';
import { decodeObject } from './http-io.ts';

const badRequestMatching = (re: RegExp) => (err: unknown): boolean =>
  isStatusError(err) && err.code === 400 && err.reason === 'BadRequest' && re.test(err.message);

test('decodeObject refuses deep JSON and YAML bodies of every accepted media type with a 400', () => {
  const deepJson = Buffer.from(`{"a":${'['.repeat(10_000)}${']'.repeat(10_000)}}`);
  for (const type of [undefined, 'application/json', 'application/json; charset=utf-8', '*/*', 'application/yaml', 'application/apply-patch+yaml']) {
    assert.throws(() => decodeObject(deepJson, type), badRequestMatching(/nested too deeply/), String(type));
  }
  assert.throws(() => decodeObject(Buffer.from(`a: ${'['.repeat(10_000)}`), 'application/yaml'), badRequestMatching(/nested too deeply/));
});

test('decodeObject answers bad bodies with short 400s', () => {
  const err = ((): unknown => { try { decodeObject(Buffer.from(`{"a": "${'x'.repeat(1_000_000)}`), 'application/json'); } catch (e) { return e; } return undefined; })();
  assert.ok(badRequestMatching(/not valid JSON/)(err));
  assert.ok(isStatusError(err) && err.message.length < 400);
  assert.throws(() => decodeObject(Buffer.from('[1]'), 'application/json'), badRequestMatching(/must be a JSON or YAML object/));
  assert.deepEqual(decodeObject(Buffer.from('kind: Pod\nmetadata: {name: p}\n'), 'application/yaml'), { kind: 'Pod', metadata: { name: 'p' } });
});
