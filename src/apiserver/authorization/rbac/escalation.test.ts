import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compactRules, compactString, covers } from './escalation.ts';

test('covers: wildcards, subresource wildcards, names and URLs as upstream', () => {
  const owner = [
    { verbs: ['get', 'list'], apiGroups: [''], resources: ['pods', '*/log'] },
    { verbs: ['*'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] },
    { verbs: ['get'], nonResourceURLs: ['/apis/*'] },
  ];
  assert.equal(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]).covered, true);
  assert.equal(covers(owner, [{ verbs: ['get'], apiGroups: [''], resources: ['pods/log'] }]).covered, true);
  assert.equal(covers(owner, [{ verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'], resourceNames: ['web'] }]).covered, true);
  // A names-limited right does not cover the whole resource.
  assert.equal(covers(owner, [{ verbs: ['update'], apiGroups: ['apps'], resources: ['deployments'] }]).covered, false);
  assert.equal(covers(owner, [{ verbs: ['get'], nonResourceURLs: ['/apis/apps'] }]).covered, true);
  assert.equal(covers(owner, [{ verbs: ['get'], nonResourceURLs: ['/api'] }]).covered, false);
  const { missing } = covers(owner, [{ verbs: ['get', 'delete', 'watch'], apiGroups: [''], resources: ['pods', 'secrets'] }]);
  assert.deepEqual(compactRules(missing).map(compactString), [
    '{APIGroups:[""], Resources:["pods"], Verbs:["delete" "watch"]}',
    '{APIGroups:[""], Resources:["secrets"], Verbs:["get" "delete" "watch"]}',
  ]);
  assert.equal(compactString({ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['x'] }), '{APIGroups:[""], Resources:["pods"], ResourceNames:["x"], Verbs:["get"]}');
  assert.equal(compactString({ verbs: ['get'], nonResourceURLs: ['/x'] }), '{NonResourceURLs:["/x"], Verbs:["get"]}');
});
