import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyMergePatch, createMergePatch } from './merge-patch.ts';

// RFC 7386 appendix A: [original, patch, result].
const APPENDIX_A: Array<[unknown, unknown, unknown]> = [
  [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
  [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
  [{ a: 'b' }, { a: null }, {}],
  [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
  [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
  [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
  [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
  [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
  [['a', 'b'], ['c', 'd'], ['c', 'd']],
  [{ a: 'b' }, ['c'], ['c']],
  [{ a: 'foo' }, null, null],
  [{ a: 'foo' }, 'bar', 'bar'],
  [{ e: null }, { a: 1 }, { e: null, a: 1 }],
  [[1, 2], { a: 'b', c: null }, { a: 'b' }],
  [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
];

describe('applyMergePatch', () => {
  for (const [i, [original, patch, result]] of APPENDIX_A.entries()) {
    it(`RFC 7386 appendix A example ${i + 1}`, () => {
      assert.deepEqual(applyMergePatch(original, patch), result);
    });
  }

  it('applies the RFC 7386 section 3 example', () => {
    const doc = { title: 'Goodbye!', author: { givenName: 'John', familyName: 'Doe' }, tags: ['example', 'sample'], content: 'This will be unchanged' };
    const patch = { title: 'Hello!', phoneNumber: '+01-123-456-7890', author: { familyName: null }, tags: ['example'] };
    assert.deepEqual(applyMergePatch(doc, patch), {
      title: 'Hello!', author: { givenName: 'John' }, tags: ['example'], content: 'This will be unchanged', phoneNumber: '+01-123-456-7890',
    });
  });

  it('scales a deployment the way kubectl scale does', () => {
    const deploy = { metadata: { name: 'web' }, spec: { replicas: 1, template: { spec: { containers: [{ name: 'c' }] } } } };
    assert.deepEqual(applyMergePatch(deploy, { spec: { replicas: 3 } }),
      { metadata: { name: 'web' }, spec: { replicas: 3, template: { spec: { containers: [{ name: 'c' }] } } } });
  });

  it('does not mutate its inputs or alias the patch', () => {
    const doc = { a: { b: 1 } };
    const patch = { a: { c: [1] }, d: { e: 1 } };
    const out = applyMergePatch(doc, patch) as { a: { c: number[] }; d: { e: number } };
    out.a.c.push(2);
    out.d.e = 2;
    assert.deepEqual(doc, { a: { b: 1 } });
    assert.deepEqual(patch, { a: { c: [1] }, d: { e: 1 } });
  });

  it('keeps "__proto__" as an ordinary key', () => {
    const out = applyMergePatch({}, JSON.parse('{"__proto__":{"polluted":true}}')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(out), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});

describe('createMergePatch', () => {
  it('produces the patch that turns original into modified', () => {
    const original = { a: 1, b: { c: 2, d: 3 }, l: [1, 2], same: { x: 1 } };
    const modified = { a: 2, b: { c: 2, e: 4 }, l: [1], same: { x: 1 }, n: 'new' };
    const patch = createMergePatch(original, modified);
    assert.deepEqual(patch, { a: 2, b: { d: null, e: 4 }, l: [1], n: 'new' });
    assert.deepEqual(applyMergePatch(original, patch), modified);
  });

  it('round-trips the appendix A pairs that merge patches can express', () => {
    for (const [original, , result] of APPENDIX_A) {
      if (JSON.stringify(result).includes('null')) continue; // nulls in the target cannot be produced by a merge patch
      assert.deepEqual(applyMergePatch(original, createMergePatch(original, result)), result);
    }
  });

  it('is empty for identical objects and the new value for non-objects', () => {
    assert.deepEqual(createMergePatch({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] }), {});
    assert.deepEqual(createMergePatch([1], [2]), [2]);
    assert.deepEqual(createMergePatch({ a: 1 }, 'x'), 'x');
  });
});
