import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInvalidReference } from './errors.ts';
import { familiarReference, normalizeReference } from './reference.ts';

test('references are normalised like docker', () => {
  const cases: [string, string][] = [
    ['busybox', 'docker.io/library/busybox:latest'],
    ['busybox:1.36', 'docker.io/library/busybox:1.36'],
    ['docker.io/busybox', 'docker.io/library/busybox:latest'],
    ['index.docker.io/library/busybox:latest', 'docker.io/library/busybox:latest'],
    ['user/app', 'docker.io/user/app:latest'],
    ['registry.k8s.io/pause:3.10', 'registry.k8s.io/pause:3.10'],
    ['localhost:5000/a/b', 'localhost:5000/a/b:latest'],
    ['localhost/x:y', 'localhost/x:y'],
    [`busybox@sha256:${'a'.repeat(64)}`, `docker.io/library/busybox@sha256:${'a'.repeat(64)}`],
  ];
  for (const [input, want] of cases) assert.equal(normalizeReference(input), want, input);
});

test('familiar names drop the default registry', () => {
  assert.equal(familiarReference('docker.io/library/busybox:latest'), 'busybox:latest');
  assert.equal(familiarReference('docker.io/user/app:1'), 'user/app:1');
  assert.equal(familiarReference('registry.k8s.io/pause:3.10'), 'registry.k8s.io/pause:3.10');
});

test('invalid references are refused with a reason', () => {
  for (const bad of ['', 'Busybox', 'a b', 'busybox:', 'busybox@sha256:xyz', 'a/../b']) {
    assert.throws(() => normalizeReference(bad), isInvalidReference, bad);
  }
});
