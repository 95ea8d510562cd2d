import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pod } from '../testing/fixtures.ts';
import { SchedulingQueue } from './scheduling-queue.ts';

function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1_000_000;
  return { now: () => t, advance: (ms) => { t += ms; } };
}

describe('SchedulingQueue', () => {
  it('pops by priority, then by arrival', async () => {
    const c = clock();
    const q = new SchedulingQueue({ now: c.now });
    q.add(pod('low-1'));
    c.advance(1);
    q.add(pod('high', { priority: 1000 }));
    c.advance(1);
    q.add(pod('low-2'));
    const order = [];
    for (let i = 0; i < 3; i++) order.push((await q.pop())!.pod.metadata.name);
    assert.deepEqual(order, ['high', 'low-1', 'low-2']);
  });

  it('backs off exponentially from 1 s to at most 10 s', () => {
    const q = new SchedulingQueue();
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((a) => q.backoffDuration(a)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('an unschedulable pod waits for an event a rejecting plugin cares about, then for its backoff', async () => {
    const c = clock();
    const interested = (plugin: string, event: string): boolean => plugin === 'NodeResourcesFit' && (event === 'NodeAdd' || event === 'AssignedPodDelete');
    const q = new SchedulingQueue({ now: c.now, interested });
    q.add(pod('p'));
    const p = (await q.pop())!;
    q.addUnschedulable(p, ['NodeResourcesFit']);
    assert.equal(q.unschedulableCount, 1);
    assert.equal(q.moveAllToActiveOrBackoff('NodeLabel'), 0);
    assert.equal(q.unschedulableCount, 1);
    // Still within its 1 s backoff: to the backoff queue, not the active one.
    assert.equal(q.moveAllToActiveOrBackoff('NodeAdd'), 1);
    assert.deepEqual([q.activeCount, q.backoffCount], [0, 1]);
    c.advance(999);
    q.flushBackoffCompleted();
    assert.equal(q.activeCount, 0);
    c.advance(1);
    q.flushBackoffCompleted();
    assert.deepEqual([q.activeCount, q.backoffCount], [1, 0]);
    const again = (await q.pop())!;
    assert.equal(again.attempts, 2);
  });

  it('a pod whose backoff has passed goes straight to the active queue on an event', async () => {
    const c = clock();
    const q = new SchedulingQueue({ now: c.now });
    q.add(pod('p'));
    q.addUnschedulable((await q.pop())!, ['NodeAffinity']);
    c.advance(5000);
    q.moveAllToActiveOrBackoff('NodeLabel');
    assert.equal(q.activeCount, 1);
  });

  it('pods left unschedulable for 5 minutes are retried anyway', async () => {
    const c = clock();
    const q = new SchedulingQueue({ now: c.now, interested: () => false });
    q.add(pod('p'));
    q.addUnschedulable((await q.pop())!, ['X']);
    c.advance(4 * 60_000);
    q.flushUnschedulableLeftover();
    assert.equal(q.unschedulableCount, 1);
    c.advance(60_000);
    q.flushUnschedulableLeftover();
    assert.deepEqual([q.unschedulableCount, q.activeCount], [0, 1]);
  });

  it('an update to an unschedulable pod retries it only when its spec, labels or annotations changed', async () => {
    const c = clock();
    const q = new SchedulingQueue({ now: c.now });
    const p = pod('p');
    q.add(p);
    q.addUnschedulable((await q.pop())!, ['NodeAffinity']);
    c.advance(2000);
    const statusOnly = { ...p, status: { conditions: [{ type: 'PodScheduled', status: 'False' as const }] } };
    q.update(p, statusOnly);
    assert.equal(q.unschedulableCount, 1);
    const relabelled = { ...statusOnly, metadata: { ...p.metadata, labels: { x: 'y' } } };
    q.update(statusOnly, relabelled);
    assert.deepEqual([q.unschedulableCount, q.activeCount], [0, 1]);
    assert.deepEqual((await q.pop())!.pod.metadata.labels, { x: 'y' });
  });

  it('errors back off; a pod being scheduled is not queued twice; deleted pods leave every queue', async () => {
    const c = clock();
    const q = new SchedulingQueue({ now: c.now });
    const p = pod('p');
    q.add(p);
    const qp = (await q.pop())!;
    q.add(p);
    assert.equal(q.activeCount, 0);
    q.addBackoff(qp);
    assert.equal(q.backoffCount, 1);
    q.delete(p);
    assert.deepEqual([q.activeCount, q.backoffCount, q.unschedulableCount], [0, 0, 0]);
  });

  it('pop waits for a pod and returns undefined once closed', async () => {
    const q = new SchedulingQueue();
    const waiting = q.pop();
    q.add(pod('late'));
    assert.equal((await waiting)!.pod.metadata.name, 'late');
    const closed = q.pop();
    q.close();
    assert.equal(await closed, undefined);
  });
});
