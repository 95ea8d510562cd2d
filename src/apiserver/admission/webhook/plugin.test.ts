import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import type { KubeObject } from '../../../api/meta.ts';
import { lookupResource, type ResourceInfo } from '../../../api/scheme.ts';
import type { MutatingWebhook, MutatingWebhookConfiguration, ValidatingWebhookConfiguration } from '../../../api/types/admissionregistration-v1-webhooks.ts';
import { isStatusError } from '../../../api/errors.ts';
import { createCa, issueCert } from '../../auth/certs.ts';
import { admit, type AdmissionAttributes, type AdmissionPlugin } from '../types.ts';
import { mutatingAdmissionWebhook, validatingAdmissionWebhook, type WebhookSource } from './plugin.ts';

type Review = { request: Record<string, any> };
type Handler = (review: Review) => Record<string, unknown>;

let server: Server;
let base = '';
let caBundle = '';
const handlers = new Map<string, Handler>();
const seen: Array<{ path: string; review: Review }> = [];

before(async () => {
  const ca = await createCa('webhook-test-ca', 1);
  const leaf = await issueCert(ca, { cn: 'webhook', usage: 'server', ips: ['127.0.0.1'], days: 1 });
  caBundle = Buffer.from(ca.certPem).toString('base64');
  server = createServer({ cert: leaf.certPem, key: leaf.keyPem }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'https://x').pathname;
      const review = JSON.parse(Buffer.concat(chunks).toString()) as Review;
      seen.push({ path, review });
      const h = handlers.get(path);
      if (!h) { res.destroy(); return; }
      if (path === '/slow') return; // never answers
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: review.request.uid, ...h(review) } }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => { server.closeAllConnections(); server.close(); });

const patch = (ops: unknown[]): Record<string, unknown> => ({ allowed: true, patchType: 'JSONPatch', patch: Buffer.from(JSON.stringify(ops)).toString('base64') });

function hook(name: string, path: string, extra: Partial<MutatingWebhook> = {}): MutatingWebhook {
  return {
    name, clientConfig: { url: `${base}${path}`, caBundle }, sideEffects: 'None', admissionReviewVersions: ['v1'],
    rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: '*' }],
    failurePolicy: 'Fail', matchPolicy: 'Equivalent', namespaceSelector: {}, objectSelector: {}, timeoutSeconds: 10, reinvocationPolicy: 'Never',
    ...extra,
  };
}

function source(mutating: MutatingWebhookConfiguration[], validating: ValidatingWebhookConfiguration[] = [], nsLabels: Record<string, Record<string, string>> = {}): WebhookSource {
  return {
    mutating: async () => mutating, validating: async () => validating,
    namespaceLabels: async (n) => nsLabels[n] ?? {},
    service: () => undefined, endpointSlices: () => [],
  };
}

const pods = lookupResource('', 'v1', 'pods') as ResourceInfo;

function podAttrs(extra: Partial<AdmissionAttributes> = {}): AdmissionAttributes & { warnings: string[] } {
  const warnings: string[] = [];
  const object: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns1', labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'busybox' }] } };
  return { info: pods, operation: 'CREATE', namespace: 'ns1', name: 'p', subresource: '', object, user: { name: 'jane', groups: ['dev'] }, dryRun: false, apiVersion: 'v1', warn: (m) => warnings.push(m), warnings, ...extra };
}

const cfg = <T>(name: string, webhooks: T[]): { metadata: { name: string }; webhooks: T[] } => ({ metadata: { name }, webhooks });

