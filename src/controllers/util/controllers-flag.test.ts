import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseControllersFlag } from './controllers-flag.ts';

const known = { names: ['replicaset', 'deployment', 'garbage-collector', 'bootstrapsigner'], aliases: { rs: 'replicaset' }, offByDefault: ['bootstrapsigner'] };

test('--controllers: * turns on the on-by-default controllers', () => {
  const s = parseControllersFlag('*', known);
  assert.equal(s.enabled('replicaset'), true);
  assert.equal(s.enabled('bootstrapsigner'), false);
});

test('--controllers: -NAME turns one off, NAME turns an off-by-default one on; upstream names and aliases work', () => {
  const s = parseControllersFlag('*,-replicaset-controller,bootstrapsigner', known);
  assert.equal(s.enabled('replicaset'), false);
  assert.equal(s.enabled('deployment'), true);
  assert.equal(s.enabled('bootstrapsigner'), true);
  assert.equal(parseControllersFlag('*,-rs', known).enabled('replicaset'), false);
});

test('--controllers: without * only the named controllers run; the first mention decides', () => {
  const s = parseControllersFlag('deployment, -deployment', known);
  assert.equal(s.enabled('deployment'), true);
  assert.equal(s.enabled('replicaset'), false);
  assert.equal(parseControllersFlag('-deployment,*,deployment', known).enabled('deployment'), false);
  assert.equal(parseControllersFlag('', known).enabled('replicaset'), false);
});

test('--controllers: an unknown name is an error naming it', () => {
  assert.throws(() => parseControllersFlag('*,-nope', known), { code: 'ControllersFlagError', message: /"nope" is not a known controller/ });
});
