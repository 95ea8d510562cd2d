import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTokenTable, shortHumanDuration } from './token-command.ts';

test('kubeadm token list\'s table', () => {
  const now = new Date('2026-03-04T19:51:22Z');
  const out = formatTokenTable([
    { id: 'zlt7nb', secret: 'lpd06ao1kxf4uwgm', description: '', expires: new Date('2026-03-05T19:51:22Z'), usages: ['signing', 'authentication'], groups: ['system:bootstrappers:kubeadm:default-node-token'] },
    { id: 'abcdef', secret: '0123456789abcdef', description: 'node token', expires: undefined, usages: ['authentication'], groups: [] },
  ], new Date(now.getTime() + 3_600_000));
  assert.equal(out, [
    'TOKEN                     TTL         EXPIRES                USAGES                   DESCRIPTION   EXTRA GROUPS',
    'zlt7nb.lpd06ao1kxf4uwgm   23h         2026-03-05T19:51:22Z   authentication,signing   <none>        system:bootstrappers:kubeadm:default-node-token',
    'abcdef.0123456789abcdef   <forever>   <never>                authentication           node token',
    '',
  ].join('\n'));
});

test('shortHumanDuration', () => {
  assert.equal(shortHumanDuration(-5000), '<invalid>');
  assert.equal(shortHumanDuration(-500), '0s');
  assert.equal(shortHumanDuration(59_000), '59s');
  assert.equal(shortHumanDuration(60 * 60_000 - 1), '59m');
  assert.equal(shortHumanDuration(23.9 * 3_600_000), '23h');
  assert.equal(shortHumanDuration(72 * 3_600_000), '3d');
  assert.equal(shortHumanDuration(800 * 24 * 3_600_000), '2y');
});
