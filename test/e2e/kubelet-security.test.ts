// The node agent's container settings on the real kernel: securityContext, imagePullPolicy errors
// and postStart hooks.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { waitUntil } from './harness.ts';
import { busyboxPod, containerIdOf, podEvents, podsClient, running, startKubeletEnv, waitForPod } from './kubelet-helpers.ts';
import type { KubeletEnv } from './kubelet-helpers.ts';

let t: KubeletEnv;

before(async () => {
  t = await startKubeletEnv('ksec');
});

after(async () => {
  await t?.cleanup();
});

async function exec(pod: Pod, argv: string[]): Promise<string> {
  const out = await t.engineEnv.engine.containers.exec(containerIdOf(pod, 'main'), argv);
  return out.stdout.toString() + out.stderr.toString();
}

async function remove(name: string): Promise<void> {
  await podsClient(t.cs).delete('default', name, { gracePeriodSeconds: 0 });
}

test('Security Context, runAsUser=65534 and RunAsGroup at pod level', async () => {
  await podsClient(t.cs).create('default', busyboxPod('as-nobody', t.nodeName, { securityContext: { runAsUser: 65534, runAsGroup: 65533 } }));
  const pod = await waitForPod(t.cs, 'as-nobody', running());
  assert.equal((await exec(pod, ['id', '-u'])).trim(), '65534');
  assert.equal((await exec(pod, ['id', '-g'])).trim(), '65533');
  await remove('as-nobody');
});

test('runAsNonRoot with an image that runs as root: CreateContainerConfigError', async () => {
  await podsClient(t.cs).create('default', busyboxPod('nonroot', t.nodeName, { securityContext: { runAsNonRoot: true } }));
  const pod = await waitForPod(t.cs, 'nonroot', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError');
  assert.equal(pod.status!.containerStatuses![0]!.state!.waiting!.message, 'container has runAsNonRoot and image will run as root');
  await remove('nonroot');
});

test('Kubelet, pod with read only root file system; allowPrivilegeEscalation=false; capabilities drop ALL', async () => {
  await podsClient(t.cs).create('default', busyboxPod('locked', t.nodeName, {
    containers: [{
      name: 'main', image: 'busybox', command: ['sleep', '3600'],
      securityContext: { readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
    }],
  }));
  const pod = await waitForPod(t.cs, 'locked', running());
  assert.match(await exec(pod, ['sh', '-c', 'touch /file 2>&1; echo rc=$?']), /Read-only file system[\s\S]*rc=1/);
  const status = await exec(pod, ['cat', '/proc/self/status']);
  assert.match(status, /^NoNewPrivs:\s+1$/m);
  assert.match(status, /^CapEff:\s+0+$/m);
  // The kubelet's own files stay writable where upstream makes them so (resolv.conf is a bind mount).
  assert.match(await exec(pod, ['cat', '/etc/resolv.conf']), /nameserver/);
  await remove('locked');
});

test('capabilities add: NET_ADMIN lets the container change its network', async () => {
  await podsClient(t.cs).create('default', busyboxPod('netadmin', t.nodeName, {
    containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'], securityContext: { capabilities: { add: ['NET_ADMIN'] } } }],
  }));
  const pod = await waitForPod(t.cs, 'netadmin', running());
  assert.match(await exec(pod, ['sh', '-c', 'ip link set lo mtu 65536 && echo changed']), /changed/);
  const capEff = /^CapEff:\s+([0-9a-f]+)$/m.exec(await exec(pod, ['cat', '/proc/self/status']))![1]!;
  assert.ok((BigInt(`0x${capEff}`) & (1n << 12n)) !== 0n, `CAP_NET_ADMIN in ${capEff}`);
  await remove('netadmin');
});

test('imagePullPolicy Never with a missing image: ErrImageNeverPull', async () => {
  await podsClient(t.cs).create('default', busyboxPod('never', t.nodeName, {
    containers: [{ name: 'main', image: 'registry.invalid/nothing:1', imagePullPolicy: 'Never' }],
  }));
  const pod = await waitForPod(t.cs, 'never', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImageNeverPull');
  assert.match(pod.status!.containerStatuses![0]!.state!.waiting!.message!, /is not present with pull policy of Never/);
  await remove('never');
});

test('a pull that fails: ErrImagePull, then ImagePullBackOff', async () => {
  // A loopback registry that refuses connections: no traffic leaves the machine.
  await podsClient(t.cs).create('default', busyboxPod('nopull', t.nodeName, {
    containers: [{ name: 'main', image: '127.0.0.1:1/nothing:1', imagePullPolicy: 'IfNotPresent' }],
  }));
  await waitForPod(t.cs, 'nopull', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ErrImagePull');
  await waitForPod(t.cs, 'nopull', (p) => p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'ImagePullBackOff');
  const reasons = (await podEvents(t.cs, 'nopull')).map((e) => e.reason);
  assert.ok(reasons.includes('Pulling') && reasons.includes('Failed') && reasons.includes('BackOff'), reasons.join(','));
  await remove('nopull');
});

test('Pod Lifecycle, post start exec hook; a failing postStart hook kills the container (FailedPostStartHook)', async () => {
  await podsClient(t.cs).create('default', busyboxPod('hooked', t.nodeName, {
    containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'echo started > /tmp/poststart'] } } } }],
  }));
  const pod = await waitForPod(t.cs, 'hooked', running());
  await waitUntil(async () => (await exec(pod, ['cat', '/tmp/poststart'])).trim() === 'started', 10_000, 'the hook\'s file');
  await remove('hooked');
  await podsClient(t.cs).create('default', busyboxPod('badhook', t.nodeName, {
    containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'], lifecycle: { postStart: { exec: { command: ['sh', '-c', 'exit 7'] } } } }],
  }));
  await waitForPod(t.cs, 'badhook', (p) => (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 30_000, 'a restart after the failed hook');
  const reasons = (await podEvents(t.cs, 'badhook')).map((e) => e.reason);
  assert.ok(reasons.includes('FailedPostStartHook'), reasons.join(','));
  await remove('badhook');
});

