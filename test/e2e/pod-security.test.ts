// PodSecurity and Priority admission through real kubectl (1.33 and 1.27) against a real `skiff
// server` (no nodes: admission is all that is tested). Messages are kube-apiserver's, as kubectl prints them.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { kubectl, removeDir, startServer, type RunningServer } from './harness.ts';

const PRIVILEGED_POD = (name: string, ns: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}}
spec:
  containers:
  - name: c
    image: busybox
    securityContext: {privileged: true}
`;

const RESTRICTED_POD = (name: string, ns: string): string => `apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${ns}}
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile: {type: RuntimeDefault}
  containers:
  - name: c
    image: busybox
    securityContext:
      allowPrivilegeEscalation: false
      capabilities: {drop: [ALL]}
`;

const RESTRICTED_VIOLATIONS = 'privileged (container "c" must not set securityContext.privileged=true), '
  + 'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), '
  + 'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), '
  + 'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), '
  + 'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

describe('PodSecurity and Priority admission', () => {
  let srv: RunningServer;
  before(async () => { srv = await startServer(); });
  after(async () => {
    await srv?.stop();
    if (srv) await removeDir(srv.dataDir);
  });

  for (const version of ['1.33', '1.27']) {
    const v = version.replace('.', '');
    const k = (args: string[], input?: string) => kubectl(version, srv, args, input === undefined ? {} : { input });
    const ok = async (args: string[], input?: string): Promise<{ stdout: string; stderr: string }> => {
      const r = await k(args, input);
      assert.equal(r.code, 0, `kubectl ${args.join(' ')} failed (${r.code}):\n${r.stderr}\n${r.stdout}`);
      return r;
    };

    describe(`kubectl ${version}`, () => {
      test('a namespace labelled enforce=restricted refuses a privileged pod with upstream\'s message, and admits a compliant one', async () => {
        const ns = `enforce-${v}`;
        await ok(['create', 'namespace', ns]);
        await ok(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
        const r = await k(['apply', '-f', '-'], PRIVILEGED_POD('priv', ns));
        assert.notEqual(r.code, 0, r.stdout);
        assert.equal(r.stderr.trim(), `Error from server (Forbidden): error when creating "STDIN": pods "priv" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED_VIOLATIONS}`);
        const good = await ok(['apply', '-f', '-'], RESTRICTED_POD('fine', ns));
        assert.equal(good.stdout.trim(), 'pod/fine created');
        assert.equal(good.stderr, '', 'a compliant pod gets no warning');
      });

      test('warn=baseline admits a privileged pod and kubectl shows the warning', async () => {
        const ns = `warn-${v}`;
        await ok(['create', 'namespace', ns]);
        await ok(['label', 'namespace', ns, 'pod-security.kubernetes.io/warn=baseline']);
        const r = await ok(['apply', '-f', '-'], PRIVILEGED_POD('priv', ns));
        assert.equal(r.stdout.trim(), 'pod/priv created');
        assert.equal(r.stderr.trim(), 'Warning: would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');
      });

      test('a Deployment in an enforce namespace is admitted with a warning about its template', async () => {
        const ns = `deploy-${v}`;
        await ok(['create', 'namespace', ns]);
        await ok(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=restricted']);
        const r = await ok(['create', 'deployment', 'web', '--image=nginx', '-n', ns]);
        assert.equal(r.stdout.trim(), 'deployment.apps/web created');
        assert.equal(r.stderr.trim(), 'Warning: would violate PodSecurity "restricted:latest": '
          + 'allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false), '
          + 'unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"]), '
          + 'runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true), '
          + 'seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
      });

      test('labelling a namespace with pods that would violate warns; a bad level is a 422', async () => {
        const ns = `label-${v}`;
        await ok(['create', 'namespace', ns]);
        await ok(['apply', '-f', '-'], PRIVILEGED_POD('priv', ns));
        const r = await ok(['label', 'namespace', ns, 'pod-security.kubernetes.io/enforce=baseline']);
        assert.equal(r.stdout.trim(), `namespace/${ns} labeled`);
        assert.equal(r.stderr.trim(), [
          `Warning: existing pods in namespace "${ns}" violate the new PodSecurity enforce level "baseline:latest"`,
          'Warning: priv: privileged',
        ].join('\n'));
        const bad = await k(['label', '--overwrite', 'namespace', ns, 'pod-security.kubernetes.io/enforce=strict']);
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, new RegExp(`Namespace "${ns}" is invalid: metadata.labels\\[pod-security.kubernetes.io/enforce\\]: Invalid value: "strict": must be one of privileged, baseline, restricted`));
      });

      test('Priority: a pod gets its PriorityClass\'s value; an unknown class is refused', async () => {
        const ns = `prio-${v}`;
        await ok(['create', 'namespace', ns]);
        await ok(['create', 'priorityclass', `high-${v}`, '--value=1000', '--description=important']);
        await ok(['apply', '-f', '-'], `apiVersion: v1\nkind: Pod\nmetadata: {name: p, namespace: ${ns}}\nspec:\n  priorityClassName: high-${v}\n  containers: [{name: c, image: busybox}]\n`);
        const spec = JSON.parse((await ok(['get', 'pod', 'p', '-n', ns, '-o', 'json'])).stdout).spec;
        assert.deepEqual([spec.priority, spec.preemptionPolicy], [1000, 'PreemptLowerPriority']);
        const plain = await ok(['run', 'plain', '--image=busybox', '-n', ns]);
        assert.match(plain.stdout, /pod\/plain created/);
        assert.equal(JSON.parse((await ok(['get', 'pod', 'plain', '-n', ns, '-o', 'json'])).stdout).spec.priority, 0);
        const r = await k(['apply', '-f', '-'], `apiVersion: v1\nkind: Pod\nmetadata: {name: q, namespace: ${ns}}\nspec:\n  priorityClassName: nope\n  containers: [{name: c, image: busybox}]\n`);
        assert.notEqual(r.code, 0);
        assert.equal(r.stderr.trim(), 'Error from server (Forbidden): error when creating "STDIN": pods "q" is forbidden: no PriorityClass with name nope was found');
        // A global default class goes to pods that name none; a second default is refused.
        await ok(['create', 'priorityclass', `default-${v}`, '--value=7', '--global-default=true', '--preemption-policy=Never']);
        const second = await k(['create', 'priorityclass', `default2-${v}`, '--value=8', '--global-default=true']);
        assert.notEqual(second.code, 0);
        assert.equal(second.stderr.trim(), `error: failed to create priorityclass: priorityclasses.scheduling.k8s.io "default2-${v}" is forbidden: PriorityClass default-${v} is already marked as default. Only one default can exist`);
        await ok(['run', 'defaulted', '--image=busybox', '-n', ns]);
        const d = JSON.parse((await ok(['get', 'pod', 'defaulted', '-n', ns, '-o', 'json'])).stdout).spec;
        assert.deepEqual([d.priorityClassName, d.priority, d.preemptionPolicy], [`default-${v}`, 7, 'Never']);
        await ok(['delete', 'pc', `default-${v}`]);
      });

      test('Scheduler, Verify PriorityClass endpoints: listed, mutable fields patched and updated, immutable ones refused', async () => {
        const name = `pc-endpoints-${v}`;
        await ok(['create', 'priorityclass', name, '--value=10']);
        const list = (await ok(['get', 'priorityclasses', '--no-headers', '-o', 'custom-columns=NAME:.metadata.name,VALUE:.value'])).stdout;
        assert.match(list, /system-cluster-critical\s+2000000000/);
        assert.match(list, /system-node-critical\s+2000001000/);
        assert.match(list, new RegExp(`${name}\\s+10`));
        const table = (await ok(['get', 'pc', 'system-node-critical'])).stdout;
        assert.match(table, /^NAME\s+VALUE\s+GLOBAL-DEFAULT\s+AGE\s+PREEMPTIONPOLICY\n/);
        assert.match(table, /system-node-critical\s+2000001000\s+false\s+\S+\s+PreemptLowerPriority/);
        await ok(['patch', 'priorityclass', name, '--type=merge', '-p', '{"description":"patched"}']);
        await ok(['label', 'priorityclass', name, 'updated=yes']);
        const got = JSON.parse((await ok(['get', 'pc', name, '-o', 'json'])).stdout);
        assert.deepEqual([got.description, got.metadata.labels.updated], ['patched', 'yes']);
        got.description = 'replaced';
        await ok(['replace', '-f', '-'], JSON.stringify(got));
        assert.equal(JSON.parse((await ok(['get', 'pc', name, '-o', 'json'])).stdout).description, 'replaced');
        got.value = 12;
        delete got.metadata.resourceVersion;
        const badPut = await k(['replace', '-f', '-'], JSON.stringify(got));
        assert.notEqual(badPut.code, 0);
        assert.match(badPut.stderr, /is invalid: value: Forbidden: may not be changed in an update\./);
        const bad = await k(['patch', 'priorityclass', name, '--type=merge', '-p', '{"value":11}']);
        assert.notEqual(bad.code, 0);
        assert.match(bad.stderr, /is invalid: value: Forbidden: may not be changed in an update\./);
        const del = await k(['delete', 'pc', 'system-node-critical']);
        assert.notEqual(del.code, 0);
        assert.equal(del.stderr.trim(), 'Error from server (Forbidden): priorityclasses.scheduling.k8s.io "system-node-critical" is forbidden: this is a system priority class and cannot be deleted');
        const reserved = await k(['create', 'priorityclass', `system-${v}`, '--value=1']);
        assert.notEqual(reserved.code, 0);
        assert.match(reserved.stderr, /metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only/);
        await ok(['delete', 'pc', name]);
      });
    });
  }
});
