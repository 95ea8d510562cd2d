import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../meta.ts';
import { applyDefaults } from '../defaults/index.ts';
import { RESOURCES, VIRTUAL_RESOURCES } from '../scheme.ts';
import { validateCreate, validateUpdate } from '../validation/index.ts';
import { INT_OR_STRING, MICRO_TIME, QUANTITY, TIME, type Schema } from './dsl.ts';
import { definitionNameFor, getDefinition } from './index.ts';
import { checkTypes, decodeTypeError, describeTypeErrors, normalizeTypes, patchTypeError } from './typecheck.ts';

const POD = 'io.k8s.api.core.v1.Pod';
const CM = 'io.k8s.api.core.v1.ConfigMap';
const SECRET = 'io.k8s.api.core.v1.Secret';
const DEPLOY = 'io.k8s.api.apps.v1.Deployment';
const SVC = 'io.k8s.api.core.v1.Service';
const EVENT = 'io.k8s.api.events.v1.Event';

const pod = (spec: Record<string, unknown>, metadata: Record<string, unknown> = { name: 'p' }): Record<string, unknown> =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });
const fields = (def: string, v: unknown): string[] => checkTypes(def, v).map((e) => e.field);

void test('a well-typed pod has no errors', () => {
  const p = pod({
    containers: [{
      name: 'c', image: 'busybox', command: ['sh'], ports: [{ containerPort: 80, protocol: 'TCP' }],
      resources: { limits: { cpu: '500m', memory: 128974848 } },
      readinessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 5 },
      securityContext: { runAsUser: 1000, privileged: false },
    }],
    terminationGracePeriodSeconds: 30, shareProcessNamespace: true,
  }, { name: 'p', labels: { a: 'b' }, finalizers: ['x/y'], creationTimestamp: '2024-02-29T12:00:00Z', ownerReferences: [] });
  assert.deepEqual(checkTypes(POD, p), []);
});

void test('JSON types per schema: object, array, string, integer, number, boolean', () => {
  assert.deepEqual(fields(POD, { metadata: 5 }), ['metadata']);
  assert.deepEqual(fields(POD, pod({ containers: {} })), ['spec.containers']);
  assert.deepEqual(fields(POD, pod({ containers: [{ name: 'c', ports: 'x' }] })), ['spec.containers[0].ports']);
  assert.deepEqual(fields(POD, pod({ containers: [{ name: 'c', ports: [5] }] })), ['spec.containers[0].ports[0]']);
  assert.deepEqual(fields(POD, pod({ containers: [{ name: 5 }] })), ['spec.containers[0].name']);
  assert.deepEqual(fields(POD, pod({ shareProcessNamespace: 'str' })), ['spec.shareProcessNamespace']);
  assert.deepEqual(fields(POD, pod({}, { finalizers: 5 })), ['metadata.finalizers']);
  assert.deepEqual(fields(POD, pod({}, { finalizers: true })), ['metadata.finalizers']);
  assert.deepEqual(fields(POD, pod({}, { finalizers: [1] })), ['metadata.finalizers[0]']);
  assert.deepEqual(fields(POD, pod({}, { ownerReferences: 'str' })), ['metadata.ownerReferences']);
  assert.deepEqual(fields(CM, { metadata: {}, data: 'x' }), ['data']);
  assert.deepEqual(fields(CM, { metadata: {}, data: { k: 1 } }), ['data[k]']);
  assert.deepEqual(fields(DEPLOY, { metadata: {}, spec: { paused: 'str' } }), ['spec.paused']);
  assert.deepEqual(fields(DEPLOY, { metadata: {}, spec: { replicas: '3' } }), ['spec.replicas']);
  const [e] = checkTypes(POD, pod({ containers: {} }));
  assert.equal(e?.detail, 'cannot unmarshal object into a field of type []v1.Container');
});