test('Pods, ActiveDeadlineSeconds: past the deadline the pod fails with DeadlineExceeded and its containers stop', async () => {
  await podsClient(t.cs).create('default', busyboxPod('deadline', t.nodeName, { activeDeadlineSeconds: 2 }));
  const pod = await waitForPod(t.cs, 'deadline', (p) => p.status?.phase === 'Failed', 30_000, 'Failed');
  assert.equal(pod.status!.reason, 'DeadlineExceeded');
  assert.ok(pod.status!.containerStatuses![0]!.state!.terminated, 'the container stopped');
  await remove('deadline');
});

test('hostNetwork: the pod uses the node\'s network and reports the node IP as its own', async () => {
  await podsClient(t.cs).create('default', busyboxPod('hostnet', t.nodeName, { hostNetwork: true }));
  const pod = await waitForPod(t.cs, 'hostnet', running());
  assert.equal(pod.status!.podIP, '127.0.0.1');
  const inode = (await exec(pod, ['readlink', '/proc/self/ns/net'])).trim();
  const { readlinkSync } = await import('node:fs');
  assert.equal(inode, readlinkSync('/proc/self/ns/net'));
  await remove('hostnet');
});

test('Pod Lifecycle, prestop http hook and prestop exec hook: run before the container is stopped', async () => {
  await podsClient(t.cs).create('default', busyboxPod('receiver', t.nodeName, {}, 'while true; do printf "HTTP/1.1 200 OK\\r\\nContent-Length: 0\\r\\nConnection: close\\r\\n\\r\\n" | nc -l -p 8080; done'));
  const receiver = await waitForPod(t.cs, 'receiver', running());
  const ip = receiver.status!.podIP!;
  await podsClient(t.cs).create('default', busyboxPod('stopper', t.nodeName, {
    terminationGracePeriodSeconds: 15,
    containers: [
      { name: 'main', image: 'busybox', command: ['sleep', '3600'], lifecycle: { preStop: { httpGet: { host: ip, port: 8080, path: '/prestop-http' } } } },
      { name: 'other', image: 'busybox', command: ['sleep', '3600'], lifecycle: { preStop: { exec: { command: ['sh', '-c', `wget -q -O /dev/null http://${ip}:8080/prestop-exec`] } } } },
    ],
  }));
  await waitForPod(t.cs, 'stopper', (p) => p.status?.containerStatuses?.every((c) => c.ready) === true);
  await podsClient(t.cs).delete('default', 'stopper');
  const logs = async (): Promise<string> => {
    let out = '';
    for await (const l of t.engineEnv.engine.containers.readLogs(containerIdOf(receiver, 'main'))) out += `${l.content}\n`;
    return out;
  };
  await waitUntil(async () => {
    const out = await logs();
    return out.includes('GET /prestop-http') && out.includes('GET /prestop-exec');
  }, 20_000, 'both preStop requests at the receiver');
  await remove('receiver');
});

test('a pod whose sandbox died gets a new one (SandboxChanged) and its containers count a restart', async () => {
  await podsClient(t.cs).create('default', busyboxPod('resandbox', t.nodeName));
  const pod = await waitForPod(t.cs, 'resandbox', running());
  const sb = await t.engineEnv.engine.sandboxes.status(pod.metadata.uid!);
  await t.engineEnv.engine.containers.kill(sb.pauseContainerId!, 'KILL');
  const again = await waitForPod(t.cs, 'resandbox', (p) => running()(p) && (p.status?.containerStatuses?.[0]?.restartCount ?? 0) >= 1, 30_000, 'running again in a new sandbox');
  assert.notEqual(containerIdOf(again, 'main'), containerIdOf(pod, 'main'));
  const reasons = (await podEvents(t.cs, 'resandbox')).map((e) => e.reason);
  assert.ok(reasons.includes('SandboxChanged'), reasons.join(','));
  await remove('resandbox');
});
