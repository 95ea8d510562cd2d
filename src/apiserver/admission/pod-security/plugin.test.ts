import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isStatusError, type StatusError } from '../../../api/errors.ts';
import type { KubeObject } from '../../../api/meta.ts';
import { lookupResource } from '../../../api/scheme.ts';
import type { AdmissionAttributes } from '../types.ts';
import { policyToEvaluate, PRIVILEGED_POLICY, levelVersionString } from './levels.ts';
import { isSignificantPodUpdate, podSecurity, type PodSecurityConfiguration } from './plugin.ts';

const ns = (name: string, labels: Record<string, string> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

const privilegedPod = (name: string, extra: Record<string, unknown> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' },
  spec: { containers: [{ name: 'c', image: 'busybox', securityContext: { privileged: true } }], ...extra },
});

const restrictedPod = (name: string): KubeObject => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns' },
  spec: {
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'c', image: 'busybox', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
  },
});

interface Run { warnings: string[]; audits: Array<Record<string, string>>; error?: StatusError }

function setup(namespaces: KubeObject[], pods: KubeObject[] = [], config?: PodSecurityConfiguration) {
  const audits: Array<Record<string, string>> = [];
  const plugin = podSecurity({
    ...(config ? { config } : {}),
    getNamespace: (name) => Promise.resolve(namespaces.find((n) => n.metadata.name === name)),
    listPods: (namespace) => Promise.resolve(pods.filter((p) => p.metadata.namespace === namespace)),
    audit: (_a, annotations) => { audits.push(annotations); },
  });
  return async (resource: [group: string, version: string, resource: string], op: AdmissionAttributes['operation'], object: KubeObject, opts: { oldObject?: KubeObject; subresource?: string; user?: string; namespace?: string } = {}): Promise<Run> => {
    const info = lookupResource(...resource);
    assert.ok(info);
    const warnings: string[] = [];
    audits.length = 0;
    const a: AdmissionAttributes = {
      info, operation: op, namespace: opts.namespace ?? object.metadata.namespace ?? '', name: object.metadata.name ?? '',
      subresource: opts.subresource ?? '', object, ...(opts.oldObject ? { oldObject: opts.oldObject } : {}),
      user: { name: opts.user ?? 'jane', groups: [] }, dryRun: false, warn: (m) => warnings.push(m),
    };
    try {
      await plugin.validate!(a);
      return { warnings, audits: [...audits] };
    } catch (err) {
      assert.ok(isStatusError(err), String(err));
      return { warnings, audits: [...audits], error: err };
    }
  };
}

const PODS: [string, string, string] = ['', 'v1', 'pods'];
const NAMESPACES: [string, string, string] = ['', 'v1', 'namespaces'];
const DEPLOYMENTS: [string, string, string] = ['apps', 'v1', 'deployments'];

test('namespace labels choose the policy; unlabelled namespaces are privileged; enforce raises warn', () => {
  assert.deepEqual(policyToEvaluate(undefined, PRIVILEGED_POLICY).policy, PRIVILEGED_POLICY);
  const { policy, errors } = policyToEvaluate({ 'pod-security.kubernetes.io/enforce': 'baseline', 'pod-security.kubernetes.io/enforce-version': 'v1.30' }, PRIVILEGED_POLICY);
  assert.deepEqual(errors, []);
  assert.equal(levelVersionString(policy.enforce), 'baseline:v1.30');
  assert.equal(levelVersionString(policy.warn), 'baseline:v1.30');
  assert.equal(levelVersionString(policy.audit), 'privileged:latest');
  const explicitWarn = policyToEvaluate({ 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'privileged' }, PRIVILEGED_POLICY).policy;
  assert.equal(explicitWarn.warn.level, 'privileged');
  const bad = policyToEvaluate({ 'pod-security.kubernetes.io/enforce': 'bogus', 'pod-security.kubernetes.io/warn': 'nope', 'pod-security.kubernetes.io/audit-version': 'v2.0' }, PRIVILEGED_POLICY);
  assert.equal(bad.policy.enforce.level, 'restricted', 'a bad enforce level fails closed');
  assert.equal(bad.policy.warn.level, 'privileged', 'a bad warn level fails open');
  assert.deepEqual(bad.errors.map((e) => [e.field, e.detail]), [
    ['metadata.labels[pod-security.kubernetes.io/enforce]', 'must be one of privileged, baseline, restricted'],
    ['metadata.labels[pod-security.kubernetes.io/audit-version]', 'must be "latest" or "v1.x"'],
    ['metadata.labels[pod-security.kubernetes.io/warn]', 'must be one of privileged, baseline, restricted'],
  ]);
});

