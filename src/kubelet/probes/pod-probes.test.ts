import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import type { Pod } from '../../api/types/core-v1.ts';
import { ManualClock } from './clock.ts';
import { execWithTimeout } from './engine-exec.ts';
import { PodProbes } from './pod-probes.ts';

const pod: Pod = {
  metadata: { name: 'p', namespace: 'ns', uid: 'uid-9' },
  spec: {
    containers: [
      { name: 'app', readinessProbe: { exec: { command: ['check', 'ready'] }, periodSeconds: 5 }, livenessProbe: { exec: { command: ['check', 'alive'] }, periodSeconds: 5, failureThreshold: 1 } },
      { name: 'plain' },
    ],
  },
};

test('PodProbes: verdicts per running container, liveness failure asks for a restart, events recorded', async () => {
  const clock = new ManualClock();
  const codes = new Map([['ready', 0], ['alive', 0]]);
  const execs: string[] = [];
  const syncs: string[] = [];
  const events: string[] = [];
  const probes = new PodProbes({
    clock,
    exec: async (id, argv) => {
      execs.push(`${id}:${argv[1]}`);
      return { exitCode: codes.get(argv[1] ?? '') ?? 1, output: `${argv[1]} said no` };
    },
    onResult: (uid) => syncs.push(uid),
    record: (_pod, reason, message, fieldPath) => events.push(`${reason} ${fieldPath} ${message}`),
  });
  const running = [{ container: { name: 'app' }, containerId: 'c1', isInit: false }, { container: { name: 'plain' }, containerId: 'c2', isInit: false }];
  probes.update(pod, running, '10.42.0.3');
  await clock.untilSleepers(2);
  assert.deepEqual(probes.verdict('uid-9', 'app', 'c1'), { ready: true });
  assert.deepEqual(probes.verdict('uid-9', 'plain', 'c2'), {}, 'no probes: the pod workers decide');
  assert.deepEqual(probes.verdict('uid-9', 'app', 'next'), { ready: false }, 'a container not seen running yet is not ready');
  assert.deepEqual(syncs, ['uid-9', 'uid-9'], 'a newly tracked container with a readiness probe, then readiness turning true, each ask for a sync');
  assert.ok(execs.every((e) => e.startsWith('c1:')));

  codes.set('alive', 1);
  clock.advance(5_000);
  await clock.untilSleepers(2);
  assert.deepEqual(probes.verdict('uid-9', 'app', 'c1'), { ready: true, livenessFailed: true, message: 'Container app failed liveness probe, will be restarted' });
  assert.deepEqual(events, ['Unhealthy spec.containers{app} Liveness probe failed: alive said no']);
  assert.equal(syncs.length, 3);

  // The pod workers restarted it: c3 replaces c1.
  codes.set('alive', 0);
  probes.update(pod, [{ container: { name: 'app' }, containerId: 'c3', isInit: false }], '10.42.0.3');
  await clock.untilSleepers(2);
  assert.deepEqual(probes.verdict('uid-9', 'app', 'c3'), { ready: true });
  assert.ok(execs.includes('c3:alive'));
  probes.forget('uid-9');
  assert.deepEqual(probes.verdict('uid-9', 'app', 'c3'), {}, 'nothing is known of a forgotten pod');
});

test('execWithTimeout: output combined, exit codes kept, a command past its timeout is reported as timed out', async () => {
  // A host process stands in for the container: the adapter only needs exec(id, argv, { signal }).
  const host = {
    exec: (_id: string, argv: string[], options: { signal?: AbortSignal }) =>
      new Promise<{ exitCode: number; stdout: Buffer; stderr: Buffer }>((resolve, reject) => {
        const child = spawn(argv[0] ?? '', argv.slice(1), options.signal ? { signal: options.signal } : {});
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        child.on('error', reject);
        child.on('close', (code) => resolve({ exitCode: code ?? -1, stdout: Buffer.concat(out), stderr: Buffer.concat(err) }));
      }),
  };
  const exec = execWithTimeout(host);
  assert.deepEqual(await exec('x', ['sh', '-c', 'echo out; echo err >&2; exit 3'], 5000), { exitCode: 3, output: 'out\nerr\n' });
  assert.deepEqual(await exec('x', ['sleep', '5'], 100), { exitCode: -1, output: '', timedOut: true });
  await assert.rejects(exec('x', ['/nonexistent-binary'], 5000), { code: 'ENOENT' });
});

test('PodProbes: hostNetwork pods are probed on the node address', async () => {
  const clock = new ManualClock();
  const targets: string[] = [];
  const probes = new PodProbes({ clock, nodeIP: '192.168.7.7', exec: async () => ({ exitCode: 0, output: '' }), onResult: () => undefined, record: () => undefined });
  // Capture the address the manager was given through a probe run.
  const hostPod: Pod = {
    metadata: { name: 'h', namespace: 'ns', uid: 'uid-h' },
    spec: { hostNetwork: true, containers: [{ name: 'c', readinessProbe: { tcpSocket: { port: 1 }, periodSeconds: 5 } }] },
  };
  const original = probes.manager.addPod.bind(probes.manager);
  probes.manager.addPod = (p, target) => {
    targets.push(target.podIP);
    original(p, target);
  };
  probes.update(hostPod, [], undefined);
  probes.update({ ...hostPod, spec: { ...hostPod.spec, containers: hostPod.spec?.containers ?? [], hostNetwork: false }, status: { podIP: '10.42.0.8' } }, [], undefined);
  assert.deepEqual(targets, ['192.168.7.7', '10.42.0.8']);
  probes.forget('uid-h');
});
