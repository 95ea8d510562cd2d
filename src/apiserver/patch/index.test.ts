import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStatusError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { arr, obj, ref, str, type Schema } from '../../api/schema/dsl.ts';
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
