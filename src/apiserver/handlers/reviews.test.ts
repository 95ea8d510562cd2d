import assert from 'node:assert/strict';
import { test } from 'node:test';
import { attributesFrom, splitRules } from './reviews.ts';

const jane = { name: 'jane', groups: ['devs'] };

test('resource and non-resource attributes from a review spec (ResourceAttributesFrom)', () => {
  const a = attributesFrom(jane, { resourceAttributes: { verb: 'get', group: 'apps', version: 'v1', resource: 'deployments', subresource: 'scale', namespace: 'prod', name: 'web' } });
  assert.deepEqual(a, { user: jane, verb: 'get', isResourceRequest: true, path: '', namespace: 'prod', apiGroup: 'apps', apiVersion: 'v1', resource: 'deployments', subresource: 'scale', name: 'web' });
  const n = attributesFrom(jane, { nonResourceAttributes: { verb: 'get', path: '/healthz' } });
  assert.deepEqual([n.isResourceRequest, n.verb, n.path], [false, 'get', '/healthz']);
});

test('rules split as RBAC\'s RulesFor: resources to resourceRules, URLs to nonResourceRules', () => {
  assert.deepEqual(splitRules([
    { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
    { verbs: ['get'], nonResourceURLs: ['/api', '/api/*'] },
    { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'] },
  ]), {
    resourceRules: [
      { verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] },
      { verbs: ['create'], apiGroups: ['authorization.k8s.io'], resources: ['selfsubjectaccessreviews'] },
    ],
    nonResourceRules: [{ verbs: ['get'], nonResourceURLs: ['/api', '/api/*'] }],
  });
});
