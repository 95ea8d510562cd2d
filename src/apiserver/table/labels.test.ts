import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelSelector, formatLabels, selectorString } from './labels.ts';

test('formatLabels sorts keys and prints <none> when empty', () => {
  assert.equal(formatLabels({ b: '2', a: '1' }), 'a=1,b=2');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});

test('selectors print requirements sorted by key, values sorted', () => {
  const sel = {
    matchLabels: { tier: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'NotIn', values: ['qa', 'dev'] },
      { key: 'app', operator: 'In', values: ['shop'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'zone', operator: 'Exists' },
    ],
  };
  assert.equal(formatLabelSelector(sel), 'app in (shop),!canary,env notin (dev,qa),tier=web,zone');
});

test('empty, nil and invalid selectors', () => {
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
  assert.equal(selectorString(undefined), '');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), '<error>');
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Gt', values: ['1'] }] }), '<error>');
});
