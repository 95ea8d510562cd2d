// A DaemonSet on two real nodes (issue 10): node A a `skiff up` cluster in the host, node B a
// `skiff agent` in a network namespace of its own joined with the printed line
// (test/e2e/two-node-cluster.ts), both running real containers, with kubectl 1.33. One running
// pod on each node; a node tainted NoSchedule gets no pod from a set that does not tolerate the
// taint and one from a set that does; a rolling update of the image replaces the pod on both
// nodes. Test names follow the conformance tests' (test/e2e/apps/daemon_set.go).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { kubectl } from './harness.ts';
import { startTwoNodeCluster, type TwoNodeCluster } from './two-node-cluster.ts';

const NS = 'dsn-e2e';
let two: TwoNodeCluster | undefined;
let NODE_A = '';
let NODE_B = '';

async function k(args: string[], opts: { input?: string; timeoutMs?: number } = {}): Promise<string> {
  const r = await kubectl('1.33', two!.cluster.server, ['-n', NS, ...args], opts);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${two!.cluster.server.logs().slice(-3000)}\n${two!.agentLogs().slice(-2000)}`);
  return r.stdout;
}

function daemonSet(name: string, tolerate = false): string {
  return `apiVersion: apps/v1
kind: DaemonSet
metadata: { name: ${name}, namespace: ${NS} }
spec:
  selector: { matchLabels: { app: ${name} } }
  updateStrategy: { type: RollingUpdate, rollingUpdate: { maxUnavailable: 1 } }
  template:
    metadata: { labels: { app: ${name} } }
    spec:
      terminationGracePeriodSeconds: 0
${tolerate ? '      tolerations: [{ key: key, operator: Equal, value: v, effect: NoSchedule }]\n' : ''}      containers:
      - name: main
        image: busybox
        imagePullPolicy: IfNotPresent
        command: ["sleep", "3600"]
`;
}

/** The set's live pods (not being deleted). */
async function podsOf(set: string): Promise<Pod[]> {
  const list = JSON.parse(await k(['get', 'pods', '-l', `app=${set}`, '-o', 'json'])) as { items: Pod[] };
  return list.items.filter((p) => !p.metadata.deletionTimestamp);
}

/** Rolls the set out (kubectl watches it), then answers node name → its pod there (one each). */
async function rolledOut(set: string): Promise<Map<string, Pod>> {
  await k(['rollout', 'status', `daemonset/${set}`, '--timeout=120s'], { timeoutMs: 130_000 });
  const byNode = new Map<string, Pod>();
  for (const p of await podsOf(set)) {
    const node = p.spec?.nodeName ?? '(unbound)';
    assert.ok(!byNode.has(node), `two ${set} pods on ${node}`);
    byNode.set(node, p);
  }
  return byNode;
}

const isReady = (p: Pod): boolean => p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;

/** The pod's container really runs on its node: `kubectl exec` reaches it through that node's kubelet. */
async function runs(p: Pod): Promise<void> {
  assert.equal(p.status?.phase, 'Running');
  assert.ok(isReady(p), `${p.metadata.name} Ready`);
  assert.doesNotMatch(p.status?.containerStatuses?.[0]?.containerID ?? '', /^hollow:/);
  const out = await k(['exec', p.metadata.name!, '--', 'cat', '/proc/1/cmdline'], { timeoutMs: 30_000 });
  assert.equal(out.replaceAll('\0', ' ').trim(), 'sleep 3600');
}

before(async () => {
  two = await startTwoNodeCluster({ label: 'dsn', subnetBase: 96, bridgePrefix: 'skiffn', linkBase: 192 });
  ({ nodeA: NODE_A, nodeB: NODE_B } = two);
  const r = await kubectl('1.33', two.cluster.server, ['create', 'namespace', NS]);
  assert.equal(r.code, 0, r.stderr);
});

after(async () => {
  if (!two) return;
  await kubectl('1.33', two.cluster.server, ['-n', NS, 'delete', 'daemonsets,pods', '--all', '--grace-period=0', '--force']).catch(() => undefined);
  assert.deepEqual(await two.stop(), [], 'host state left behind');
});

describe('DaemonSet on two real nodes', () => {
  test('DaemonSet-Creation: one running pod on each of the two nodes', { timeout: 180_000 }, async () => {
    await k(['apply', '-f', '-'], { input: daemonSet('agent') });
    const byNode = await rolledOut('agent');
    assert.deepEqual([...byNode.keys()].sort(), [NODE_A, NODE_B].sort());
    for (const p of byNode.values()) await runs(p);
    const ds = JSON.parse(await k(['get', 'daemonset', 'agent', '-o', 'json'])) as { status: Record<string, number> };
    assert.equal(ds.status.desiredNumberScheduled, 2);
    assert.equal(ds.status.numberReady, 2);
    assert.equal(ds.status.numberMisscheduled, 0);
  });

  test('DaemonSet-RollingUpdate: an image change replaces the pod on both nodes; rollout status succeeds', { timeout: 240_000 }, async () => {
    const before = new Set((await podsOf('agent')).map((p) => p.metadata.uid));
    assert.equal(before.size, 2);
    await k(['set', 'image', 'daemonset/agent', 'main=busybox:latest']);
    // Rollout status only answers once the set's status reflects the new generation.
    const byNode = await rolledOut('agent');
    assert.deepEqual([...byNode.keys()].sort(), [NODE_A, NODE_B].sort());
    for (const p of byNode.values()) {
      assert.ok(!before.has(p.metadata.uid), `${p.metadata.name} is a new pod`);
      assert.equal(p.spec?.containers[0]?.image, 'busybox:latest');
      await runs(p);
    }
    const history = await k(['rollout', 'history', 'daemonset/agent']);
    assert.match(history, /^2\s/m);
  });

  test('DaemonSet-NodeSelection: a node tainted NoSchedule gets no pod unless the set tolerates the taint', { timeout: 240_000 }, async () => {
    await k(['taint', 'node', NODE_B, 'key=v:NoSchedule']);
    try {
      await k(['apply', '-f', '-'], { input: daemonSet('plain') });
      const plain = await rolledOut('plain');
      assert.deepEqual([...plain.keys()], [NODE_A]);
      await runs(plain.get(NODE_A)!);
      const ds = JSON.parse(await k(['get', 'daemonset', 'plain', '-o', 'json'])) as { status: Record<string, number> };
      assert.equal(ds.status.desiredNumberScheduled, 1);

      await k(['apply', '-f', '-'], { input: daemonSet('tolerant', true) });
      const tolerant = await rolledOut('tolerant');
      assert.deepEqual([...tolerant.keys()].sort(), [NODE_A, NODE_B].sort());
      for (const p of tolerant.values()) await runs(p);

      // NoSchedule keeps new pods away; the pod already running on node B stays.
      assert.ok((await podsOf('agent')).some((p) => p.spec?.nodeName === NODE_B), 'the agent pod stays on the tainted node');
    } finally {
      await k(['taint', 'node', NODE_B, 'key=v:NoSchedule-']);
    }
  });
});
