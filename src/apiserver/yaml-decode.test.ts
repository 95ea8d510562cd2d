import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../api/errors.ts';
import { decodeYaml } from './yaml-decode.ts';

const badRequestMatching = (re: RegExp) => (err: unknown): boolean =>
  isStatusError(err) && err.code === 400 && err.reason === 'BadRequest' && re.test(err.message);

test('decodes YAML 1.1 as sigs.k8s.io/yaml does: booleans and numbers resolved, timestamps kept as written', () => {
  assert.deepEqual(decodeYaml('a: yes\nb: 0x10\nc: 2024-01-01\nd: 1:20\ne: "x"\nf: ~\n'), { a: true, b: 16, c: '2024-01-01', d: '1:20', e: 'x', f: null });
  assert.deepEqual(decodeYaml('base: &b {p: 1}\nm:\n  <<: *b\n  q: 2\nl: [*b]\n'), { base: { p: 1 }, m: { p: 1, q: 2 }, l: [{ p: 1 }] });
});

test('a JSON object is parsed as JSON', () => {
  assert.deepEqual(decodeYaml(' {"a": [1, {"b": "c"}], "n": 1e3}'), { a: [1, { b: 'c' }], n: 1000 });
});

test('50,000 keys decode (no pairwise key comparison) and a duplicate among them is still found', () => {
  const lines = ['data:'];
  for (let i = 0; i < 50_000; i++) lines.push(`  key-${i}: v`);
  const value = decodeYaml(lines.join('\n')) as { data: Record<string, string> };
  assert.equal(Object.keys(value.data).length, 50_000);
  lines.push('  key-17: again');
  assert.throws(() => decodeYaml(lines.join('\n')), badRequestMatching(/not valid YAML: duplicate key "data\.key-17"/));
});

test('deep flow and block nesting is refused before composing', () => {
  assert.throws(() => decodeYaml('['.repeat(100_000)), badRequestMatching(/nested too deeply: more than 500 levels/));
  assert.throws(() => decodeYaml(`${'- '.repeat(100_000)}x`), badRequestMatching(/nested too deeply/));
  assert.throws(() => decodeYaml(Array.from({ length: 600 }, (_, i) => `${' '.repeat(i)}a:`).join('\n')), badRequestMatching(/nested too deeply/));
  assert.doesNotThrow(() => decodeYaml('['.repeat(500) + ']'.repeat(500)));
});

test('aliases that expand, deepen or loop are refused', () => {
  let laughs = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
  for (let i = 1; i < 10; i++) laughs += `a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]\n`;
  assert.throws(() => decodeYaml(laughs), badRequestMatching(/not valid YAML: aliases expand it/));
  let merges = 'base: &a\n';
  for (let i = 0; i < 20_000; i++) merges += `  k${i}: v\n`;
  merges += 'list:\n';
  for (let i = 0; i < 99; i++) merges += '- <<: *a\n';
  assert.throws(() => decodeYaml(merges), badRequestMatching(/aliases expand it/));
  let deeper = 'a0: &a0 [[[1]]]\n';
  for (let i = 1; i < 200; i++) deeper += `a${i}: &a${i} [[[*a${i - 1}]]]\n`;
  assert.throws(() => decodeYaml(deeper), badRequestMatching(/nested too deeply/));
  assert.throws(() => decodeYaml('a: &x [1, *x]'), badRequestMatching(/alias \*x refers to a node that contains it/));
});

test('what JSON cannot hold, several documents and syntax errors are 400s', () => {
  assert.throws(() => decodeYaml('a: !!set {x, y}'), badRequestMatching(/type Set cannot be represented as JSON/));
  assert.throws(() => decodeYaml('a: .inf'), badRequestMatching(/not a JSON number/));
  assert.throws(() => decodeYaml('? [a]\n: 1\n'), badRequestMatching(/is not a scalar/));
  assert.throws(() => decodeYaml('a: 1\n---\nb: 2\n'), badRequestMatching(/more than one document/));
  assert.throws(() => decodeYaml('a: [1, 2\nb: c'), badRequestMatching(/not valid YAML: .*\(line 2, column 1\)/));
  assert.throws(() => decodeYaml('a: *zz'), badRequestMatching(/Unresolved alias/));
});