void test('integers: int32 and int64 ranges, no fractions, no rounded giants', () => {
  const port = (n: number) => fields(POD, pod({ containers: [{ name: 'c', ports: [{ containerPort: n }] }] }));
  assert.deepEqual(port(65535), []);
  assert.deepEqual(port(2147483647), []);
  assert.deepEqual(port(-2147483648), []);
  assert.deepEqual(port(2147483648), ['spec.containers[0].ports[0].containerPort']);
  assert.deepEqual(port(-2147483649), ['spec.containers[0].ports[0].containerPort']);
  assert.deepEqual(port(1.5), ['spec.containers[0].ports[0].containerPort']);
  const grace = (n: number) => fields(POD, pod({ terminationGracePeriodSeconds: n }));
  assert.deepEqual(grace(2 ** 40), []);
  assert.deepEqual(grace(Number.MAX_SAFE_INTEGER), []);
  // JSON.parse has already rounded 9007199254740993 to 2^53: refuse rather than store another number.
  assert.deepEqual(grace(JSON.parse('9007199254740993') as number), ['spec.terminationGracePeriodSeconds']);
  assert.deepEqual(grace(0.5), ['spec.terminationGracePeriodSeconds']);
  assert.deepEqual(fields(POD, pod({ terminationGracePeriodSeconds: JSON.parse('1e400') as number })), ['spec.terminationGracePeriodSeconds']);
});

