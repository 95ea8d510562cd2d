import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { KubeObject } from '../meta.ts';
import { lookupResource, type ResourceInfo } from '../scheme.ts';
import { escapeFieldValue, matchesFields, parseFieldSelector, selectableFields, SelectorParseError, validateFieldSelector } from './fields.ts';

const info = (group: string, version: string, resource: string): ResourceInfo => {
  const r = lookupResource(group, version, resource);
  assert.ok(r);
  return r;
};
const pods = info('', 'v1', 'pods');

describe('parseFieldSelector', () => {
  it('parses =, == and != terms', () => {
    assert.deepEqual(parseFieldSelector('status.phase=Running,spec.nodeName!=,metadata.name==a').requirements, [
      { field: 'status.phase', operator: '=', value: 'Running' },
      { field: 'spec.nodeName', operator: '!=', value: '' },
      { field: 'metadata.name', operator: '==', value: 'a' },
    ]);
    assert.deepEqual(parseFieldSelector('').requirements, []);
  });

  it('unescapes values', () => {
    const expr = parseFieldSelector(String.raw`metadata.name=a\,b\=c\\d,type=x`);
    assert.equal(expr.requirements[0]?.value, String.raw`a,b=c\d`);
    assert.equal(expr.requirements[1]?.value, 'x');
    assert.equal(escapeFieldValue(String.raw`a,b=c\d`), String.raw`a\,b\=c\\d`);
  });

  it('rejects terms without an operator and bad escapes', () => {
    assert.throws(() => parseFieldSelector('foo'), /invalid selector: 'foo'; can't understand 'foo'/);
    assert.throws(() => parseFieldSelector('a=b=c'), (e: unknown) => e instanceof SelectorParseError && /unescaped character/.test(e.message));
    assert.throws(() => parseFieldSelector(String.raw`a=b\x`), /invalid escape sequence/);
  });
});

describe('selectableFields and matching', () => {
  const pod: KubeObject = {
    metadata: { name: 'web', namespace: 'default' },
    spec: { nodeName: 'n1', restartPolicy: 'Always', schedulerName: 'default-scheduler', serviceAccountName: 'default' },
    status: { phase: 'Running', podIP: '10.0.0.5', podIPs: [{ ip: '10.0.0.5' }] },
  };

  it('exposes the pod fields', () => {
    const f = selectableFields(pods, pod);
    assert.equal(f['spec.nodeName'], 'n1');
    assert.equal(f['spec.hostNetwork'], 'false');
    assert.equal(f['status.podIP'], '10.0.0.5');
    assert.ok(matchesFields(parseFieldSelector('status.phase=Running,metadata.namespace=default'), f));
    assert.ok(!matchesFields(parseFieldSelector('spec.nodeName!=n1'), f));
    assert.ok(matchesFields(parseFieldSelector('status.nominatedNodeName='), f));
  });

  it('exposes event fields for both event APIs', () => {
    const core = selectableFields(info('', 'v1', 'events'), { metadata: { name: 'e' }, involvedObject: { kind: 'Pod', name: 'web' }, source: { component: 'kubelet' }, type: 'Normal' });
    assert.equal(core['involvedObject.kind'], 'Pod');
    assert.equal(core.source, 'kubelet');
    const ev = selectableFields(info('events.k8s.io', 'v1', 'events'), { metadata: { name: 'e' }, regarding: { kind: 'Pod', name: 'web' }, reportingController: 'kubelet' });
    assert.equal(ev['involvedObject.name'], 'web');
    assert.equal(ev.reportingComponent, 'kubelet');
  });

  it('exposes per-kind fields', () => {
    assert.equal(selectableFields(info('', 'v1', 'secrets'), { metadata: {}, type: 'Opaque' }).type, 'Opaque');
    assert.equal(selectableFields(info('', 'v1', 'nodes'), { metadata: { name: 'n' }, spec: { unschedulable: true } })['spec.unschedulable'], 'true');
    assert.equal(selectableFields(info('apps', 'v1', 'replicasets'), { metadata: {}, status: { replicas: 3 } })['status.replicas'], '3');
    assert.equal(selectableFields(info('batch', 'v1', 'jobs'), { metadata: {}, status: { succeeded: 1 } })['status.successful'], '1');
    assert.equal(selectableFields(info('', 'v1', 'namespaces'), { metadata: { name: 'x' }, status: { phase: 'Active' } })['status.phase'], 'Active');
  });

  it('rejects unsupported field labels', () => {
    assert.doesNotThrow(() => validateFieldSelector(pods, parseFieldSelector('spec.nodeName=a,metadata.name=b')));
    assert.throws(() => validateFieldSelector(pods, parseFieldSelector('foo=bar')), { message: 'field label not supported: foo' });
    assert.throws(() => validateFieldSelector(info('', 'v1', 'configmaps'), parseFieldSelector('type=x')), /field label not supported: type/);
    assert.doesNotThrow(() => validateFieldSelector(info('', 'v1', 'nodes'), parseFieldSelector('metadata.namespace=')));
  });
});