test('enforce=restricted refuses a privileged pod with upstream\'s message, and audits it', async () => {
  const admit = setup([ns('ns', { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/audit': 'baseline' })]);
  const r = await admit(PODS, 'CREATE', privilegedPod('x'));
  assert.equal(r.error?.code, 403);
  assert.equal(r.error?.status.reason, 'Forbidden');
  assert.deepEqual(r.error?.status.details, { name: 'x', kind: 'pods' });
  assert.equal(r.error?.message, 'pods "x" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), '
    + 'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), '
    + 'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
  assert.deepEqual(r.warnings, [], 'a refused request gets no warnings');
  assert.equal(r.audits[0]?.['pod-security.kubernetes.io/enforce-policy'], 'restricted:latest');
  assert.equal(r.audits[0]?.['pod-security.kubernetes.io/audit-violations'], 'would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)');
  assert.equal((await admit(PODS, 'CREATE', restrictedPod('ok'))).error, undefined);
});

test('warn=baseline warns and admits; the label version is named in the message', async () => {
  const admit = setup([ns('ns', { 'pod-security.kubernetes.io/warn': 'baseline', 'pod-security.kubernetes.io/warn-version': 'v1.29' })]);
  const r = await admit(PODS, 'CREATE', privilegedPod('x', { hostNetwork: true }));
  assert.equal(r.error, undefined);
  assert.deepEqual(r.warnings, ['would violate PodSecurity "baseline:v1.29": host namespaces (hostNetwork=true), privileged (container "c" must not set securityContext.privileged=true)']);
});

test('unlabelled namespaces admit anything without evaluating', async () => {
  const admit = setup([ns('ns')]);
  const r = await admit(PODS, 'CREATE', privilegedPod('x'));
  assert.deepEqual([r.error, r.warnings, r.audits], [undefined, [], []]);
});

test('pod updates are checked only when an image or an ephemeral container changes; ignored subresources pass', async () => {
  const admit = setup([ns('ns', { 'pod-security.kubernetes.io/enforce': 'baseline' })]);
  const old = privilegedPod('x');
  const relabelled = structuredClone(old);
  relabelled.metadata.labels = { a: 'b' };
  assert.equal((await admit(PODS, 'UPDATE', relabelled, { oldObject: old })).error, undefined);
  const reimaged = structuredClone(old);
  (reimaged.spec as { containers: Array<{ image: string }> }).containers[0]!.image = 'busybox:2';
  assert.equal((await admit(PODS, 'UPDATE', reimaged, { oldObject: old })).error?.code, 403);
  assert.equal((await admit(PODS, 'UPDATE', reimaged, { oldObject: old, subresource: 'status' })).error, undefined);
  const spec = { containers: [{ name: 'c', image: 'a' }] };
  assert.equal(isSignificantPodUpdate(spec, spec), false);
  assert.equal(isSignificantPodUpdate({ ...spec, ephemeralContainers: [{ name: 'd', image: 'x' }] }, spec), true);
  assert.equal(isSignificantPodUpdate({ ...spec, initContainers: [{ name: 'i' }] }, spec), true);
});

test('workloads in an enforce namespace are admitted with a warning about their template', async () => {
  const admit = setup([ns('ns', { 'pod-security.kubernetes.io/enforce': 'restricted' })]);
  const deploy: KubeObject = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'ns' },
    spec: { selector: { matchLabels: { a: 'b' } }, template: { metadata: { labels: { a: 'b' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } } },
  };
  const r = await admit(DEPLOYMENTS, 'CREATE', deploy);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.warnings, ['would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "web" must set securityContext.allowPrivilegeEscalation=false), '
    + 'unrestricted capabilities (container "web" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot != true (pod or container "web" must set securityContext.runAsNonRoot=true), '
    + 'seccompProfile (pod or container "web" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")']);
  const cron: KubeObject = {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'cj', namespace: 'ns' },
    spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { hostPID: true, containers: [{ name: 'j', image: 'x' }] } } } } },
  };
  const rc = await admit(['batch', 'v1', 'cronjobs'], 'CREATE', cron);
  assert.match(rc.warnings[0] ?? '', /^would violate PodSecurity "restricted:latest": host namespaces \(hostPID=true\), allowPrivilegeEscalation != false/);
  assert.deepEqual((await admit(DEPLOYMENTS, 'UPDATE', deploy, { oldObject: deploy, subresource: 'status' })).warnings, []);
});

