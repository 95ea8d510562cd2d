import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeProtobufObject } from '../index.ts';
import { bytesField, envelope, messageField, varintField } from '../wire-writer.ts';

test('a TokenRequest body as client-go writes it (kubectl create token --bound-object-kind Pod) decodes to its JSON form', () => {
  const raw = Buffer.concat([
    messageField(1, bytesField(1, ''), bytesField(3, 'default'), messageField(8)),
    messageField(2,
      bytesField(1, 'vault'), bytesField(1, 'api'),
      messageField(3, bytesField(1, 'Pod'), bytesField(2, 'v1'), bytesField(3, 'web'), bytesField(4, 'uid-1')),
      varintField(4, 1200)),
    messageField(3, bytesField(1, ''), messageField(2)),
  ]);
  const obj = decodeProtobufObject(envelope('authentication.k8s.io/v1', 'TokenRequest', raw));
  assert.equal(obj.apiVersion, 'authentication.k8s.io/v1');
  assert.equal(obj.kind, 'TokenRequest');
  assert.equal((obj.metadata as Record<string, unknown>).namespace, 'default');
  assert.deepEqual(obj.spec, { audiences: ['vault', 'api'], boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'web', uid: 'uid-1' }, expirationSeconds: 1200 });
});
