import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expand, lookupIn } from './expansion.ts';

const vars = lookupIn(new Map([['VAR_A', 'A'], ['VAR_B', 'B'], ['VAR_EMPTY', '']]), new Map([['VAR_A', 'shadowed'], ['SVC', 's']]));

test('Environment variables, expansion: $(VAR) references are replaced', () => {
  assert.equal(expand('$(VAR_A)', vars), 'A');
  assert.equal(expand('___$(VAR_B)___', vars), '___B___');
  assert.equal(expand('$(VAR_A)-$(VAR_B)', vars), 'A-B');
  assert.equal(expand('x$(VAR_EMPTY)y', vars), 'xy');
  assert.equal(expand('$(SVC)', vars), 's', 'later contexts are searched when earlier ones lack the name');
});

test('unknown references and malformed syntax are left as written', () => {
  assert.equal(expand('$(UNKNOWN)', vars), '$(UNKNOWN)');
  assert.equal(expand('$(VAR_A', vars), '$(VAR_A');
  assert.equal(expand('$VAR_A', vars), '$VAR_A');
  assert.equal(expand('$', vars), '$');
  assert.equal(expand('foo$', vars), 'foo$');
  assert.equal(expand('$()', vars), '$()');
});

test('$$ escapes the operator', () => {
  assert.equal(expand('$$(VAR_A)', vars), '$(VAR_A)');
  assert.equal(expand('$$$(VAR_A)', vars), '$A');
  assert.equal(expand('$$$$(VAR_A)', vars), '$$(VAR_A)');
  assert.equal(expand('a$$b', vars), 'a$b');
});
