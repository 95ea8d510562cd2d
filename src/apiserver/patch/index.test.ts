import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { arr, obj, ref, str, type Schema } from '../../api/schema/dsl.ts';
import { MAX_NESTING_DEPTH } from '../json-bounds.ts';
import { applyPatch } from './index.ts';

const DEFS: Record<string, Schema> = {
  'test.Pod': obj({ metadata: obj({ name: str() }), spec: obj({ containers: arr(ref('test.Container'), { mergeKey: 'name' }) }) }),
  'test.Container': obj({ name: str(), image: str() }),
};
const lookup = (name: string): Schema | undefined => DEFS[name];

const pod = (): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'a', image: 'nginx' }] } });

function patch(type: string, body: unknown): KubeObject {
  return applyPatch(type, pod(), typeof body === 'string' ? body : JSON.stringify(body), 'test.Pod', lookup);
}

function status(fn: () => unknown, code: number, reason: string, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStatusError(err), `expected a StatusError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.reason, reason);
    if (message) assert.match(err.status.message ?? '', message);
    return true;
  });
}

describe('applyPatch', () => {
  it('dispatches JSON Patch', () => {
    const out = patch('application/json-patch+json', [{ op: 'replace', path: '/spec/containers/0/image', value: 'redis' }]);
    assert.deepEqual(out.spec, { containers: [{ name: 'a', image: 'redis' }] });
  });

  it('dispatches merge patch (lists replaced)', () => {
    const out = patch('application/merge-patch+json', { metadata: { labels: { x: 'y' } }, spec: { containers: [{ name: 'b' }] } });
    assert.deepEqual(out.metadata, { name: 'p', labels: { x: 'y' } });
    assert.deepEqual(out.spec, { containers: [{ name: 'b' }] });
  });

  it('dispatches strategic merge patch (lists merged by key), ignoring parameters', () => {
    const out = patch('application/strategic-merge-patch+json; charset=utf-8', { spec: { containers: [{ name: 'a', image: 'redis' }] } });
    assert.deepEqual(out.spec, { containers: [{ name: 'a', image: 'redis' }] });
  });

  it('accepts a Buffer body and leaves the object alone', () => {
    const doc = pod();
    const out = applyPatch('application/merge-patch+json', doc, Buffer.from('{"spec":null}'), 'test.Pod', lookup);
    assert.equal(out.spec, undefined);
    assert.deepEqual(doc, pod());
  });

  it('answers 415 for an unknown content type and leaves apply to the field manager', () => {
    status(() => patch('application/json', {}), 415, 'UnsupportedMediaType', /accepted media types include: application\/json-patch\+json/);
    assert.throws(() => patch('application/apply-patch+yaml', 'a: b'), /handled by the field manager/);
  });

  it('answers 400 for unparsable or malformed patches', () => {
    status(() => patch('application/json-patch+json', '[{'), 400, 'BadRequest', /^invalid JSON Patch: /);
    status(() => patch('application/json-patch+json', { op: 'add' }), 400, 'BadRequest', /must be an array/);
    status(() => patch('application/json-patch+json', [{ op: 'nope', path: '/a' }]), 400, 'BadRequest', /unknown op/);
    status(() => patch('application/merge-patch+json', '{'), 400, 'BadRequest', /^Invalid JSON Patch$/);
    status(() => patch('application/merge-patch+json', 'null'), 400, 'BadRequest', /^Invalid JSON Patch$/);
    status(() => patch('application/merge-patch+json', '"x"'), 400, 'BadRequest', /^Invalid JSON Patch$/);
    status(() => patch('application/strategic-merge-patch+json', '{'), 400, 'BadRequest', /^invalid strategic merge patch: /);
    status(() => patch('application/strategic-merge-patch+json', []), 400, 'BadRequest', /must be a JSON object/);
    status(() => patch('application/strategic-merge-patch+json', { spec: { containers: [{ image: 'x' }] } }), 400, 'BadRequest', /merge key/);
  });

  it('answers 422 when a JSON Patch cannot be applied, with the reason as a cause', () => {
    status(() => patch('application/json-patch+json', [{ op: 'test', path: '/metadata/name', value: 'q' }]), 422, 'Invalid',
      /the server rejected our request due to an error in our request/);
    try {
      patch('application/json-patch+json', [{ op: 'remove', path: '/nope' }]);
      assert.fail('expected an error');
    } catch (err) {
      assert.ok(isStatusError(err));
      assert.match(err.status.details?.causes?.[0]?.message ?? '', /missing path/);
    }
  });

  it('answers 422 when the result is not an object', () => {
    status(() => patch('application/json-patch+json', [{ op: 'replace', path: '', value: [1] }]), 422, 'Invalid', /patch: Invalid value: "\[1\]"/);
    status(() => patch('application/merge-patch+json', [1]), 422, 'Invalid');
  });

  it('answers 413 for too many JSON Patch operations', () => {
    const ops = Array.from({ length: 10001 }, () => ({ op: 'test', path: '/kind', value: 'Pod' }));
    status(() => patch('application/json-patch+json', ops), 413, 'RequestEntityTooLarge', /maximum operations in a JSON patch is 10000, got 10001/);
  });
});

describe('applyPatch: bounds and wrongly typed patches', () => {
  const deep = (levels: number): string => `${'{"a":'.repeat(levels)}1${'}'.repeat(levels)}`;

  it('answers 400 for patches nested too deeply, of every type, before parsing them', () => {
    status(() => patch('application/merge-patch+json', `{"metadata":{"labels":${deep(10_000)}}}`), 400, 'BadRequest', /the patch is nested too deeply/);
    status(() => patch('application/strategic-merge-patch+json', `{"spec":${deep(10_000)}}`), 400, 'BadRequest', /the patch is nested too deeply/);
    status(() => patch('application/json-patch+json', `[{"op":"add","path":"/spec/x","value":${deep(10_000)}}]`), 400, 'BadRequest', /the patch is nested too deeply/);
  });

  it('answers 400 when a patch makes the object too deep', () => {
    const value = JSON.parse(deep(MAX_NESTING_DEPTH - 10)) as unknown;
    const ops = [{ op: 'add', path: '/spec/x', value }, { op: 'add', path: `/spec/x${'/a'.repeat(20)}`, value }];
    status(() => patch('application/json-patch+json', ops), 400, 'BadRequest', /the patched object is nested too deeply/);
  });

  it('answers 422 when the patched metadata is not an object', () => {
    status(() => patch('application/merge-patch+json', { metadata: 5 }), 422, 'Invalid', /cannot decode number into metadata/);
    status(() => patch('application/merge-patch+json', { metadata: null }), 422, 'Invalid', /metadata: Required value/);
    status(() => patch('application/strategic-merge-patch+json', { metadata: 5 }), 422, 'Invalid', /cannot decode number into metadata/);
    status(() => patch('application/strategic-merge-patch+json', { metadata: null }), 422, 'Invalid', /metadata: Required value/);
    status(() => patch('application/json-patch+json', [{ op: 'replace', path: '/metadata', value: 'x' }]), 422, 'Invalid', /cannot decode string into metadata/);
    status(() => patch('application/json-patch+json', [{ op: 'remove', path: '/metadata' }]), 422, 'Invalid', /metadata: Required value/);
  });

  it('answers 4xx for patches that are not what the format takes', () => {
    status(() => patch('application/json-patch+json', {}), 400, 'BadRequest', /must be an array/);
    status(() => patch('application/json-patch+json', '"x"'), 400, 'BadRequest', /must be an array/);
    status(() => patch('application/strategic-merge-patch+json', '5'), 400, 'BadRequest', /must be a JSON object, got number/);
    status(() => patch('application/strategic-merge-patch+json', '"x"'), 400, 'BadRequest', /must be a JSON object, got string/);
    status(() => patch('application/merge-patch+json', '7'), 400, 'BadRequest', /^Invalid JSON Patch$/);
  });

  it('answers 400 for misused strategic merge directives', () => {
    const smp = (body: unknown): KubeObject => patch('application/strategic-merge-patch+json', body);
    status(() => smp({ spec: { '$setElementOrder/containers': 5 } }), 400, 'BadRequest', /invalid patch format of setElementOrder list/);
    status(() => smp({ spec: { '$setElementOrder/containers': [5], containers: [{ name: 'a' }] } }), 400, 'BadRequest', /does not contain declared merge key/);
    status(() => smp({ spec: { $patch: 7 } }), 400, 'BadRequest', /unknown patch type: 7/);
    status(() => smp({ spec: { containers: [{ $patch: 7, name: 'a' }] } }), 400, 'BadRequest', /unknown patch type: 7/);
    status(() => smp({ spec: { containers: [{ $patch: 'delete' }] } }), 400, 'BadRequest', /does not contain declared merge key: name/);
    status(() => smp({ spec: { containers: [5] } }), 422, 'Invalid', /the server rejected our request/);
    status(() => smp({ spec: { $retainKeys: 5 } }), 400, 'BadRequest', /invalid patch format of retainKeys/);
    status(() => smp({ spec: { '$deleteFromPrimitiveList/args': 5 } }), 400, 'BadRequest', /invalid patch format of primitive list/);
    status(() => smp({ spec: { $setElementOrder: [] } }), 400, 'BadRequest', /invalid patch format of setElementOrder list/);
  });

  it('merges long keyed lists in linear time', { timeout: 10_000 }, () => {
    const n = 50_000;
    const containers = Array.from({ length: n }, (_, i) => ({ name: `c${n - 1 - i}`, image: 'x' }));
    const order = [{ name: 'a' }, ...containers.map((c) => ({ name: c.name }))];
    const out = patch('application/strategic-merge-patch+json', { spec: { '$setElementOrder/containers': order, containers } });
    const got = (out.spec as { containers: Array<{ name: string }> }).containers;
    assert.equal(got.length, n + 1);
    assert.deepEqual(got.slice(0, 2), [{ name: 'a', image: 'nginx' }, { name: `c${n - 1}`, image: 'x' }]);
  });
});
