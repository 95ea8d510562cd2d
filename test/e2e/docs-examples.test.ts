// Example manifests of the Kubernetes documentation (kubernetes/website content/en/examples, kept
// in fixtures/docs-examples with their source path), applied with the real kubectl 1.33 to a
// `skiff up` cluster, reach the state their documentation page describes. Images the examples pull
// from registries are replaced by skiff's offline busybox (said in each fixture's first line).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { RESOURCES } from '../../src/api/scheme.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import { kubectl } from './harness.ts';
import type { RunningServer } from './harness.ts';
import { startUpCluster } from './up-cluster.ts';
import type { UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const NS = 'docs';
const FIXTURES = join(import.meta.dirname, 'fixtures', 'docs-examples');
let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
let pods: Informer<Pod>;
const ac = new AbortController();
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };

async function k(args: string[], input?: string): Promise<string> {
  const r = await kubectl('1.33', server, ['-n', NS, ...args], input === undefined ? {} : { input });
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stdout}\n${r.stderr}\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

/** Waits for a pod event after which `find` answers; the pods' state goes into the failure. */
async function until<T>(find: () => T | undefined, what: string, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const found = find();
    if (found !== undefined && found !== false) return found;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${JSON.stringify([...pods.values()].map((p) => [p.metadata.name, p.status]), null, 1)}\n${server.logs().slice(-3000)}`);
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 1000); });
  }
}

/** `kubectl logs …` once it shows `text` (logs cannot be watched: polled every second). */
async function logsShowing(args: string[], text: string, timeoutMs = 60_000): Promise<string> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const out = await k(['logs', ...args]);
    if (out.includes(text)) return out;
    if (Date.now() > end) throw new Error(`kubectl logs ${args.join(' ')} never showed ${JSON.stringify(text)}:\n${out}`);
    await sleep(1000);
  }
}

const condition = (p: Pod, type: string): string | undefined => p.status?.conditions?.find((c) => c.type === type)?.status;
const pod = (name: string): Pod | undefined => pods.get(`${NS}/${name}`);
const podOf = (app: string): Pod | undefined => [...pods.values()].find((p) => p.metadata.labels?.app === app && !p.metadata.deletionTimestamp);

before(async () => {
  cluster = await startUpCluster({ label: 'docs', nodeName: `docs-${hex}`, cgroupRoot: `/skiff-e2e-docs-${hex}`, bridge: `skiffk${hex}`, subnetBase: 0 });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-docs-examples');
  pods = cs.informer<Pod>(RESOURCES.find((r) => r.group === '' && r.resource === 'pods')!, { namespace: NS });
  pods.addHandlers({ add: wake, update: wake, delete: wake });
  cs.start(ac.signal);
  await kubectl('1.33', server, ['create', 'namespace', NS]);
  await cs.waitForSync(ac.signal);
});

after(async () => {
  ac.abort();
  await cluster.stop();
});

describe('Kubernetes documentation examples', () => {
  test('application/web/web.yaml: the StatefulSet mounting its volumeClaimTemplate and the headless Service are created', async () => {
    // Creation and validation only: no StatefulSet controller runs pods for it yet.
    const out = await k(['apply', '-f', join(FIXTURES, 'web.yaml')]);
    assert.match(out, /service\/nginx created/);
    assert.match(out, /statefulset\.apps\/web created/);
    const sts = JSON.parse(await k(['get', 'statefulset', 'web', '-o', 'json']));
    assert.equal(sts.spec.volumeClaimTemplates[0].metadata.name, 'www');
    assert.equal(sts.spec.template.spec.containers[0].volumeMounts[0].name, 'www');
    assert.equal(JSON.parse(await k(['get', 'service', 'nginx', '-o', 'json'])).spec.clusterIP, 'None');
  });

  test('pods/inject/dapi-envars-pod.yaml: spec.serviceAccountName is defaulted, so the env var prints default', async () => {
    await k(['apply', '-f', join(FIXTURES, 'dapi-envars-pod.yaml')]);
    const p = await until(() => { const x = pod('dapi-envars-fieldref'); return x?.status?.phase === 'Running' && x.status.podIP ? x : undefined; }, 'dapi-envars-fieldref Running');
    assert.equal(p.spec?.serviceAccountName, 'default');
    assert.equal(p.spec?.serviceAccount, 'default');
    const out = await logsShowing(['dapi-envars-fieldref'], 'default');
    const lines = out.split('\n').filter((l) => l !== '');
    assert.deepEqual(lines.slice(0, 5), [`docs-${hex}`, 'dapi-envars-fieldref', NS, p.status!.podIP!, 'default']);
  });

  test('pods/security/security-context.yaml: the emptyDir is group 2000 with setgid, new files too; the process runs as 1000 in group 2000', async () => {
    await k(['apply', '-f', join(FIXTURES, 'security-context.yaml')]);
    await until(() => pod('security-context-demo')?.status?.phase === 'Running' || undefined, 'security-context-demo Running');
    // The documentation shows `drwxrwsrwx 2 root 2000 … demo` and `-rw-r--r-- 1 1000 2000 6 … testfile`.
    const dir = await k(['exec', 'security-context-demo', '--', 'ls', '-ln', '/data']);
    assert.match(dir, /^drwxrwsrwx\s+\d+\s+0\s+2000\s+.*\bdemo$/m);
    const file = await k(['exec', 'security-context-demo', '--', 'sh', '-c', 'cd /data/demo && echo hello > testfile && ls -ln testfile']);
    assert.match(file, /^-rw-r--r--\s+1\s+1000\s+2000\s+6\s+.*testfile$/m);
    // Without runAsGroup the primary group stays 0; fsGroup is a supplementary group.
    const id = await k(['exec', 'security-context-demo', '--', 'id']);
    assert.match(id, /^uid=1000\b.* gid=0\b.* groups=.*\b2000\b/m);
    const ps = await k(['exec', 'security-context-demo', '--', 'ps']);
    assert.match(ps, /^\s*1\s+1000\s+.*sleep 1h/m);
  });

  test('application/deployment-sidecar.yaml: the sidecar runs beside the app (Initialized, 2/2 Ready), reads its log, and is restarted when it stops', async () => {
    await k(['apply', '-f', join(FIXTURES, 'deployment-sidecar.yaml')]);
    const p = await until(() => {
      const x = podOf('myapp');
      return x && condition(x, 'Initialized') === 'True' && condition(x, 'Ready') === 'True' && x.status?.containerStatuses?.[0]?.state?.running ? x : undefined;
    }, 'a myapp pod Initialized and Ready');
    const name = p.metadata.name!;
    assert.equal(p.status?.phase, 'Running');
    const sidecar = p.status.initContainerStatuses![0]!;
    assert.equal(sidecar.name, 'logshipper');
    assert.ok(sidecar.state?.running, JSON.stringify(sidecar));
    assert.equal(sidecar.started, true);
    assert.equal(sidecar.ready, true);
    assert.match(await k(['get', 'pod', name]), new RegExp(`^${name}\\s+2/2\\s+Running\\s+0\\s`, 'm'));
    // The sidecar tails what the app container writes to the shared emptyDir.
    await logsShowing([name, '-c', 'logshipper'], 'logging');

    // The sidecar's process ends: it is started again, the app container keeps running.
    const engine = await cluster.engine();
    await engine.containers.stop(sidecar.containerID!.replace(/^skiff:\/\//, ''), 0);
    const again = await until(() => {
      const x = pod(name);
      const s = x?.status?.initContainerStatuses?.[0];
      return s?.restartCount === 1 && s.state?.running && condition(x!, 'Ready') === 'True' ? x : undefined;
    }, 'the sidecar restarted and the pod Ready again');
    assert.equal(again.status!.containerStatuses![0]!.restartCount, 0);
    assert.ok(again.status!.containerStatuses![0]!.state?.running);
    assert.equal(condition(again, 'Initialized'), 'True');
    assert.ok(again.status!.initContainerStatuses![0]!.lastState?.terminated, 'the stopped run is the last state');
  });

  test('pods/multi-container/startup-coordination.yaml: the app starts only once the sidecar passed its startup probe, and reads what it wrote', async () => {
    await k(['apply', '-f', join(FIXTURES, 'startup-coordination.yaml')]);
    const p = await until(() => {
      const x = pod('startup-coordination-example');
      return x && condition(x, 'Ready') === 'True' && x.status?.containerStatuses?.[0]?.state?.running ? x : undefined;
    }, 'startup-coordination-example Ready');
    const sidecar = p.status!.initContainerStatuses![0]!;
    assert.deepEqual([sidecar.started, sidecar.ready, sidecar.restartCount], [true, true, 0]);
    assert.equal(condition(p, 'Initialized'), 'True');
    // The app container was created only after the probe found the file.
    assert.ok(Date.parse(p.status!.containerStatuses![0]!.state!.running!.startedAt!) >= Date.parse(sidecar.state!.running!.startedAt!));
    assert.equal(await k(['logs', 'startup-coordination-example', '-c', 'main-app']), 'greeting=hello\n');
  });

  test('sidecars stop after the app container, the later one first, and the pod then Succeeds (restartPolicy Never)', async () => {
    // Each sidecar, on SIGTERM, records who stopped before it as its termination message.
    const sidecar = (name: string): string => `
  - name: ${name}
    image: busybox
    restartPolicy: Always
    command: [sh, -c, "trap 'cat /shared/order > /dev/termination-log; echo ${name} >> /shared/order; exit 0' TERM; while true; do sleep 1; done"]
    volumeMounts: [{ name: shared, mountPath: /shared }]`;
    await k(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: { name: sidecar-order }
spec:
  restartPolicy: Never
  volumes: [{ name: shared, emptyDir: {} }]
  initContainers:${sidecar('first')}${sidecar('second')}
  containers:
  - name: app
    image: busybox
    command: [sh, -c, "sleep 2; echo app >> /shared/order"]
    volumeMounts: [{ name: shared, mountPath: /shared }]
`);
    const done = await until(() => { const x = pod('sidecar-order'); return x?.status?.phase === 'Succeeded' ? x : undefined; }, 'sidecar-order Succeeded');
    const term = (n: string) => done.status!.initContainerStatuses!.find((s) => s.name === n)!.state!.terminated!;
    assert.equal(done.status!.containerStatuses![0]!.state!.terminated!.exitCode, 0);
    assert.equal(term('second').message, 'app\n');
    assert.equal(term('first').message, 'app\nsecond\n');
    assert.equal(condition(done, 'Initialized'), 'True');
  });

  test('InitContainer, regular init containers still run in order to completion, around a sidecar; a failing one fails a Never pod', async () => {
    await k(['apply', '-f', '-'], `apiVersion: v1
kind: Pod
metadata: { name: init-order }
spec:
  terminationGracePeriodSeconds: 1
  volumes: [{ name: shared, emptyDir: {} }]
  initContainers:
  - { name: one, image: busybox, command: [sh, -c, "echo one >> /shared/order"], volumeMounts: [{ name: shared, mountPath: /shared }] }
  - { name: side, image: busybox, restartPolicy: Always, command: [sh, -c, "echo side >> /shared/order; exec sleep 3600"], volumeMounts: [{ name: shared, mountPath: /shared }] }
  - { name: two, image: busybox, command: [sh, -c, "sleep 1; echo two >> /shared/order"], volumeMounts: [{ name: shared, mountPath: /shared }] }
  containers:
  - { name: app, image: busybox, command: [sh, -c, "echo app >> /shared/order; exec sleep 3600"], volumeMounts: [{ name: shared, mountPath: /shared }] }
---
apiVersion: v1
kind: Pod
metadata: { name: init-fails }
spec:
  restartPolicy: Never
  initContainers:
  - { name: bad, image: busybox, command: [sh, -c, "exit 3"] }
  containers:
  - { name: app, image: busybox, command: [sleep, "3600"] }
`);
    await until(() => { const x = pod('init-order'); return x && condition(x, 'Ready') === 'True' ? x : undefined; }, 'init-order Ready');
    assert.equal(await k(['exec', 'init-order', '-c', 'app', '--', 'cat', '/shared/order']), 'one\nside\ntwo\napp\n');
    assert.match(await k(['get', 'pod', 'init-order']), /init-order\s+2\/2\s+Running\s+0\s/);
    const failed = await until(() => { const x = pod('init-fails'); return x?.status?.phase === 'Failed' ? x : undefined; }, 'init-fails Failed');
    assert.equal(failed.status!.initContainerStatuses![0]!.state!.terminated!.exitCode, 3);
    assert.equal(failed.status!.containerStatuses![0]!.state!.waiting!.reason, 'PodInitializing');
    assert.equal(condition(failed, 'Initialized'), 'False');
  });
});
