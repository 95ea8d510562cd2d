import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeDetachedSignature, detachedSignatureIsValid } from './jws.ts';

// Known answers from k8s.io/cluster-bootstrap's own tests: a node checking a kubeadm cluster, or
// kubeadm checking skiff's, agrees byte for byte.
const CONTENT = 'Hello from the other side. I must have called a thousand times.';
const SIG = 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..VShe2taLd-YTrmWuRkcL_8QTNDHYxQIEBsAYYiIj1_8';

test('the detached signature is upstream\'s', () => {
  assert.equal(computeDetachedSignature(CONTENT, 'joshua', 'my voice is my passcode'), SIG);
  assert.equal(computeDetachedSignature('', 'joshua', 'my voice is my passcode'), 'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..7Ui1ALizW4jXphVUB7xUqC9vLYLL9RZeOFfVLoB7Tgk');
});

test('verification: the right token and content only, HS256 only', () => {
  assert.equal(detachedSignatureIsValid(SIG, CONTENT, 'joshua', 'my voice is my passcode'), true);
  assert.equal(detachedSignatureIsValid(`${SIG}foo`, CONTENT, 'joshua', 'my voice is my passcode'), false);
  assert.equal(detachedSignatureIsValid(SIG, `${CONTENT}!`, 'joshua', 'my voice is my passcode'), false);
  assert.equal(detachedSignatureIsValid(SIG, CONTENT, 'joshua', 'another passcode'), false);
  const none = `${Buffer.from('{"alg":"none","kid":"joshua"}').toString('base64url')}..`;
  assert.equal(detachedSignatureIsValid(none, CONTENT, 'joshua', 'my voice is my passcode'), false);
  assert.equal(detachedSignatureIsValid('not a jws', CONTENT, 'joshua', 'my voice is my passcode'), false);
});
