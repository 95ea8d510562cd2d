// ResourceQuota and LimitRange on a real `skiff up` cluster, driven by kubectl 1.33 and 1.27:
// quota admission refuses what exceeds a quota with kube-apiserver's 403 text, the quota
// controller keeps status.used following creates and deletes (observed with `kubectl wait
// --for=jsonpath`, a watch), compute quotas require requests, and LimitRange defaults and maxima
// apply to created pods.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../src/api/meta.ts';
import { Clientset } from '../../src/client/clientset.ts';
import { kubectl } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
let cluster: UpCluster;

async function k(args: string[], input?: string, version = '1.33'): Promise<{ code: number; stdout: string; stderr: string }> {
  return kubectl(version, cluster.server, args, { ...(input !== undefined ? { input } : {}), timeoutMs: 90_000 });
}

async function ok(args: string[], input?: string): Promise<string> {
  const r = await k(args, input);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** Waits (a watch, through kubectl wait) until the quota reports `value` used of `resource`. */
async function used(ns: string, quota: string, resource: string, value: string): Promise<void> {
  const path = `{.status.used.${resource.replace(/\./g, '\\.')}}`;
  await ok(['wait', '-n', ns, `--for=jsonpath=${path}=${value}`, `resourcequota/${quota}`, '--timeout=60s']);
}

function pod(name: string, resources = '', extra = ''): string {
  return `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
spec:
  terminationGracePeriodSeconds: 0${extra}
  containers:
  - name: main
    image: busybox
    command: ["sleep", "3600"]${resources ? `\n    resources:\n${resources}` : ''}
`;
}

before(async () => {
  cluster = await startUpCluster({ label: 'quota', nodeName: `quota-${hex}`, cgroupRoot: `/skiff-e2e-quota-${hex}`, bridge: `skiffo${hex}`, subnetBase: 128 });
});

after(async () => {
  await cluster?.stop();
});

describe('ResourceQuota and LimitRange', () => {
  test('ResourceQuota, object count quota, pod: the fourth pod of pods=3 is refused; status.used follows creates and deletes', async () => {
    const ns = 'quota-pods';
    await ok(['create', 'namespace', ns]);
    await ok(['create', 'quota', 'q', '--hard=pods=3', '-n', ns]);
    await used(ns, 'q', 'pods', '0');
    assert.equal(await ok(['get', 'quota', 'q', '-n', ns, '-o', 'jsonpath={.status.hard.pods}']), '3');
    for (const name of ['p1', 'p2', 'p3']) await ok(['create', '-n', ns, '-f', '-'], pod(name));
    await used(ns, 'q', 'pods', '3');
    for (const [version, name] of [['1.33', 'p4'], ['1.27', 'p5']] as const) {
      const r = await k(['create', '-n', ns, '-f', '-'], pod(name), version);
      assert.equal(r.code, 1, `kubectl ${version} created ${name}`);
      assert.match(r.stderr, /Error from server \(Forbidden\)/);
      assert.ok(r.stderr.includes(`pods "${name}" is forbidden: exceeded quota: q, requested: pods=1, used: pods=3, limited: pods=3`), r.stderr);
    }
    await ok(['delete', 'pod', 'p1', '-n', ns, '--wait=true']);
    await used(ns, 'q', 'pods', '2');
    await ok(['create', '-n', ns, '-f', '-'], pod('p4'));
    await used(ns, 'q', 'pods', '3');
  });

  test('ResourceQuota counts count/deployments.apps and releases it when one is deleted', async () => {
    const ns = 'quota-deploy';
    await ok(['create', 'namespace', ns]);
    await ok(['create', 'quota', 'd', '--hard=count/deployments.apps=1', '-n', ns]);
    await used(ns, 'd', 'count/deployments.apps', '0');
    await ok(['create', 'deployment', 'a', '--image=busybox', '--replicas=0', '-n', ns]);
    await used(ns, 'd', 'count/deployments.apps', '1');
    for (const version of ['1.33', '1.27']) {
      const r = await k(['create', 'deployment', 'b', '--image=busybox', '--replicas=0', '-n', ns], undefined, version);
      assert.equal(r.code, 1, `kubectl ${version} created deployment b`);
      assert.ok(r.stderr.includes('deployments.apps "b" is forbidden: exceeded quota: d, requested: count/deployments.apps=1, used: count/deployments.apps=1, limited: count/deployments.apps=1'), r.stderr);
    }
    await ok(['delete', 'deployment', 'a', '-n', ns]);
    await used(ns, 'd', 'count/deployments.apps', '0');
    await ok(['create', 'deployment', 'b', '--image=busybox', '--replicas=0', '-n', ns]);
  });

  test('ResourceQuota, object count quota, pod: a compute quota requires requests and is charged them', async () => {
    const ns = 'quota-compute';
    await ok(['create', 'namespace', ns]);
    await ok(['create', 'quota', 'compute', '--hard=requests.cpu=1,requests.memory=1Gi', '-n', ns]);
    await used(ns, 'compute', 'requests.cpu', '0');
    for (const version of ['1.33', '1.27']) {
      const r = await k(['create', '-n', ns, '-f', '-'], pod('bare'), version);
      assert.equal(r.code, 1);
      assert.ok(r.stderr.includes('pods "bare" is forbidden: failed quota: compute: must specify requests.cpu for: main; requests.memory for: main'), r.stderr);
    }
    const req = '      requests:\n        cpu: 600m\n        memory: 64Mi';
    await ok(['create', '-n', ns, '-f', '-'], pod('first', req));
    await used(ns, 'compute', 'requests.cpu', '600m');
    await used(ns, 'compute', 'requests.memory', '64Mi');
    const r = await k(['create', '-n', ns, '-f', '-'], pod('second', req));
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes('pods "second" is forbidden: exceeded quota: compute, requested: requests.cpu=600m, used: requests.cpu=600m, limited: requests.cpu=1'), r.stderr);
  });

  test('ResourceQuota, quota scope, BestEffort and NotBestEffort scope', async () => {
    const ns = 'quota-scopes';
    await ok(['create', 'namespace', ns]);
    await ok(['create', 'quota', 'be', '--hard=pods=1', '--scopes=BestEffort', '-n', ns]);
    await ok(['create', 'quota', 'nbe', '--hard=pods=1', '--scopes=NotBestEffort', '-n', ns]);
    await used(ns, 'be', 'pods', '0');
    await used(ns, 'nbe', 'pods', '0');
    await ok(['create', '-n', ns, '-f', '-'], pod('be1'));
    await used(ns, 'be', 'pods', '1');
    await ok(['create', '-n', ns, '-f', '-'], pod('nbe1', '      requests:\n        cpu: 10m'));
    await used(ns, 'nbe', 'pods', '1');
    assert.equal(await ok(['get', 'quota', 'be', '-n', ns, '-o', 'jsonpath={.status.used.pods}']), '1');
    const r = await k(['create', '-n', ns, '-f', '-'], pod('be2'));
    assert.ok(r.stderr.includes('pods "be2" is forbidden: exceeded quota: be, requested: pods=1, used: pods=1, limited: pods=1'), r.stderr);
  });

  test('ResourceQuota, object count quota, configmap: concurrent creates never pass the limit', async () => {
    const ns = 'quota-race';
    await ok(['create', 'namespace', ns]);
    await ok(['create', 'quota', 'cm', '--hard=configmaps=5', '-n', ns]);
    await ok(['wait', '-n', ns, '--for=jsonpath={.status.hard.configmaps}=5', 'resourcequota/cm', '--timeout=60s']);
    const before = Number(await ok(['get', 'quota', 'cm', '-n', ns, '-o', 'jsonpath={.status.used.configmaps}']));
    const cs = await Clientset.fromKubeconfig(cluster.server.kubeconfig);
    const client = cs.resource<KubeObject>('v1', 'configmaps');
    const results = await Promise.allSettled(Array.from({ length: 10 }, (_, i) => client.create(ns, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` }, data: { i: String(i) } })));
    cs.rest.close();
    const created = results.filter((r) => r.status === 'fulfilled').length;
    assert.equal(created, 5 - before);
    for (const r of results) if (r.status === 'rejected') assert.match(String((r.reason as Error).message), /exceeded quota: cm, requested: configmaps=1, used: configmaps=5, limited: configmaps=5/);
    assert.equal(await ok(['get', 'quota', 'cm', '-n', ns, '-o', 'jsonpath={.status.used.configmaps}']), '5');
  });

  test('ResourceQuota, object count quota, service: node ports are counted', async () => {
    const ns = 'quota-svc';
    await ok(['create', 'namespace', ns]);
    await ok(['create', 'quota', 's', '--hard=services=3,services.nodeports=1', '-n', ns]);
    await used(ns, 's', 'services.nodeports', '0');
    await ok(['create', 'service', 'nodeport', 'np1', '--tcp=80:80', '-n', ns]);
    await used(ns, 's', 'services', '1');
    const r = await k(['create', 'service', 'nodeport', 'np2', '--tcp=80:80', '-n', ns], undefined, '1.27');
    assert.equal(r.code, 1);
    assert.ok(r.stderr.includes('services "np2" is forbidden: exceeded quota: s, requested: services.nodeports=1, used: services.nodeports=1, limited: services.nodeports=1'), r.stderr);
    await ok(['delete', 'service', 'np1', '-n', ns]);
    await used(ns, 's', 'services.nodeports', '0');
  });

  test('claims: LimitRange storage max and a requests.storage quota', async () => {
    const ns = 'claims';
    await ok(['create', 'namespace', ns]);
    const claim = (name: string, size: string): string => `apiVersion: v1
kind: PersistentVolumeClaim
metadata:
  name: ${name}
spec:
  accessModes: ["ReadWriteOnce"]
  resources:
    requests:
      storage: ${size}
`;
    await ok(['apply', '-n', ns, '-f', '-'], 'apiVersion: v1\nkind: LimitRange\nmetadata:\n  name: storage\nspec:\n  limits:\n  - type: PersistentVolumeClaim\n    max:\n      storage: 1Gi\n');
    const big = await k(['create', '-n', ns, '-f', '-'], claim('big', '2Gi'), '1.27');
    assert.equal(big.code, 1);
    assert.ok(big.stderr.includes('persistentvolumeclaims "big" is forbidden: maximum storage usage per PersistentVolumeClaim is 1Gi, but request is 2Gi'), big.stderr);
    await ok(['create', 'quota', 'st', '--hard=requests.storage=1Gi,persistentvolumeclaims=1', '-n', ns]);
    await used(ns, 'st', 'requests.storage', '0');
    await ok(['create', '-n', ns, '-f', '-'], claim('first', '500Mi'));
    await used(ns, 'st', 'requests.storage', '500Mi');
    const second = await k(['create', '-n', ns, '-f', '-'], claim('second', '600Mi'));
    assert.equal(second.code, 1);
    assert.ok(second.stderr.includes('persistentvolumeclaims "second" is forbidden: exceeded quota: st, requested: persistentvolumeclaims=1,requests.storage=600Mi, used: persistentvolumeclaims=1,requests.storage=500Mi, limited: persistentvolumeclaims=1,requests.storage=1Gi'), second.stderr);
  });

  test('LimitRange, resources: defaults appear in a created pod and an over-max pod is refused', async () => {
    const ns = 'limits';
    await ok(['create', 'namespace', ns]);
    await ok(['apply', '-n', ns, '-f', '-'], `apiVersion: v1
kind: LimitRange
metadata:
  name: lr
spec:
  limits:
  - type: Container
    max:
      cpu: 500m
    default:
      cpu: 300m
      memory: 128Mi
    defaultRequest:
      cpu: 100m
      memory: 64Mi
`);
    await ok(['create', '-n', ns, '-f', '-'], pod('defaulted'));
    const resources = JSON.parse(await ok(['get', 'pod', 'defaulted', '-n', ns, '-o', 'jsonpath={.spec.containers[0].resources}'])) as unknown;
    assert.deepEqual(resources, { limits: { cpu: '300m', memory: '128Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
    assert.equal(await ok(['get', 'pod', 'defaulted', '-n', ns, '-o', 'jsonpath={.metadata.annotations.kubernetes\\.io/limit-ranger}']),
      'LimitRanger plugin set: cpu, memory request for container main; cpu, memory limit for container main');
    for (const version of ['1.33', '1.27']) {
      const r = await k(['create', '-n', ns, '-f', '-'], pod('big', '      limits:\n        cpu: "1"'), version);
      assert.equal(r.code, 1);
      assert.ok(r.stderr.includes('pods "big" is forbidden: maximum cpu usage per Container is 500m, but limit is 1'), r.stderr);
    }
  });
});
