// The node agent end to end: a real `skiff server` (with its controllers, so node-ipam runs), an
// isolated engine, and the Kubelet in process. Pods are created with spec.nodeName set.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Lease, Node, Pod } from '../../src/api/types/core-v1.ts';
import { cgroupDir } from '../../src/runtime/cgroups.ts';
import { kubectl, waitUntil } from './harness.ts';
import { busyboxPod, containerIdOf, podEvents, podsClient, running, startKubeletEnv, waitForPod, waitGone } from './kubelet-helpers.ts';
import type { KubeletEnv } from './kubelet-helpers.ts';

let t: KubeletEnv;

before(async () => {
  t = await startKubeletEnv('kl');
});

after(async () => {
  await t?.cleanup();
});

/** Deletes pods at once (they hold IPs of the test's small subnet). */
async function remove(...names: string[]): Promise<void> {
  for (const n of names) await podsClient(t.cs).delete('default', n, { gracePeriodSeconds: 0 });
  for (const n of names) await waitGone(t.cs, n);
}

async function exec(pod: Pod, container: string, argv: string[]): Promise<string> {
  const out = await t.engineEnv.engine.containers.exec(containerIdOf(pod, container), argv);
  return out.stdout.toString() + out.stderr.toString();
}

describe('node registration', () => {
  test('the node registers with capacity, allocatable, addresses, nodeInfo, Ready and a pod CIDR; its lease is renewed', async () => {
    const nodes = t.cs.resource<Node>('v1', 'nodes');
    let node = await nodes.get(undefined, t.nodeName);
    const st = node.status!;
    assert.match(st.capacity!.cpu!, /^\d+$/);
    assert.match(st.capacity!.memory!, /^\d+Ki$/);
    assert.equal(st.capacity!.pods, '110');
    assert.match(st.capacity!['ephemeral-storage']!, /^\d+Ki$/);
    assert.deepEqual(st.addresses, [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: t.nodeName }]);
    assert.equal(st.nodeInfo!.kubeletVersion, 'v1.33.0-skiff.0');
    assert.equal(st.nodeInfo!.containerRuntimeVersion, 'skiff://0.1.0');
    assert.equal(st.nodeInfo!.operatingSystem, 'linux');
    assert.equal(st.nodeInfo!.architecture, 'amd64');
    assert.ok(st.nodeInfo!.bootID.length > 0);
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      assert.ok(st.conditions!.some((c) => c.type === type), `condition ${type}`);
    }
    assert.equal(st.conditions!.find((c) => c.type === 'Ready')!.status, 'True');
    await waitUntil(async () => {
      node = await nodes.get(undefined, t.nodeName);
      return node.spec?.podCIDR !== undefined;
    }, 15_000, 'a pod CIDR from node-ipam');
    assert.match(node.spec!.podCIDR!, /^10\.42\.\d+\.0\/24$/);
    const leases = t.cs.resource<Lease>('coordination.k8s.io/v1', 'leases');
    const l1 = await leases.get('kube-node-lease', t.nodeName);
    assert.equal(l1.spec!.holderIdentity, t.nodeName);
    assert.equal(l1.spec!.leaseDurationSeconds, 40);
    await waitUntil(async () => (await leases.get('kube-node-lease', t.nodeName)).spec!.renewTime !== l1.spec!.renewTime, 10_000, 'lease renewal');
  });
});

