import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Job } from '../../api/types/batch-v1.ts';
import type { Pod } from '../../api/types/core-v1.ts';
import { ensureCondition, generateNameWithIndex, isPodFailed, jobPodFromTemplate, pastBackoffLimitOnFailure } from './job-util.ts';

const job = (spec: Partial<NonNullable<Job['spec']>> = {}): Job => ({
  metadata: { name: 'pi', namespace: 'ns', uid: 'u1' },
  spec: {
    template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'u1', 'batch.kubernetes.io/job-name': 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox' }] } },
    ...spec,
  },
});
const ref = { apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: 'u1', controller: true, blockOwnerDeletion: true };

test('job pod: tracking finalizer, template labels, controller reference', () => {
  const p = jobPodFromTemplate(job(), ref);
  assert.equal(p.metadata.generateName, 'pi-');
  assert.deepEqual(p.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
  assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-name'], 'pi');
  assert.equal(p.metadata.ownerReferences?.[0]?.uid, 'u1');
  assert.equal(p.spec?.containers[0]?.env, undefined);
});

test('job pod: an Indexed pod gets its index as annotation, label, env var and hostname', () => {
  const p = jobPodFromTemplate(job({ completionMode: 'Indexed', completions: 3 }), ref, { index: 2 });
  assert.equal(p.metadata.generateName, 'pi-2-');
  assert.equal(p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'], '2');
  assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-completion-index'], '2');
  assert.equal(p.spec?.hostname, 'pi-2');
  assert.deepEqual(p.spec?.containers[0]?.env, [{ name: 'JOB_COMPLETION_INDEX', valueFrom: { fieldRef: { fieldPath: "metadata.labels['batch.kubernetes.io/job-completion-index']" } } }]);
  const q = jobPodFromTemplate(job({ completionMode: 'Indexed', completions: 3, backoffLimitPerIndex: 1 }), ref, { index: 0, replacing: { failureCount: 1, ignoredFailureCount: 0 } });
  assert.equal(q.metadata.annotations?.['batch.kubernetes.io/job-index-failure-count'], '1');
  assert.equal(generateNameWithIndex('x'.repeat(60), 12), `${'x'.repeat(54)}-12-`);
});

test('job conditions: added when not False, replaced when changed', () => {
  const [a, changedA] = ensureCondition([], 'Suspended', 'False', 'JobResumed', 'Job resumed', 0);
  assert.deepEqual([a, changedA], [[], false]);
  const [b, changedB] = ensureCondition([], 'Suspended', 'True', 'JobSuspended', 'Job suspended', 0);
  assert.equal(changedB, true);
  assert.equal(b[0]?.lastTransitionTime, '1970-01-01T00:00:00Z');
  const [c, changedC] = ensureCondition(b, 'Suspended', 'False', 'JobResumed', 'Job resumed', 1000);
  assert.equal(changedC, true);
  assert.equal(c[0]?.status, 'False');
  assert.equal(ensureCondition(c, 'Suspended', 'False', 'JobResumed', 'Job resumed', 2000)[1], false);
});

test('job pods: a deleted pod counts as failed unless replacements wait for Failed', () => {
  const deleted: Pod = { metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' }, status: { phase: 'Running' } };
  assert.equal(isPodFailed(deleted, job()), true);
  assert.equal(isPodFailed(deleted, job({ podReplacementPolicy: 'Failed' })), false);
  assert.equal(isPodFailed({ metadata: {}, status: { phase: 'Failed' } }, job({ podReplacementPolicy: 'Failed' })), true);
  const restarting: Pod = { metadata: {}, status: { phase: 'Running', containerStatuses: [{ name: 'c', ready: true, restartCount: 2, image: '', imageID: '' }] } };
  const onFailure = job({ backoffLimit: 2 });
  onFailure.spec!.template.spec!.restartPolicy = 'OnFailure';
  assert.equal(pastBackoffLimitOnFailure(onFailure, [restarting]), true);
  assert.equal(pastBackoffLimitOnFailure(job({ backoffLimit: 2 }), [restarting]), false);
});