void test('int-or-string, Quantity, Time and byte formats', () => {
  const probePort = (port: unknown) => fields(POD, pod({ containers: [{ name: 'c', livenessProbe: { tcpSocket: { port } } }] }));
  assert.deepEqual(probePort(8080), []);
  assert.deepEqual(probePort('http'), []);
  assert.deepEqual(probePort(true), ['spec.containers[0].livenessProbe.tcpSocket.port']);
  assert.deepEqual(probePort(1.5), ['spec.containers[0].livenessProbe.tcpSocket.port']);
  assert.deepEqual(probePort(2 ** 31), ['spec.containers[0].livenessProbe.tcpSocket.port']);

  const limit = (q: unknown) => fields(POD, pod({ containers: [{ name: 'c', resources: { limits: { cpu: q } } }] }));
  for (const ok of ['100m', '1Gi', '0.5', '1e3', 2, 0.25, -1]) assert.deepEqual(limit(ok), [], String(ok));
  for (const bad of ['1x', '', 'abc', true, [], {}]) assert.deepEqual(limit(bad), ['spec.containers[0].resources.limits[cpu]'], JSON.stringify(bad));

  const created = (t: unknown) => fields(POD, { metadata: { creationTimestamp: t } });
  for (const ok of ['2024-01-01T00:00:00Z', '2024-02-29T23:59:59.123456+05:30', '2000-12-31T00:00:00-08:00']) assert.deepEqual(created(ok), [], ok);
  for (const bad of ['', 'yesterday', '2024-01-01', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01t00:00:00z', 5, {}]) {
    assert.deepEqual(created(bad), ['metadata.creationTimestamp'], JSON.stringify(bad));
  }
  assert.deepEqual(fields(EVENT, { metadata: {}, eventTime: '2024-01-01T00:00:00.000000Z' }), []);

  const secret = (v: unknown) => fields(SECRET, { metadata: {}, data: { k: v } });
  for (const ok of ['', 'aGk=', 'aGVsbG8=', 'aGVs\nbG8=']) assert.deepEqual(secret(ok), [], ok);
  for (const bad of ['aGk', 'not base64!', 'a===', 5]) assert.deepEqual(secret(bad), ['data[k]'], JSON.stringify(bad));
  assert.deepEqual(fields(SECRET, { metadata: {}, stringData: { k: 'plain text' } }), []);
});

void test('maps with additionalProperties and preserve-unknown-fields', () => {
  assert.deepEqual(fields(POD, pod({}, { labels: { a: 'b', c: 5 } })), ['metadata.labels[c]']);
  assert.deepEqual(fields(POD, pod({}, { labels: ['a'] })), ['metadata.labels']);
  // managedFields[].fieldsV1 is free-form (a trie of field keys): anything goes.
  assert.deepEqual(fields(POD, pod({}, { managedFields: [{ manager: 'm', fieldsV1: { 'f:spec': { 'f:x': {} }, n: 5 } }] })), []);
  // Unknown fields are strict field validation's business, not decoding's.
  assert.deepEqual(fields(POD, pod({ notAField: 5, containers: [{ name: 'c', imagee: 5 }] })), []);
});

void test('null is accepted wherever Go accepts it, and normalised to what Go decodes', () => {
  const p = pod({
    containers: [null, { name: 'c', args: [null, 'x'], ports: null, env: [{ name: 'A', value: null }], resources: { limits: { cpu: null } } }],
    securityContext: null,
  }, { name: 'p', labels: { a: null }, creationTimestamp: null, finalizers: [null] });
  p.status = null;
  assert.deepEqual(checkTypes(POD, p), []);
  const before = JSON.stringify(p);
  assert.deepEqual(checkTypes(POD, p), []);
  assert.equal(JSON.stringify(p), before, 'checkTypes does not change its input');
  assert.deepEqual(normalizeTypes(POD, p), []);
  assert.deepEqual(p, {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', labels: { a: '' }, finalizers: [''] },
    spec: { containers: [{}, { name: 'c', args: ['', 'x'], env: [{ name: 'A' }], resources: { limits: { cpu: '0' } } }] },
  });
  const top = { metadata: null, spec: null };
  assert.deepEqual(normalizeTypes(POD, top), []);
  assert.deepEqual(top, {});
  // Free-form values keep their nulls: a RawExtension holds what it was given.
  const rev = { metadata: {}, revision: 1, data: { a: null } };
  assert.deepEqual(normalizeTypes('io.k8s.api.apps.v1.ControllerRevision', rev), []);
  assert.deepEqual(rev.data, { a: null });
});

void test('paths index arrays, key maps and cap what they echo', () => {
  const key = 'k'.repeat(10_000);
  const [e] = checkTypes(CM, { data: { [key]: 1 } });
  assert.ok(e);
  assert.ok(e.field.length < 100, e.field);
  const [q] = checkTypes(POD, pod({ containers: [{ name: 'c', resources: { requests: { cpu: 'x'.repeat(100_000) } } }] }));
  assert.ok(q && q.detail.length < 300, q?.detail.slice(0, 300));
  const many = { metadata: { labels: Object.fromEntries(Array.from({ length: 1000 }, (_, i) => [`l${i}`, i])) } };
  assert.equal(checkTypes(POD, many).length, 16, 'errors are capped');
});

void test('deep input does not overflow the stack', () => {
  let deep: unknown = 'leaf';
  for (let i = 0; i < 10_000; i++) deep = { a: deep, b: [deep] };
  // Under a free-form or unknown field nothing is walked; under a typed field the first level is refused.
  assert.deepEqual(checkTypes(POD, pod({ containers: [{ name: 'c', notAField: deep }] })), []);
  assert.deepEqual(fields(POD, pod({ containers: deep })), ['spec.containers']);
  let arrays: unknown = [];
  for (let i = 0; i < 10_000; i++) arrays = [arrays];
  assert.deepEqual(fields(POD, pod({ containers: [{ name: 'c', command: arrays }] })), ['spec.containers[0].command[0]']);
  assert.deepEqual(fields(POD, pod({ containers: [{ name: 'c', command: ['a', arrays] }] })), ['spec.containers[0].command[1]']);
});

void test('large inputs are walked once (counts, not clocks)', () => {
  // Linear: the work is one visit per value, so a 100,000-element list and 50,000 env vars finish
  // promptly and every bad element is found in order up to the cap.
  const command = Array.from({ length: 100_000 }, (_, i) => `arg${i}`);
  const env = Array.from({ length: 50_000 }, (_, i) => ({ name: `E${i}`, value: String(i) }));
  assert.deepEqual(checkTypes(POD, pod({ containers: [{ name: 'c', command, env }] })), []);
  const ports = Array.from({ length: 20_000 }, (_, i) => ({ port: i + 1, targetPort: i % 2 ? 'http' : i + 1 }));
  assert.deepEqual(checkTypes(SVC, { metadata: {}, spec: { ports } }), []);
  command[99_999] = 5 as unknown as string;
  assert.deepEqual(fields(POD, pod({ containers: [{ name: 'c', command }] })), ['spec.containers[0].command[99999]']);
});

void test('unknown definitions and free-form roots accept anything', () => {
  assert.deepEqual(checkTypes('io.example.v1.Nope', { a: 1 }), []);
  assert.deepEqual(checkTypes('io.k8s.apimachinery.pkg.runtime.RawExtension', [1, 'x']), []);
});

void test('errors become upstream-shaped statuses', () => {
  const errs = checkTypes(POD, pod({ containers: {} }));
  const bad = decodeTypeError('Pod', 'v1', errs);
  assert.equal(bad.code, 400);
  assert.equal(bad.reason, 'BadRequest');
  assert.equal(bad.message, 'Pod in version "v1" cannot be handled as a Pod: spec.containers: cannot unmarshal object into a field of type []v1.Container');
  const inv = patchTypeError('Pod', '', 'p', errs);
  assert.equal(inv.code, 422);
  assert.equal(inv.status.details?.causes?.[0]?.field, 'patch');
  assert.match(inv.message, /^Pod "p" is invalid: patch: Invalid value: .*spec\.containers/);
  assert.equal(describeTypeErrors([{ field: '', detail: 'x' }]), 'x');
});

// ---- what passes the check is safe downstream ----

/** Seeded generator of values the schema types allow (nulls included, as clients send them). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
const STRINGS = ['', 'a', 'web', 'x-y', 'TCP', 'Always', 'A B', '100m', '1.2.3.4', '/p', 'Exists', 'In', 'True', 'kubernetes.io/x', '*'];

function typedValue(s: Schema, r: () => number, depth: number): unknown {
  if (depth > 0 && r() < 0.05) return null;
  if (s.$ref === QUANTITY) return pick(r, [0, 1, '1', '100m', '1Gi', -1, '0.5']);
  if (s.$ref === INT_OR_STRING || s['x-kubernetes-int-or-string']) return pick(r, [0, 1, 8080, 'http', '50%', '', 'x%', -1]);
  if (s.$ref === TIME || s.$ref === MICRO_TIME) return '2024-01-01T00:00:00Z';
  if (s.$ref) return typedValue(getDefinition(s.$ref) ?? {}, r, depth);
  if (s['x-kubernetes-preserve-unknown-fields']) return r() < 0.5 ? {} : { a: 1 };
  if (s.enum && r() < 0.8) return pick(r, s.enum);
  switch (s.type) {
    case 'object': {
      const o: Record<string, unknown> = {};
      if (depth > 12) return o;
      if (s.properties) {
        for (const [k, p] of Object.entries(s.properties)) if (r() < 0.45) o[k] = typedValue(p, r, depth + 1);
      } else if (typeof s.additionalProperties === 'object') {
        for (let i = Math.floor(r() * 3); i > 0; i--) o[pick(r, ['a', 'b/c', '', 'cpu', 'memory', 'x.io/y'])] = typedValue(s.additionalProperties, r, depth + 1);
      }
      return o;
    }
    case 'array': return depth > 12 ? [] : Array.from({ length: Math.floor(r() * 3) }, () => typedValue(s.items ?? {}, r, depth + 1));
    case 'string': return s.format === 'byte' ? 'aGk=' : s.format === 'date-time' ? '2024-01-01T00:00:00Z' : pick(r, STRINGS);
    case 'integer': return pick(r, [0, 1, -1, 3, 65536, 2147483647, -2147483648]);
    case 'number': return pick(r, [0, 0.5, -1, 1e9]);
    case 'boolean': return r() < 0.5;
    default: return r() < 0.5 ? {} : 'x';
  }
}

void test('defaulting and validation never throw on what passed the check', () => {
  for (const info of RESOURCES) {
    if (VIRTUAL_RESOURCES.has(info.resource)) continue;
    const def = definitionNameFor(info.group, info.version, info.kind);
    assert.ok(def, info.kind);
    const r = rng(info.resource.length * 7919);
    const make = (): KubeObject => {
      const o = typedValue({ $ref: def }, r, 0) as KubeObject;
      assert.deepEqual(normalizeTypes(def, o), [], `${info.kind}: the generator made a wrongly typed value`);
      o.metadata ??= {};
      o.metadata.name = 'n';
      if (info.namespaced) o.metadata.namespace = 'ns';
      else delete o.metadata.namespace;
      return o;
    };
    for (let i = 0; i < 60; i++) {
      const a = make();
      const b = make();
      try {
        applyDefaults(info, a);
        validateCreate(info, a);
        applyDefaults(info, b);
        validateUpdate(info, b, a);
      } catch (err) {
        assert.fail(`${info.kind}: ${(err as Error).stack ?? String(err)}\n${JSON.stringify(a).slice(0, 2000)}\n${JSON.stringify(b).slice(0, 2000)}`);
      }
    }
  }
});