describe('pod lifecycle', () => {
  test('Pods, assigned hostip: a pod goes Running with IPs, container status, conditions, QoS and events', async () => {
    await podsClient(t.cs).create('default', busyboxPod('web', t.nodeName, {
      containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'], resources: { requests: { cpu: '100m', memory: '32Mi' }, limits: { cpu: '100m', memory: '32Mi' } } }],
    }));
    const pod = await waitForPod(t.cs, 'web', (p) => running()(p) && p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true);
    const s = pod.status!;
    assert.equal(s.hostIP, '127.0.0.1');
    assert.deepEqual(s.hostIPs, [{ ip: '127.0.0.1' }]);
    assert.ok(s.podIP, 'podIP');
    const [net] = t.engineEnv.subnet.split('.').slice(0, 3).join('.').split('/');
    assert.ok(s.podIP.startsWith(net!), `${s.podIP} in ${t.engineEnv.subnet}`);
    assert.deepEqual(s.podIPs, [{ ip: s.podIP }]);
    assert.ok(s.startTime);
    assert.equal(s.qosClass, 'Guaranteed');
    const cst = s.containerStatuses![0]!;
    assert.equal(cst.ready, true);
    assert.equal(cst.started, true);
    assert.equal(cst.restartCount, 0);
    assert.equal(cst.image, 'docker.io/library/busybox:latest');
    assert.match(cst.imageID, /^docker\.io\/library\/busybox@sha256:[a-f0-9]{64}$/);
    assert.match(cst.containerID!, /^skiff:\/\/[a-f0-9]{64}$/);
    for (const type of ['PodReadyToStartContainers', 'Initialized', 'ContainersReady', 'Ready', 'PodScheduled']) {
      assert.equal(s.conditions!.find((c) => c.type === type)?.status, 'True', type);
    }
    // The cgroup limits were applied: memory.limit_in_bytes of the container.
    const mem = await exec(pod, 'main', ['cat', '/sys/fs/cgroup/memory/memory.limit_in_bytes']);
    assert.equal(mem.trim(), String(32 * 1024 * 1024));
    // And the pod cgroup's, the sum over the pod's containers (pkg/kubelet/cm ResourceConfigForPod).
    const podCgroup = `${t.engineEnv.cgroupRoot}/pod-${pod.metadata.uid}`;
    assert.equal(readFileSync(join(cgroupDir('memory', podCgroup)!, 'memory.limit_in_bytes'), 'utf8').trim(), String(32 * 1024 * 1024));
    assert.equal(readFileSync(join(cgroupDir('cpu', podCgroup)!, 'cpu.cfs_quota_us'), 'utf8').trim(), '10000');
    assert.equal(readFileSync(join(cgroupDir('cpu', podCgroup)!, 'cpu.shares'), 'utf8').trim(), '102');
    // /etc/hosts and resolv.conf managed by the kubelet (Kubelet, managed etc hosts).
    const hosts = await exec(pod, 'main', ['cat', '/etc/hosts']);
    assert.match(hosts, new RegExp(`^${s.podIP.replace(/\./g, '\\.')}\\tweb$`, 'm'));
    const resolv = await exec(pod, 'main', ['cat', '/etc/resolv.conf']);
    assert.match(resolv, /nameserver 10\.43\.0\.10/);
    assert.match(resolv, /search default\.svc\.cluster\.local svc\.cluster\.local cluster\.local/);
    await waitUntil(async () => {
      const reasons = (await podEvents(t.cs, 'web')).map((e) => e.reason);
      return ['Pulled', 'Created', 'Started'].every((r) => reasons.includes(r));
    }, 10_000, 'Pulled, Created and Started events');
    const ev = (await podEvents(t.cs, 'web')).find((e) => e.reason === 'Started')!;
    assert.deepEqual(ev.source, { component: 'kubelet', host: t.nodeName });
    assert.equal(ev.involvedObject.fieldPath, 'spec.containers{main}');
    const out = await kubectl('1.33', t.server, ['get', 'pods', 'web', '--no-headers']);
    assert.match(out.stdout, /^web\s+1\/1\s+Running\s+0\s/, out.stdout + out.stderr);
  });

  test('B1: two containers share one IP and hostname and talk over localhost', async () => {
    await podsClient(t.cs).create('default', busyboxPod('duo', t.nodeName, {
      containers: [
        { name: 'server', image: 'busybox', command: ['sh', '-c', 'while true; do echo hello-from-server | nc -l -p 8080; done'] },
        { name: 'client', image: 'busybox', command: ['sleep', '3600'] },
      ],
    }));
    const pod = await waitForPod(t.cs, 'duo', (p) => p.status?.containerStatuses?.every((c) => c.ready) === true && p.status.phase === 'Running');
    await waitUntil(async () => (await exec(pod, 'client', ['sh', '-c', 'nc 127.0.0.1 8080 </dev/null'])).includes('hello-from-server'), 10_000, 'localhost reply');
    const ipServer = await exec(pod, 'server', ['ip', '-4', '-o', 'addr', 'show', 'eth0']);
    const ipClient = await exec(pod, 'client', ['ip', '-4', '-o', 'addr', 'show', 'eth0']);
    assert.ok(ipServer.includes(pod.status!.podIP!), ipServer);
    assert.equal(ipServer, ipClient);
    assert.equal((await exec(pod, 'server', ['hostname'])).trim(), 'duo');
    assert.equal((await exec(pod, 'client', ['hostname'])).trim(), 'duo');
    await remove('duo');
  });

  test('B2: shareProcessNamespace: the pause process is PID 1 and containers see each other', async () => {
    await podsClient(t.cs).create('default', busyboxPod('shared-pid', t.nodeName, {
      shareProcessNamespace: true,
      containers: [
        { name: 'a', image: 'busybox', command: ['sleep', '3601'] },
        { name: 'b', image: 'busybox', command: ['sleep', '3602'] },
      ],
    }));
    const pod = await waitForPod(t.cs, 'shared-pid', (p) => p.status?.containerStatuses?.every((c) => c.ready) === true);
    const ps = await exec(pod, 'b', ['ps', '-o', 'pid,args']);
    assert.match(ps, /^\s*1\s+\/usr\/bin\/catatonit/m, ps);
    assert.match(ps, /sleep 3601/);
    assert.match(ps, /sleep 3602/);
    await remove('shared-pid');
  });

  test('B3: a sidecar reads what the main container writes to a shared emptyDir', async () => {
    await podsClient(t.cs).create('default', busyboxPod('sidecar', t.nodeName, {
      volumes: [{ name: 'logs', emptyDir: {} }],
      containers: [
        { name: 'web', image: 'busybox', command: ['sh', '-c', 'i=0; while true; do i=$((i+1)); echo "request $i" >> /var/log/web/access.log; sleep 0.2; done'], volumeMounts: [{ name: 'logs', mountPath: '/var/log/web' }] },
        { name: 'shipper', image: 'busybox', command: ['sh', '-c', 'tail -n +1 -F /logs/access.log'], volumeMounts: [{ name: 'logs', mountPath: '/logs', readOnly: true }] },
      ],
    }));
    const pod = await waitForPod(t.cs, 'sidecar', (p) => p.status?.containerStatuses?.every((c) => c.ready) === true);
    await waitUntil(async () => {
      let out = '';
      for await (const l of t.engineEnv.engine.containers.readLogs(containerIdOf(pod, 'shipper'))) out += `${l.content}\n`;
      return /request 3/.test(out);
    }, 15_000, 'the shipper to print what web wrote');
    const ro = await exec(pod, 'shipper', ['sh', '-c', 'touch /logs/x 2>&1; echo rc=$?']);
    assert.match(ro, /rc=1/, 'the sidecar\'s mount is read-only');
    await remove('sidecar');
  });

  test('Pod liveness probe, using local file, restart: a failing exec liveness probe restarts the container; readiness drives Ready', async () => {
    await podsClient(t.cs).create('default', busyboxPod('probed', t.nodeName, {
      containers: [{
        name: 'main', image: 'busybox', command: ['sh', '-c', 'touch /tmp/healthy; sleep 2; rm -f /tmp/healthy; sleep 3600'],
        livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1, failureThreshold: 1 },
        readinessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, periodSeconds: 1 },
      }],
    }));
    await waitForPod(t.cs, 'probed', (p) => p.status?.containerStatuses?.[0]?.ready === true, 30_000, 'ready');
    const pod = await waitForPod(t.cs, 'probed', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 60_000, 'a restart by liveness');
    assert.ok(pod.status!.containerStatuses![0]!.lastState!.terminated, 'the killed run is in lastState');
    const reasons = (await podEvents(t.cs, 'probed')).map((e) => e.reason);
    assert.ok(reasons.includes('Unhealthy'), reasons.join(','));
    await remove('probed');
  });

  test('B5: InitContainer, init containers run in order to completion before the app containers (init-container-starts-app-restartalways-pod)', async () => {
    await podsClient(t.cs).create('default', busyboxPod('inits', t.nodeName, {
      initContainers: [
        { name: 'init1', image: 'busybox', command: ['sh', '-c', 'sleep 1; echo one'] },
        { name: 'init2', image: 'busybox', command: ['sh', '-c', 'echo two'] },
      ],
    }));
    const pod = await waitForPod(t.cs, 'inits', running());
    const [i1, i2] = pod.status!.initContainerStatuses!;
    assert.equal(i1!.state!.terminated!.reason, 'Completed');
    assert.equal(i2!.state!.terminated!.reason, 'Completed');
    assert.equal(i1!.ready, true);
    assert.ok(i1!.state!.terminated!.finishedAt! <= i2!.state!.terminated!.startedAt!, 'init1 finished before init2 started');
    assert.ok(i2!.state!.terminated!.finishedAt! <= pod.status!.containerStatuses![0]!.state!.running!.startedAt!, 'init2 finished before main started');
    assert.equal(pod.status!.conditions!.find((c) => c.type === 'Initialized')!.status, 'True');
  });

  test('init-container-fails-stops-app-restartnever-pod: a failing init container fails the pod; the app never starts', async () => {
    await podsClient(t.cs).create('default', busyboxPod('init-fails', t.nodeName, {
      restartPolicy: 'Never',
      initContainers: [{ name: 'init1', image: 'busybox', command: ['sh', '-c', 'exit 3'] }],
    }));
    const pod = await waitForPod(t.cs, 'init-fails', (p) => p.status?.phase === 'Failed');
    assert.equal(pod.status!.initContainerStatuses![0]!.state!.terminated!.exitCode, 3);
    assert.equal(pod.status!.containerStatuses![0]!.state!.waiting!.reason, 'PodInitializing');
    assert.equal(pod.status!.containerStatuses![0]!.containerID, undefined);
  });

  test('Container Runtime, Restart Policy, Pod Phases: Never gives Succeeded or Failed', async () => {
    await podsClient(t.cs).create('default', busyboxPod('ok-once', t.nodeName, { restartPolicy: 'Never' }, 'exit 0'));
    await podsClient(t.cs).create('default', busyboxPod('fail-once', t.nodeName, { restartPolicy: 'Never' }, 'exit 2'));
    const ok = await waitForPod(t.cs, 'ok-once', (p) => p.status?.phase === 'Succeeded');
    assert.equal(ok.status!.containerStatuses![0]!.state!.terminated!.reason, 'Completed');
    const bad = await waitForPod(t.cs, 'fail-once', (p) => p.status?.phase === 'Failed');
    assert.equal(bad.status!.containerStatuses![0]!.state!.terminated!.exitCode, 2);
    assert.equal(bad.status!.containerStatuses![0]!.state!.terminated!.reason, 'Error');
    assert.equal(bad.status!.containerStatuses![0]!.restartCount, 0);
  });

  test('Container Runtime, TerminationMessage, from file of succeeding container; FallbackToLogsOnError', async () => {
    await podsClient(t.cs).create('default', busyboxPod('tmsg', t.nodeName, { restartPolicy: 'Never' }, 'echo -n DONE > /dev/termination-log'));
    await podsClient(t.cs).create('default', busyboxPod('tmsg-logs', t.nodeName, {
      restartPolicy: 'Never',
      containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo from-the-log; exit 1'], terminationMessagePolicy: 'FallbackToLogsOnError' }],
    }));
    const a = await waitForPod(t.cs, 'tmsg', (p) => p.status?.phase === 'Succeeded');
    assert.equal(a.status!.containerStatuses![0]!.state!.terminated!.message, 'DONE');
    const b = await waitForPod(t.cs, 'tmsg-logs', (p) => p.status?.phase === 'Failed');
    assert.equal(b.status!.containerStatuses![0]!.state!.terminated!.message, 'from-the-log\n');
  });

  test('D1: a crashing container goes CrashLoopBackOff and its restartCount grows', async () => {
    await podsClient(t.cs).create('default', busyboxPod('crasher', t.nodeName, {}, 'echo crash; exit 1'));
    let sawBackoff = false;
    const pod = await waitForPod(t.cs, 'crasher', (p) => {
      const c = p.status?.containerStatuses?.[0];
      if (c?.state?.waiting?.reason === 'CrashLoopBackOff') sawBackoff = true;
      return (c?.restartCount ?? 0) >= 2 && sawBackoff;
    }, 60_000, 'restartCount ≥ 2 after CrashLoopBackOff');
    const c = pod.status!.containerStatuses![0]!;
    assert.equal(c.lastState!.terminated!.exitCode, 1);
    assert.equal(c.lastState!.terminated!.reason, 'Error');
    const events = await podEvents(t.cs, 'crasher');
    const backoff = events.find((e) => e.reason === 'BackOff');
    assert.ok(backoff, 'BackOff event');
    // Repeats are aggregated into one event with a count.
    const started = events.filter((e) => e.reason === 'Started');
    assert.equal(started.length, 1);
    assert.ok(started[0]!.count! >= 2, `Started count ${started[0]!.count}`);
    await remove('crasher');
  });

  test('OOMKilled is reported in lastState', async () => {
    await podsClient(t.cs).create('default', busyboxPod('oom', t.nodeName, {
      containers: [{
        name: 'main', image: 'busybox', command: ['sh', '-c', 'x=$(head -c 200000000 /dev/zero | tr "\\0" a); echo survived'],
        resources: { limits: { memory: '32Mi' } },
      }],
    }));
    const pod = await waitForPod(t.cs, 'oom', (p) => p.status?.containerStatuses?.[0]?.lastState?.terminated !== undefined
      || p.status?.containerStatuses?.[0]?.state?.terminated !== undefined, 60_000, 'a terminated run');
    const c = pod.status!.containerStatuses![0]!;
    const term = c.lastState?.terminated ?? c.state!.terminated!;
    assert.equal(term.reason, 'OOMKilled');
    assert.equal(term.exitCode, 137);
    await remove('oom');
  });

  test('Pods, lifecycle: graceful deletion sends SIGTERM and the pod object goes', async () => {
    await podsClient(t.cs).create('default', busyboxPod('graceful', t.nodeName, { terminationGracePeriodSeconds: 30 },
      'trap "echo got-term; exit 0" TERM; while true; do sleep 0.1; done'));
    const pod = await waitForPod(t.cs, 'graceful', running());
    const id = containerIdOf(pod, 'main');
    await podsClient(t.cs).delete('default', 'graceful');
    // The grace period is 30 s: the pod is gone well before it only if SIGTERM ended the container.
    await waitGone(t.cs, 'graceful', 25_000);
    await waitUntil(async () => t.engineEnv.engine.containers.state(id).then(() => false, () => true), 10_000, 'the container to be removed');
    const reasons = (await podEvents(t.cs, 'graceful')).map((e) => e.reason);
    assert.ok(reasons.includes('Killing'), reasons.join(','));
  });

  test('kubectl delete --grace-period=0 --force removes the pod and its containers', async () => {
    await podsClient(t.cs).create('default', busyboxPod('forced', t.nodeName, { terminationGracePeriodSeconds: 60 }, 'trap "" TERM; while true; do sleep 1; done'));
    const pod = await waitForPod(t.cs, 'forced', running());
    const r = await kubectl('1.33', t.server, ['delete', 'pod', 'forced', '--grace-period=0', '--force']);
    assert.equal(r.code, 0, r.stderr);
    await waitGone(t.cs, 'forced', 5000);
    await waitUntil(async () => {
      try {
        await t.engineEnv.engine.sandboxes.status(pod.metadata.uid!);
        return false;
      } catch {
        return true;
      }
    }, 20_000, 'the sandbox to be removed');
  });

  test('D4: restarting the agent with pods running keeps the same containers, without restarts', async () => {
    await podsClient(t.cs).create('default', busyboxPod('survivor', t.nodeName));
    const before = await waitForPod(t.cs, 'survivor', running());
    const web = await podsClient(t.cs).get('default', 'web');
    const containersBefore = (await t.engineEnv.engine.containers.list()).map((c) => c.id).sort();
    await t.stopKubelet();
    // While the agent is down, the containers run on.
    const st = await t.engineEnv.engine.containers.state(containerIdOf(before, 'main'));
    assert.equal(st.status, 'running');
    await t.startKubelet();
    // Let the new agent sync every pod, then compare.
    await podsClient(t.cs).patch('default', 'survivor', 'merge', { metadata: { labels: { poked: 'yes' } } });
    await waitUntil(async () => (await podEvents(t.cs, 'survivor')).length > 0, 5000, 'events');
    await new Promise((r) => setTimeout(r, 2000));
    const after = await waitForPod(t.cs, 'survivor', running());
    assert.equal(after.status!.containerStatuses![0]!.containerID, before.status!.containerStatuses![0]!.containerID);
    assert.equal(after.status!.containerStatuses![0]!.restartCount, 0);
    const webAfter = await podsClient(t.cs).get('default', 'web');
    assert.equal(webAfter.status!.containerStatuses![0]!.containerID, web.status!.containerStatuses![0]!.containerID);
    const containersAfter = (await t.engineEnv.engine.containers.list()).map((c) => c.id).sort();
    // Only crash-looping pods may have replaced a run meanwhile; the running ones are untouched.
    for (const id of [containerIdOf(before, 'main'), containerIdOf(web, 'main')]) assert.ok(containersAfter.includes(id));
    assert.ok(containersBefore.length > 0);
  });
});
