// The Job, TTL-after-finished and CronJob controllers under `skiff up`, with real busybox
// containers and the real kubectl. A pod informer records, at every pod event, how many of a
// Job's pods are active, so parallelism is checked on what really ran.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { CronJob, Job } from '../../src/api/types/batch-v1.ts';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import { kubectl } from './harness.ts';
import type { RunningServer } from './harness.ts';
import { startUpCluster } from './up-cluster.ts';
import type { UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const NS = 'jobs';
let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
const ac = new AbortController();
let pods: Informer<Pod>;
let jobs: Informer<Job>;
let cronJobs: Informer<CronJob>;
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };
/** Most active pods seen at once, per job-name label. */
const maxActive = new Map<string, number>();

async function k(args: string[], o: { input?: string; version?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await kubectl(o.version ?? '1.33', server, args, { ...(o.input === undefined ? {} : { input: o.input }), ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}) });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stdout}\n${r.stderr}\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

async function until(cond: () => boolean, what: string, timeoutMs = 90_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${JSON.stringify([...jobs.values()].map((j) => [j.metadata.name, j.status]))}\n${server.logs().slice(-2000)}`);
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 500); });
  }
}

const job = (name: string): Job | undefined => jobs.get(`${NS}/${name}`);
const cond = (name: string, type: string): { status?: string; reason?: string; message?: string } | undefined => job(name)?.status?.conditions?.find((c) => c.type === type);
const podsOf = (name: string): Pod[] => [...pods.values()].filter((p) => p.metadata.labels?.['batch.kubernetes.io/job-name'] === name);
const active = (p: Pod): boolean => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

function jobYaml(name: string, o: { command: string; completions?: number; parallelism?: number; backoffLimit?: number; indexed?: boolean; extra?: string; restart?: string }): string {
  return `apiVersion: batch/v1
kind: Job
metadata: { name: ${name}, namespace: ${NS} }
spec:
  ${o.completions !== undefined ? `completions: ${o.completions}` : ''}
  ${o.parallelism !== undefined ? `parallelism: ${o.parallelism}` : ''}
  ${o.backoffLimit !== undefined ? `backoffLimit: ${o.backoffLimit}` : ''}
  ${o.indexed ? 'completionMode: Indexed' : ''}
  ${o.extra ?? ''}
  template:
    spec:
      restartPolicy: ${o.restart ?? 'Never'}
      terminationGracePeriodSeconds: 1
      containers:
      - name: main
        image: busybox
        command: ["sh", "-c", ${JSON.stringify(o.command)}]
`;
}

before(async () => {
  cluster = await startUpCluster({ label: 'jobs', nodeName: `jobs-${hex}`, cgroupRoot: `/skiff-e2e-jobs-${hex}`, bridge: `skiffj${hex}`, subnetBase: 16 });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-jobs');
  pods = cs.informer<Pod>({ group: '', version: 'v1', resource: 'pods', namespaced: true }, { namespace: NS });
  jobs = cs.informer<Job>({ group: 'batch', version: 'v1', resource: 'jobs', namespaced: true }, { namespace: NS });
  cronJobs = cs.informer<CronJob>({ group: 'batch', version: 'v1', resource: 'cronjobs', namespaced: true }, { namespace: NS });
  const podEvent = (p: Pod): void => {
    const name = p.metadata.labels?.['batch.kubernetes.io/job-name'];
    if (name) maxActive.set(name, Math.max(maxActive.get(name) ?? 0, podsOf(name).filter(active).length));
    wake();
  };
  pods.addHandlers({ add: podEvent, update: (_o, p) => podEvent(p), delete: podEvent });
  jobs.addHandlers({ add: wake, update: wake, delete: wake });
  cronJobs.addHandlers({ add: wake, update: wake, delete: wake });
  cs.start(ac.signal);
  await k(['create', 'namespace', NS]);
  await cs.waitForSync(ac.signal);
});

after(async () => {
  ac.abort();
  await kubectl('1.33', server, ['delete', 'namespace', NS, '--wait=false']).catch(() => undefined);
  await cluster.stop();
});

describe('Job controller', () => {
  test('5 completions, parallelism 2: never more than 2 active, Complete, kubectl wait (Jobs, should run a job to completion when tasks succeed)', { timeout: 180_000 }, async () => {
    await k(['apply', '-f', '-'], { input: jobYaml('five', { command: 'sleep 1', completions: 5, parallelism: 2 }) });
    await k(['wait', '--for=condition=complete', 'job/five', '-n', NS, '--timeout=150s'], { timeoutMs: 160_000 });
    await until(() => job('five')?.status?.succeeded === 5, 'five: succeeded 5');
    const j = job('five')!;
    assert.equal(maxActive.get('five'), 2, 'at most 2 pods active at once');
    assert.equal(j.status?.active ?? 0, 0);
    assert.ok(j.status?.startTime && j.status.completionTime);
    assert.equal(cond('five', 'SuccessCriteriaMet')?.status, 'True');
    assert.equal(cond('five', 'Complete')?.reason, 'CompletionsReached');
    assert.deepEqual(j.status?.uncountedTerminatedPods ?? {}, {});
    const mine = podsOf('five');
    assert.equal(mine.filter((p) => p.status?.phase === 'Succeeded').length, 5);
    assert.ok(mine.every((p) => !p.metadata.finalizers?.includes('batch.kubernetes.io/job-tracking')), 'tracking finalizers removed');
    assert.ok(mine.every((p) => p.metadata.labels?.['batch.kubernetes.io/controller-uid'] === j.metadata.uid));
    const described = await k(['describe', 'job', 'five', '-n', NS]);
    assert.match(described, /SuccessfulCreate\s+.*Created pod: five-/);
    assert.match(described, /Completed\s+.*Job completed/);
    // kubectl 1.27 reads the same status.
    assert.match(await k(['get', 'job', 'five', '-n', NS], { version: '1.27' }), /^five\s+(Complete\s+)?5\/5\s/m);
  });

  test('Indexed: each pod prints its index and has hostname NAME-INDEX (Ensure Pods of an Indexed Job get a unique index.)', { timeout: 180_000 }, async () => {
    await k(['apply', '-f', '-'], { input: jobYaml('idx', { command: 'echo index=$JOB_COMPLETION_INDEX host=$(hostname)', completions: 3, parallelism: 3, indexed: true }) });
    await k(['wait', '--for=condition=complete', 'job/idx', '-n', NS, '--timeout=150s'], { timeoutMs: 160_000 });
    await until(() => job('idx')?.status?.completedIndexes === '0-2', 'idx: completedIndexes 0-2');
    const seen = new Set<string>();
    for (const p of podsOf('idx')) {
      const ix = p.metadata.annotations?.['batch.kubernetes.io/job-completion-index'];
      assert.equal(p.metadata.labels?.['batch.kubernetes.io/job-completion-index'], ix);
      assert.ok(p.metadata.name?.startsWith(`idx-${ix}-`));
      const log = await k(['logs', p.metadata.name!, '-n', NS]);
      assert.equal(log.trim(), `index=${ix} host=idx-${ix}`);
      seen.add(ix!);
    }
    assert.deepEqual([...seen].sort(), ['0', '1', '2']);
  });

  test('a failing Job is Failed after backoffLimit, after one 10 s backoff (Jobs, should fail when exceeds backoffLimit)', { timeout: 180_000 }, async () => {
    await k(['apply', '-f', '-'], { input: jobYaml('fails', { command: 'exit 1', backoffLimit: 1 }) });
    await until(() => cond('fails', 'Failed')?.status === 'True', 'fails: Failed', 150_000);
    assert.equal(cond('fails', 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(cond('fails', 'FailureTarget')?.reason, 'BackoffLimitExceeded');
    assert.equal(job('fails')?.status?.failed, 2);
    const failed = podsOf('fails').filter((p) => p.status?.phase === 'Failed').sort((a, b) => Date.parse(a.metadata.creationTimestamp!) - Date.parse(b.metadata.creationTimestamp!));
    assert.equal(failed.length, 2);
    // The replacement waited for the backoff after the first failure.
    const firstFinished = Date.parse(failed[0]!.status!.containerStatuses![0]!.state!.terminated!.finishedAt!);
    assert.ok(Date.parse(failed[1]!.metadata.creationTimestamp!) - firstFinished >= 9_000, 'second pod created ≥ 10 s after the first failed');
    assert.match(await k(['describe', 'job', 'fails', '-n', NS]), /BackoffLimitExceeded\s+.*Job has reached the specified backoff limit/);
  });

  test('podFailurePolicy FailJob on exit code 42 ends the Job at once (Verify Pod Failure policy allows to fail job early on exit code.)', { timeout: 120_000 }, async () => {
    await k(['apply', '-f', '-'], {
      input: jobYaml('exit42', {
        command: 'exit 42', backoffLimit: 6,
        extra: 'podFailurePolicy: { rules: [ { action: FailJob, onExitCodes: { containerName: main, operator: In, values: [42] } } ] }',
      }),
    });
    await until(() => cond('exit42', 'Failed')?.status === 'True', 'exit42: Failed');
    const c = cond('exit42', 'Failed')!;
    assert.equal(c.reason, 'PodFailurePolicy');
    assert.match(c.message ?? '', /^Container main for pod jobs\/exit42-\S+ failed with exit code 42 matching FailJob rule at index 0$/);
    assert.equal(job('exit42')?.status?.failed, 1);
    assert.equal(podsOf('exit42').length, 1, 'no retry');
  });

  test('activeDeadlineSeconds fails the Job and stops its pods (Jobs, should fail to exceed active deadline)', { timeout: 120_000 }, async () => {
    await k(['apply', '-f', '-'], { input: jobYaml('deadline', { command: 'sleep 3600', extra: 'activeDeadlineSeconds: 3' }) });
    await until(() => cond('deadline', 'Failed')?.status === 'True', 'deadline: Failed');
    assert.equal(cond('deadline', 'Failed')?.reason, 'DeadlineExceeded');
    assert.equal(cond('deadline', 'Failed')?.message, 'Job was active longer than specified deadline');
    await until(() => podsOf('deadline').every((p) => !active(p)), 'deadline: pods stopped');
    assert.equal(job('deadline')?.status?.active ?? 0, 0);
  });

  test('suspend deletes the pods and sets Suspended; resume starts again (Jobs, manage lifecycle: suspend and resume)', { timeout: 120_000 }, async () => {
    await k(['apply', '-f', '-'], { input: jobYaml('pause', { command: 'sleep 3600' }) });
    await until(() => podsOf('pause').some(active), 'pause: a pod');
    await k(['patch', 'job', 'pause', '-n', NS, '--type=merge', '-p', '{"spec":{"suspend":true}}']);
    await until(() => cond('pause', 'Suspended')?.status === 'True' && podsOf('pause').filter(active).length === 0, 'pause: suspended, no active pod');
    assert.equal(cond('pause', 'Suspended')?.reason, 'JobSuspended');
    await k(['patch', 'job', 'pause', '-n', NS, '--type=merge', '-p', '{"spec":{"suspend":false}}']);
    await until(() => cond('pause', 'Suspended')?.status === 'False' && podsOf('pause').some(active), 'pause: resumed');
    assert.equal(cond('pause', 'Suspended')?.reason, 'JobResumed');
    await k(['delete', 'job', 'pause', '-n', NS, '--wait=false']);
  });
});

describe('TTL-after-finished controller', () => {
  test('ttlSecondsAfterFinished deletes the finished Job and its pods (Jobs, should delete a job after ttlSecondsAfterFinished)', { timeout: 120_000 }, async () => {
    await k(['apply', '-f', '-'], { input: jobYaml('ttl', { command: 'true', extra: 'ttlSecondsAfterFinished: 1' }) });
    let sawComplete = false;
    await until(() => {
      if (cond('ttl', 'Complete')?.status === 'True') sawComplete = true;
      return sawComplete && !job('ttl') && podsOf('ttl').length === 0;
    }, 'ttl: job and pods gone');
  });
});

describe('CronJob controller', () => {
  test('*/1 starts a Job named by the minute; create job --from works (CronJob AllowConcurrent; CronJob Suspend)', { timeout: 150_000 }, async () => {
    await k(['create', 'cronjob', 'tick', '-n', NS, '--image=busybox', '--schedule=*/1 * * * *', '--', 'echo', 'tick']);
    // kubectl create job --from only needs the API: the Job copies the template and names its owner.
    await k(['create', 'job', 'manual', '-n', NS, '--from=cronjob/tick']);
    await until(() => cond('manual', 'Complete')?.status === 'True', 'manual: Complete');
    assert.equal(job('manual')?.metadata.annotations?.['cronjob.kubernetes.io/instantiate'], 'manual');
    const cj = cronJobs.get(`${NS}/tick`)!;
    assert.equal(job('manual')?.metadata.ownerReferences?.[0]?.uid, cj.metadata.uid);
    // The next minute boundary (at most ~60 s away) brings the scheduled Job.
    const scheduled = (): Job | undefined => [...jobs.values()].find((j) => /^tick-\d+$/.test(j.metadata.name ?? ''));
    await until(() => scheduled() !== undefined, 'tick: scheduled job', 100_000);
    const j = scheduled()!;
    const minutes = Number(j.metadata.name!.slice('tick-'.length));
    assert.equal(j.metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(minutes * 60_000).toISOString().replace('.000Z', 'Z'));
    assert.equal(j.metadata.ownerReferences?.[0]?.kind, 'CronJob');
    await until(() => cronJobs.get(`${NS}/tick`)?.status?.lastScheduleTime === new Date(minutes * 60_000).toISOString().replace('.000Z', 'Z'), 'tick: lastScheduleTime');
    await until(() => cronJobs.get(`${NS}/tick`)?.status?.lastSuccessfulTime !== undefined, 'tick: lastSuccessfulTime', 100_000);
    await k(['patch', 'cronjob', 'tick', '-n', NS, '--type=merge', '-p', '{"spec":{"suspend":true}}']);
    assert.match(await k(['get', 'cronjob', 'tick', '-n', NS]), /^tick\s+\*\/1 \* \* \* \*\s/m);
  });
});