test('a mutating webhook\'s JSONPatch is applied and defaulted; the review carries the request as upstream builds it', async () => {
  handlers.set('/sidecar', () => ({ ...patch([{ op: 'add', path: '/spec/containers/-', value: { name: 'sidecar', image: 'busybox', bogus: 1 } }]), warnings: ['injected a sidecar'] }));
  seen.length = 0;
  const plugin = mutatingAdmissionWebhook({ source: source([cfg('a', [hook('sidecar.example.com', '/sidecar')])]) });
  const a = podAttrs();
  await plugin.mutate!(a);
  const containers = (a.object!.spec as { containers: Array<Record<string, unknown>> }).containers;
  assert.deepEqual(containers.map((c) => c.name), ['c', 'sidecar']);
  assert.equal(containers[1]!.imagePullPolicy, 'Always', 'defaults applied to what the webhook added');
  assert.equal(containers[1]!.bogus, undefined, 'fields the type lacks are dropped');
  assert.deepEqual(a.warnings, ['injected a sidecar']);
  const req = seen[0]!.review.request;
  assert.deepEqual(req.kind, { group: '', version: 'v1', kind: 'Pod' });
  assert.deepEqual(req.requestResource, { group: '', version: 'v1', resource: 'pods' });
  assert.equal(req.operation, 'CREATE');
  assert.equal(req.namespace, 'ns1');
  assert.deepEqual(req.userInfo, { username: 'jane', groups: ['dev'] });
  assert.equal(req.oldObject, null);
  assert.deepEqual(req.options, { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' });
});

test('rules, namespaceSelector and objectSelector choose the webhooks called', async () => {
  handlers.set('/count', () => ({ allowed: true }));
  const mk = (name: string, extra: Partial<MutatingWebhook>): MutatingWebhook => hook(name, '/count', extra);
  const plugin = mutatingAdmissionWebhook({
    source: source([cfg('a', [
      mk('a.wrong-op.example.com', { rules: [{ operations: ['DELETE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }] }),
      mk('b.subresource.example.com', { rules: [{ operations: ['*'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods/status'] }] }),
      mk('c.wildcard.example.com', { rules: [{ operations: ['*'], apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] }] }),
      mk('d.cluster-scope.example.com', { rules: [{ operations: ['*'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], scope: 'Cluster' }] }),
      mk('e.ns-selector.example.com', { namespaceSelector: { matchLabels: { inject: 'yes' } } }),
      mk('f.ns-selector-hit.example.com', { namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'In', values: ['blue'] }] } }),
      mk('g.obj-selector.example.com', { objectSelector: { matchLabels: { app: 'y' } } }),
      mk('h.obj-selector-hit.example.com', { objectSelector: { matchLabels: { app: 'x' } } }),
    ])], [], { ns1: { team: 'blue' } }),
  });
  seen.length = 0;
  await plugin.mutate!(podAttrs());
  assert.equal(seen.length, 3, 'c, f and h are called');
});

test('matchPolicy Equivalent reaches a webhook through the other version of the same resource; Exact does not', async () => {
  handlers.set('/events', () => ({ allowed: true }));
  const rules = [{ operations: ['CREATE' as const], apiGroups: ['events.k8s.io'], apiVersions: ['v1'], resources: ['events'] }];
  const events = lookupResource('', 'v1', 'events') as ResourceInfo;
  const object: KubeObject = { apiVersion: 'v1', kind: 'Event', metadata: { name: 'e', namespace: 'ns1' }, involvedObject: { kind: 'Pod', name: 'p' }, message: 'hello', reason: 'R' };
  const attrs = (): AdmissionAttributes => ({ ...podAttrs(), info: events, name: 'e', object: structuredClone(object) });
  seen.length = 0;
  await mutatingAdmissionWebhook({ source: source([cfg('a', [hook('exact.example.com', '/events', { rules, matchPolicy: 'Exact' })])]) }).mutate!(attrs());
  assert.equal(seen.length, 0);
  await mutatingAdmissionWebhook({ source: source([cfg('a', [hook('equiv.example.com', '/events', { rules })])]) }).mutate!(attrs());
  assert.equal(seen.length, 1);
  const req = seen[0]!.review.request;
  assert.deepEqual(req.kind, { group: 'events.k8s.io', version: 'v1', kind: 'Event' });
  assert.deepEqual(req.requestKind, { group: '', version: 'v1', kind: 'Event' });
  assert.equal(req.object.note, 'hello', 'the object in the version the webhook asked for');
});

test('a refusal answers with the webhook\'s status and upstream\'s message; validating webhooks all run', async () => {
  handlers.set('/deny', () => ({ allowed: false, result: { code: 403, reason: 'Forbidden', message: 'no pods named p' } }));
  handlers.set('/deny-bare', () => ({ allowed: false }));
  handlers.set('/allow', () => ({ allowed: true, warnings: ['looked at it'], auditAnnotations: { k: 'v' } }));
  const logged: string[] = [];
  const log = pino({ level: 'info' }, { write: (line: string) => { logged.push(line); } });
  const plugin = validatingAdmissionWebhook({ log, source: source([], [cfg('v', [hook('allow.example.com', '/allow'), hook('deny.example.com', '/deny')])]) });
  const a = podAttrs();
  await assert.rejects(async () => plugin.validate!(a), (err: unknown) => {
    assert.ok(isStatusError(err));
    assert.equal(err.code, 403);
    assert.equal(err.message, 'admission webhook "deny.example.com" denied the request: no pods named p');
    return true;
  });
  assert.deepEqual(a.warnings, ['looked at it']);
  // No audit log: audit annotations are logged, keyed as upstream keys them.
  assert.ok(logged.some((l) => l.includes('"annotation":"allow.example.com/k"') && l.includes('"value":"v"')), logged.join('\n'));
  const bare = validatingAdmissionWebhook({ source: source([], [cfg('v', [hook('bare.example.com', '/deny-bare')])]) });
  await assert.rejects(async () => bare.validate!(podAttrs()), (err: unknown) => isStatusError(err) && err.code === 400 && err.message === 'admission webhook "bare.example.com" denied the request without explanation');
});

test('failurePolicy: Fail refuses with upstream\'s message when the webhook cannot be called; Ignore lets the request through', async () => {
  const down = hook('down.example.com', '/down', { clientConfig: { url: 'https://127.0.0.1:1/x', caBundle } });
  const fail = mutatingAdmissionWebhook({ source: source([cfg('a', [down])]) });
  await assert.rejects(async () => fail.mutate!(podAttrs()), (err: unknown) => {
    assert.ok(isStatusError(err));
    assert.equal(err.code, 500);
    assert.equal(err.message, 'Internal error occurred: failed calling webhook "down.example.com": failed to call webhook: Post "https://127.0.0.1:1/x?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused');
    return true;
  });
  await mutatingAdmissionWebhook({ source: source([cfg('a', [{ ...down, failurePolicy: 'Ignore' }])]) }).mutate!(podAttrs());
  // An untrusted certificate is a call failure too.
  handlers.set('/allow2', () => ({ allowed: true }));
  const untrusted = hook('tls.example.com', '/allow2', { clientConfig: { url: `${base}/allow2` } });
  await assert.rejects(async () => validatingAdmissionWebhook({ source: source([], [cfg('v', [untrusted])]) }).validate!(podAttrs()), /failed calling webhook "tls.example.com": failed to call webhook: Post .*certificate signed by unknown authority/);
});

test('timeoutSeconds bounds the call', async () => {
  handlers.set('/slow', () => ({ allowed: true }));
  const slow = hook('slow.example.com', '/slow', { timeoutSeconds: 1 });
  await assert.rejects(async () => mutatingAdmissionWebhook({ source: source([cfg('a', [slow])]) }).mutate!(podAttrs()), /failed calling webhook "slow.example.com": failed to call webhook: Post "https:\/\/127\.0\.0\.1:\d+\/slow\?timeout=1s": context deadline exceeded/);
});

test('dry-run requests are refused by webhooks with side effects, sent to the others', async () => {
  handlers.set('/allow', () => ({ allowed: true }));
  const unknown = hook('unknown.example.com', '/allow', { sideEffects: 'Unknown' });
  await assert.rejects(async () => mutatingAdmissionWebhook({ source: source([cfg('a', [unknown])]) }).mutate!(podAttrs({ dryRun: true })), (err: unknown) =>
    isStatusError(err) && err.code === 400 && err.message === 'admission webhook "unknown.example.com" does not support dry run');
  seen.length = 0;
  await mutatingAdmissionWebhook({ source: source([cfg('a', [hook('none.example.com', '/allow', { sideEffects: 'NoneOnDryRun' })])]) }).mutate!(podAttrs({ dryRun: true }));
  assert.equal(seen[0]!.review.request.dryRun, true);
});

test('reinvocationPolicy IfNeeded calls a webhook again once a later one changed the object; in-tree plugins run again too', async () => {
  handlers.set('/label', () => ({ allowed: true }));
  handlers.set('/late', (r) => (r.request.object.metadata.labels?.late ? { allowed: true } : patch([{ op: 'add', path: '/metadata/labels/late', value: 'yes' }])));
  seen.length = 0;
  let inTree = 0;
  const counter: AdmissionPlugin = { name: 'Counter', mutate: () => { inTree++; } };
  const plugin = mutatingAdmissionWebhook({ source: source([cfg('a', [hook('first.example.com', '/label', { reinvocationPolicy: 'IfNeeded' }), hook('second.example.com', '/late')])]) });
  await admit([counter, plugin], podAttrs());
  assert.deepEqual(seen.map((s) => s.path), ['/label', '/late', '/label']);
  assert.equal(seen[2]!.review.request.object.metadata.labels.late, 'yes');
  assert.equal(inTree, 2, 'the in-tree plugin is reinvoked');
  // Nothing changed: one round, no reinvocation.
  seen.length = 0;
  inTree = 0;
  await admit([counter, mutatingAdmissionWebhook({ source: source([cfg('a', [hook('first.example.com', '/label', { reinvocationPolicy: 'IfNeeded' })])]) })], podAttrs());
  assert.deepEqual([seen.length, inTree], [1, 1]);
});

test('a patch giving a field the wrong type refuses the write', async () => {
  handlers.set('/badtype', () => patch([{ op: 'replace', path: '/spec/containers/0/image', value: 7 }]));
  await assert.rejects(async () => mutatingAdmissionWebhook({ source: source([cfg('a', [hook('bt.example.com', '/badtype')])]) }).mutate!(podAttrs()),
    (err: unknown) => isStatusError(err) && err.code === 500 && /^Internal error occurred: spec\.containers\[0\]\.image: /.test(err.message));
});

test('invalid answers are call failures', async () => {
  handlers.set('/nopatchtype', () => ({ allowed: true, patch: Buffer.from('[]').toString('base64') }));
  await assert.rejects(async () => mutatingAdmissionWebhook({ source: source([cfg('a', [hook('np.example.com', '/nopatchtype')])]) }).mutate!(podAttrs()),
    /failed calling webhook "np.example.com": received invalid webhook response: webhook returned response.patch but not response.patchType/);
});

test('matchConditions (CEL): all true calls the webhook, one false skips it, an error follows failurePolicy', async () => {
  handlers.set('/allow', () => ({ allowed: true }));
  const withConds = (name: string, exprs: string[], failurePolicy: 'Fail' | 'Ignore' = 'Fail'): MutatingWebhook =>
    hook(name, '/allow', { failurePolicy, matchConditions: exprs.map((expression, i) => ({ name: `c${i}`, expression })) });
  const calls = async (h: MutatingWebhook): Promise<number> => {
    seen.length = 0;
    await mutatingAdmissionWebhook({ source: source([cfg('a', [h])]) }).mutate!(podAttrs());
    return seen.length;
  };
  assert.equal(await calls(withConds('t.example.com', ["object.metadata.name == 'p'", "request.userInfo.username == 'jane'", 'oldObject == null'])), 1);
  assert.equal(await calls(withConds('f.example.com', ["request.operation == 'UPDATE'", 'object.spec.nosuch == 1'])), 0, 'false wins over an error');
  assert.equal(await calls(withConds('i.example.com', ['object.spec.nosuch == 1'], 'Ignore')), 0);
  await assert.rejects(async () => calls(withConds('e.example.com', ['object.spec.nosuch == 1'])), (err: unknown) => {
    assert.ok(isStatusError(err));
    assert.equal(err.code, 403);
    assert.match(err.message, /^pods "p" is forbidden: expression 'object\.spec\.nosuch == 1' resulted in error: no such key: nosuch/);
    return true;
  });
});