test('exemptions: namespaces, users and runtime classes (none by default)', async () => {
  const labels = { 'pod-security.kubernetes.io/enforce': 'baseline' };
  const admit = setup([ns('ns', labels), ns('free', labels)], [], { exemptions: { namespaces: ['free'], usernames: ['system:admin'], runtimeClasses: ['kata'] } });
  assert.equal((await admit(PODS, 'CREATE', privilegedPod('x'))).error?.code, 403);
  const inFree = privilegedPod('x');
  inFree.metadata.namespace = 'free';
  const r = await admit(PODS, 'CREATE', inFree);
  assert.equal(r.error, undefined);
  assert.deepEqual(r.audits, [{ 'pod-security.kubernetes.io/exempt': 'namespace' }]);
  assert.equal((await admit(PODS, 'CREATE', privilegedPod('x'), { user: 'system:admin' })).error, undefined);
  assert.equal((await admit(PODS, 'CREATE', privilegedPod('x', { runtimeClassName: 'kata' }))).error, undefined);
  const w = await admit(NAMESPACES, 'CREATE', ns('free', { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/warn': 'baseline' }));
  assert.deepEqual(w.warnings, ['namespace "free" is exempt from Pod Security, and the policy (enforce=restricted:latest, warn=baseline:latest) will be ignored']);
});

test('namespace labels with a bad level or version are a 422 on create, and on update only when they change', async () => {
  const admit = setup([]);
  const r = await admit(NAMESPACES, 'CREATE', ns('bad', { 'pod-security.kubernetes.io/enforce': 'bogus' }));
  assert.equal(r.error?.code, 422);
  assert.equal(r.error?.message, 'Namespace "bad" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": must be one of privileged, baseline, restricted');
  const stillBad = ns('bad', { 'pod-security.kubernetes.io/enforce': 'bogus', other: 'x' });
  assert.equal((await admit(NAMESPACES, 'UPDATE', stillBad, { oldObject: ns('bad', { 'pod-security.kubernetes.io/enforce': 'bogus' }) })).error, undefined);
  const v = await admit(NAMESPACES, 'UPDATE', ns('bad', { 'pod-security.kubernetes.io/enforce-version': '1.30' }), { oldObject: ns('bad') });
  assert.equal(v.error?.message, 'Namespace "bad" is invalid: metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: "1.30": must be "latest" or "v1.x"');
});

test('tightening a namespace\'s enforce level warns about the existing pods that would violate it', async () => {
  const owned = (name: string, uid: string): KubeObject => {
    const p = privilegedPod(name);
    p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid, controller: true }];
    return p;
  };
  const pods = [owned('web-2', 'u1'), owned('web-1', 'u1'), owned('web-3', 'u1'), privilegedPod('solo', { hostNetwork: true }), restrictedPod('fine')];
  const admit = setup([], pods);
  const r = await admit(NAMESPACES, 'UPDATE', ns('ns', { 'pod-security.kubernetes.io/enforce': 'baseline' }), { oldObject: ns('ns') });
  assert.equal(r.error, undefined);
  assert.deepEqual(r.warnings, [
    'existing pods in namespace "ns" violate the new PodSecurity enforce level "baseline:latest"',
    'solo: host namespaces, privileged',
    'web-1 (and 2 other pods): privileged',
  ]);
  // Relaxing, or keeping the same level, checks nothing.
  const relaxed = await admit(NAMESPACES, 'UPDATE', ns('ns', { 'pod-security.kubernetes.io/enforce': 'baseline' }), { oldObject: ns('ns', { 'pod-security.kubernetes.io/enforce': 'restricted' }) });
  assert.deepEqual(relaxed.warnings, []);
  const two = await admit(NAMESPACES, 'UPDATE', ns('ns', { 'pod-security.kubernetes.io/enforce': 'restricted' }), { oldObject: ns('ns', { 'pod-security.kubernetes.io/enforce': 'baseline' }) });
  assert.equal(two.warnings[0], 'existing pods in namespace "ns" violate the new PodSecurity enforce level "restricted:latest"');
});

test('an enforce-version label applies the checks as of that version and names it', async () => {
  const admit = setup([ns('ns', { 'pod-security.kubernetes.io/enforce': 'restricted', 'pod-security.kubernetes.io/enforce-version': 'v1.21' })]);
  const r = await admit(PODS, 'CREATE', privilegedPod('x'));
  assert.equal(r.error?.message, 'pods "x" is forbidden: violates PodSecurity "restricted:v1.21": privileged (container "c" must not set securityContext.privileged=true), '
    + 'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), '
    + 'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")');
});
