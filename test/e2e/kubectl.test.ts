// Real kubectl (1.27 to 1.33) against a real `skiff server`: the everyday commands.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { kubectl, kubectlBackground, removeDir, ROOT, startServer, waitUntil, type RunningServer } from './harness.ts';

const APP = join(ROOT, 'test', 'e2e', 'fixtures', 'app.yaml');

// Every kubectl version skiff supports (1.30+ use aggregated discovery; 1.33 sends protobuf bodies; 1.27–1.28 read OpenAPI v2 protobuf).
for (const version of ['1.33', '1.32', '1.31', '1.30', '1.29', '1.28', '1.27']) {
  describe(`kubectl ${version}`, () => {
    let srv: RunningServer;
    const k = async (args: string[], input?: string) => {
      const r = await kubectl(version, srv, args, input === undefined ? {} : { input });
      return r;
    };
    const ok = async (args: string[], input?: string): Promise<string> => {
      const r = await k(args, input);
      assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
      return r.stdout;
    };
    const json = async (args: string[]): Promise<any> => JSON.parse(await ok([...args, '-o', 'json']));

    before(async () => { srv = await startServer(); });
    after(async () => {
      await srv.stop();
      await removeDir(srv.dataDir);
    });

    test('Kubectl, version / Confirm a server version: kubectl version reports the server', async () => {
      const v = JSON.parse(await ok(['version', '-o', 'json']));
      assert.equal(v.serverVersion.major, '1');
      assert.match(v.serverVersion.gitVersion, /^v1\.\d+\.\d+/);
    });

    test('Discovery, confirm the groupVersion and a resource from each apiGroup: api-resources lists every group', async () => {
      const out = await ok(['api-resources']);
      for (const line of [/^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment/m, /^pods\s+po\s+v1\s+true\s+Pod/m, /^cronjobs\s+cj\s+batch\/v1\s+true\s+CronJob/m,
        /^leases\s+coordination\.k8s\.io\/v1\s+true\s+Lease/m, /^storageclasses\s+sc\s+storage\.k8s\.io\/v1\s+false\s+StorageClass/m, /^horizontalpodautoscalers\s+hpa\s+autoscaling\/v2/m]) {
        assert.match(out, line);
      }
    });

    test('create namespace, apply a multi-document manifest, apply a change (client-side three-way merge)', async () => {
      assert.match(await ok(['create', 'namespace', 'e2e']), /namespace\/e2e created/);
      const first = await ok(['apply', '-n', 'e2e', '-f', APP]);
      assert.match(first, /deployment\.apps\/web created/);
      assert.match(first, /service\/web created/);
      assert.match(first, /configmap\/web-config created/);
      const unchanged = await ok(['apply', '-n', 'e2e', '-f', APP]);
      assert.match(unchanged, /deployment\.apps\/web unchanged/);
      const changed = (await readFile(APP, 'utf8')).replace('replicas: 2', 'replicas: 3').replace('greeting: hello', 'greeting: bonjour');
      const second = await ok(['apply', '-n', 'e2e', '-f', '-'], changed);
      assert.match(second, /deployment\.apps\/web configured/);
      assert.match(second, /configmap\/web-config configured/);
      const d = await json(['get', 'deployment', 'web', '-n', 'e2e']);
      assert.equal(d.spec.replicas, 3);
      assert.equal(d.metadata.generation, 2);
      assert.ok(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
      const cm = await json(['get', 'configmap', 'web-config', '-n', 'e2e']);
      assert.equal(cm.data.greeting, 'bonjour');
      // Defaults were applied server side.
      assert.equal(d.spec.strategy.type, 'RollingUpdate');
      assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, 'Always');
      const svc = await json(['get', 'service', 'web', '-n', 'e2e']);
      assert.equal(svc.spec.type, 'ClusterIP');
    });

    test('apply --server-side keeps managedFields and reports conflicts', async () => {
      const cm = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n  namespace: e2e\ndata:\n  a: "1"\n';
      assert.match(await ok(['apply', '--server-side', '-f', '-'], cm), /configmap\/ssa serverside-applied/);
      const got = await json(['get', 'configmap', 'ssa', '-n', 'e2e', '--show-managed-fields']);
      assert.ok(got.metadata.managedFields.some((m: any) => m.manager === 'kubectl' && m.operation === 'Apply'));
      const other = await k(['apply', '--server-side', '--field-manager', 'other', '-f', '-'], cm.replace('a: "1"', 'a: "2"'));
      assert.notEqual(other.code, 0);
      assert.match(other.stderr, /conflict/i);
      assert.match(await ok(['apply', '--server-side', '--force-conflicts', '--field-manager', 'other', '-f', '-'], cm.replace('a: "1"', 'a: "2"')), /serverside-applied/);
    });

    test('get: table, -o wide, -o yaml, -A, --show-labels, -l', async () => {
      const table = await ok(['get', 'deployments', '-n', 'e2e']);
      assert.match(table, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE$/m);
      // No node runs the pods here: the controller has made them (UP-TO-DATE), none is ready.
      assert.match(table, /^web\s+0\/3\s+\d\s+0\s+\d+s$/m);
      const wide = await ok(['get', 'deployments', '-n', 'e2e', '-o', 'wide']);
      assert.match(wide, /CONTAINERS\s+IMAGES\s+SELECTOR/);
      assert.match(wide, /busybox:latest\s+app=web/);
      const yaml = await ok(['get', 'configmap', 'web-config', '-n', 'e2e', '-o', 'yaml']);
      assert.match(yaml, /^kind: ConfigMap$/m);
      assert.match(yaml, /greeting: bonjour/);
      const all = await ok(['get', 'namespaces', '-A']);
      assert.match(all, /^kube-system\s+Active/m);
      const allCm = await ok(['get', 'configmaps', '-A']);
      assert.match(allCm, /^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
      assert.match(allCm, /^e2e\s+web-config\s+1\s/m);
      const labels = await ok(['get', 'deployments', '-n', 'e2e', '--show-labels']);
      assert.match(labels, /LABELS/);
      assert.match(labels, /app=web/);
      const svc = await ok(['get', 'services', '-n', 'e2e', '-l', 'app!=nothing']);
      assert.match(svc, /^web\s+ClusterIP\s+/m);
      const none = await k(['get', 'services', '-n', 'e2e', '-l', 'app=nothing']);
      assert.match(none.stderr, /No resources found in e2e namespace/);
    });

    test('get -w shows changes as they happen', async () => {
      const w = kubectlBackground(version, srv, ['get', 'configmaps', '-n', 'e2e', '-w']);
      try {
        await waitUntil(() => w.output().includes('web-config'), 10_000, 'initial list');
        await ok(['create', 'configmap', 'watched', '-n', 'e2e', '--from-literal=x=y']);
        await waitUntil(() => /watched\s+1\s/.test(w.output()), 10_000, 'watch event for the new configmap');
      } finally {
        w.proc.kill('SIGTERM');
        await w.done;
      }
    });

    test('describe and explain', async () => {
      const d = await ok(['describe', 'deployment', 'web', '-n', 'e2e']);
      assert.match(d, /^Name:\s+web$/m);
      assert.match(d, /^Namespace:\s+e2e$/m);
      assert.match(d, /Replicas:\s+3 desired/);
      assert.match(d, /StrategyType:\s+RollingUpdate/);
      const e = await ok(['explain', 'pod.spec']);
      assert.match(e, /containers/);
      assert.match(e, /restartPolicy/);
      const e2 = await ok(['explain', 'deployment.spec.strategy']);
      assert.match(e2, /rollingUpdate/);
    });

    test('scale and set image', async () => {
      assert.match(await ok(['scale', 'deployment', 'web', '-n', 'e2e', '--replicas=5']), /deployment\.apps\/web scaled/);
      assert.equal((await json(['get', 'deployment', 'web', '-n', 'e2e'])).spec.replicas, 5);
      assert.match(await ok(['set', 'image', 'deployment/web', '-n', 'e2e', 'web=busybox:1.36']), /image updated/);
      const d = await json(['get', 'deployment', 'web', '-n', 'e2e']);
      assert.equal(d.spec.template.spec.containers[0].image, 'busybox:1.36');
      assert.equal(d.spec.template.spec.containers[0].ports[0].containerPort, 8080, 'strategic merge kept the other fields');
    });

    test('patch with --type merge, json and strategic', async () => {
      await ok(['patch', 'configmap', 'web-config', '-n', 'e2e', '--type', 'merge', '-p', '{"data":{"m":"1"}}']);
      await ok(['patch', 'configmap', 'web-config', '-n', 'e2e', '--type', 'json', '-p', '[{"op":"add","path":"/data/j","value":"2"},{"op":"remove","path":"/data/m"}]']);
      let cm = await json(['get', 'configmap', 'web-config', '-n', 'e2e']);
      assert.deepEqual(cm.data, { greeting: 'bonjour', j: '2' });
      await ok(['patch', 'deployment', 'web', '-n', 'e2e', '--type', 'strategic', '-p', '{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:latest"}]}}}}']);
      const d = await json(['get', 'deployment', 'web', '-n', 'e2e']);
      // As in the kubectl patch documentation: without $setElementOrder, new items come first.
      assert.deepEqual(d.spec.template.spec.containers.map((c: any) => c.name), ['sidecar', 'web']);
      const bad = await k(['patch', 'configmap', 'web-config', '-n', 'e2e', '--type', 'json', '-p', '[{"op":"remove","path":"/data/nope"}]']);
      assert.notEqual(bad.code, 0);
      cm = await json(['get', 'configmap', 'web-config', '-n', 'e2e']);
      assert.deepEqual(cm.data, { greeting: 'bonjour', j: '2' }, 'a failed patch changes nothing');
    });

    test('Kubectl, replace: replace with a stale resourceVersion is a conflict', async () => {
      const cm = await json(['get', 'configmap', 'web-config', '-n', 'e2e']);
      await ok(['label', 'configmap', 'web-config', '-n', 'e2e', 'touched=yes']);
      cm.data.greeting = 'stale';
      const r = await k(['replace', '-f', '-'], JSON.stringify(cm));
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /the object has been modified; please apply your changes to the latest version and try again/);
      delete cm.metadata.resourceVersion;
      cm.data.greeting = 'fresh';
      assert.match(await ok(['replace', '-f', '-'], JSON.stringify(cm)), /configmap\/web-config replaced/);
    });

    test('Kubectl, label update / Kubectl, patch to annotate', async () => {
      await ok(['label', 'deployment', 'web', '-n', 'e2e', 'tier=front']);
      await ok(['annotate', 'deployment', 'web', '-n', 'e2e', 'note=hello']);
      let d = await json(['get', 'deployment', 'web', '-n', 'e2e']);
      assert.equal(d.metadata.labels.tier, 'front');
      assert.equal(d.metadata.annotations.note, 'hello');
      await ok(['label', 'deployment', 'web', '-n', 'e2e', 'tier-']);
      d = await json(['get', 'deployment', 'web', '-n', 'e2e']);
      assert.equal(d.metadata.labels.tier, undefined);
      const r = await k(['label', 'deployment', 'web', '-n', 'e2e', 'app=other']);
      assert.notEqual(r.code, 0, 'overwriting needs --overwrite');
    });

    test('Kubectl, server-side dry-run Pod: nothing is stored', async () => {
      const out = await ok(['run', 'dry', '-n', 'e2e', '--image', 'busybox', '--dry-run=server', '-o', 'json']);
      assert.equal(JSON.parse(out).metadata.name, 'dry');
      const r = await k(['get', 'pod', 'dry', '-n', 'e2e']);
      assert.match(r.stderr, /NotFound|not found/);
    });

    test('invalid objects are refused with the field that is wrong', async () => {
      const r = await k(['create', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: Bad_Name\n  namespace: e2e\n');
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /is invalid: metadata\.name: Invalid value: "Bad_Name"/);
      const u = await k(['create', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n  namespace: e2e\ndatta:\n  a: b\n');
      assert.notEqual(u.code, 0);
      assert.match(u.stderr, /unknown field "datta"/);
      const ns = await k(['create', 'configmap', 'x', '-n', 'missing']);
      assert.match(ns.stderr, /namespaces "missing" not found/);
    });

    test('delete waits on finalizers; wait --for=delete', async () => {
      await ok(['create', '-f', '-'], 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: held\n  namespace: e2e\n  finalizers: ["skiff.test/hold"]\n');
      const del = kubectlBackground(version, srv, ['delete', 'configmap', 'held', '-n', 'e2e', '--timeout=20s']);
      const waiter = kubectlBackground(version, srv, ['wait', '--for=delete', 'configmap/held', '-n', 'e2e', '--timeout=20s']);
      try {
        await waitUntil(async () => !!(await json(['get', 'configmap', 'held', '-n', 'e2e'])).metadata.deletionTimestamp, 10_000, 'deletionTimestamp');
        await new Promise((r) => setTimeout(r, 500));
        assert.equal(del.proc.exitCode, null, 'kubectl delete still waits');
        await ok(['patch', 'configmap', 'held', '-n', 'e2e', '--type', 'json', '-p', '[{"op":"remove","path":"/metadata/finalizers"}]']);
        assert.equal(await del.done, 0, del.output());
        assert.equal(await waiter.done, 0, waiter.output());
      } finally {
        del.proc.kill();
        waiter.proc.kill();
      }
      const gone = await k(['get', 'configmap', 'held', '-n', 'e2e']);
      assert.match(gone.stderr, /not found/);
      assert.match(await ok(['delete', 'service', 'web', '-n', 'e2e']), /service "web" deleted/);
    });

    test('delete --cascade=foreground waits until the garbage collector has removed the dependents', async () => {
      const d = await json(['get', 'deployment', 'web', '-n', 'e2e']);
      const rs = {
        apiVersion: 'apps/v1', kind: 'ReplicaSet',
        // Labelled to match the Deployment's selector: the Deployment controller releases a
        // ReplicaSet it owns whose labels do not (controller_ref_manager.go).
        metadata: { name: 'web-owned', namespace: 'e2e', labels: { app: 'web' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: d.metadata.uid, controller: true, blockOwnerDeletion: true }] },
        spec: { replicas: 0, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'busybox' }] } } },
      };
      await ok(['create', '-f', '-'], JSON.stringify(rs));
      assert.match(await ok(['delete', 'deployment', 'web', '-n', 'e2e', '--cascade=foreground', '--timeout=30s']), /deployment\.apps "web" deleted/);
      assert.match((await k(['get', 'replicaset', 'web-owned', '-n', 'e2e'])).stderr, /not found/);
      assert.match((await k(['get', 'deployment', 'web', '-n', 'e2e'])).stderr, /not found/);
    });

    test('namespace-deletion-removes-services: delete namespace removes what is in it, then the namespace', async () => {
      assert.match(await ok(['delete', 'namespace', 'e2e', '--timeout=60s']), /namespace "e2e" deleted/);
      assert.match((await k(['get', 'namespace', 'e2e'])).stderr, /not found/);
      const left = await k(['get', 'configmaps', '-n', 'e2e']);
      assert.match(left.stderr, /No resources found/);
    });
  });
}
