import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Clientset } from './clientset.ts';

test('a clientset with other credentials writes with them and hands out the original\'s informers', () => {
  const root = new Clientset({ server: 'https://127.0.0.1:1', namespace: 'default', userAgent: 'root' });
  const child = root.withCredentials({ server: 'https://127.0.0.1:1', namespace: 'default', userAgent: 'child', token: 't' });
  const pods = { group: '', version: 'v1', resource: 'pods', namespaced: true };
  assert.equal(child.informer(pods), root.informer(pods));
  assert.equal(child.informer(pods, { fieldSelector: 'spec.nodeName=n1' }), root.informer(pods, { fieldSelector: 'spec.nodeName=n1' }));
  assert.notEqual(child.rest, root.rest);
  assert.equal(child.rest.config.token, 't');
  // A clientset derived from a derived one still shares the first one's informers.
  assert.equal(child.withCredentials({ server: 'https://127.0.0.1:1', namespace: 'default' }).informer(pods), root.informer(pods));
  root.rest.close();
  child.rest.close();
});
