import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cluster, node, pod, runFilter } from '../testing/fixtures.ts';
import { runScore } from '../testing/score.ts';
import { taintTolerationFilter, taintTolerationScore } from './taint-toleration.ts';
import { toleratesTaint } from './tolerations.ts';

describe('TaintToleration filter', () => {
  const c = cluster([
    node('gpu', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
    node('evict', { taints: [{ key: 'maintenance', effect: 'NoExecute' }] }),
    node('soft', { taints: [{ key: 'spot', value: 'true', effect: 'PreferNoSchedule' }] }),
    node('clean'),
  ]);

  it('NoSchedule and NoExecute taints reject pods that do not tolerate them; PreferNoSchedule does not', () => {
    assert.deepEqual(runFilter(taintTolerationFilter, pod('p'), c), {
      gpu: 'node(s) had untolerated taint {dedicated: gpu}', evict: 'node(s) had untolerated taint {maintenance: }', soft: '', clean: '',
    });
  });

  it('Equal needs the value; Exists any value; an empty key with Exists tolerates everything', () => {
    const eq = pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu' }] });
    assert.equal(runFilter(taintTolerationFilter, eq, c).gpu, '');
    const wrong = pod('p', { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }] });
    assert.equal(runFilter(taintTolerationFilter, wrong, c).gpu, 'node(s) had untolerated taint {dedicated: gpu}');
    const all = pod('p', { tolerations: [{ operator: 'Exists' }] });
    assert.deepEqual(runFilter(taintTolerationFilter, all, c), { gpu: '', evict: '', soft: '', clean: '' });
  });

  it('a toleration for another effect does not help', () => {
    assert.equal(toleratesTaint({ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, { key: 'dedicated', effect: 'NoSchedule' }), false);
    assert.equal(toleratesTaint({ key: 'dedicated', operator: 'Exists' }, { key: 'dedicated', effect: 'NoSchedule' }), true);
  });
});

describe('TaintToleration score', () => {
  it('fewer untolerated PreferNoSchedule taints score higher (reversed, scaled to 100)', () => {
    const c = cluster([
      node('two', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }, { key: 'b', effect: 'PreferNoSchedule' }] }),
      node('one', { taints: [{ key: 'a', effect: 'PreferNoSchedule' }] }),
      node('none'),
    ]);
    assert.deepEqual(runScore(taintTolerationScore, pod('p'), c), { two: 0, one: 50, none: 100 });
    const tolerant = pod('p', { tolerations: [{ key: 'a', operator: 'Exists', effect: 'PreferNoSchedule' }] });
    assert.deepEqual(runScore(taintTolerationScore, tolerant, c), { two: 0, one: 100, none: 100 });
  });
});
