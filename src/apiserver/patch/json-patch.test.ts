import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPatchError } from './errors.ts';
import { applyJsonPatch } from './json-patch.ts';

function fails(kind: 'malformed' | 'apply', fn: () => unknown, message?: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isPatchError(err), `expected a PatchError, got ${String(err)}`);
    assert.equal(err.kind, kind);
    if (message) assert.match(err.message, message);
    return true;
  });
}

// The examples of RFC 6902 appendix A, in the same order.
describe('applyJsonPatch: RFC 6902 appendix A', () => {
  it('A.1 adds an object member', () => {
    assert.deepEqual(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }]), { baz: 'qux', foo: 'bar' });
  });
  it('A.2 adds an array element', () => {
    assert.deepEqual(applyJsonPatch({ foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }]), { foo: ['bar', 'qux', 'baz'] });
  });
  it('A.3 removes an object member', () => {
    assert.deepEqual(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }]), { foo: 'bar' });
  });
  it('A.4 removes an array element', () => {
    assert.deepEqual(applyJsonPatch({ foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }]), { foo: ['bar', 'baz'] });
  });
  it('A.5 replaces a value', () => {
    assert.deepEqual(applyJsonPatch({ baz: 'qux', foo: 'bar' }, [{ op: 'replace', path: '/baz', value: 'boo' }]), { baz: 'boo', foo: 'bar' });
  });
  it('A.6 moves a value', () => {
    const doc = { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } };
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }]),
      { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } });
  });
  it('A.7 moves an array element', () => {
    assert.deepEqual(applyJsonPatch({ foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }]),
      { foo: ['all', 'cows', 'eat', 'grass'] });
  });
  it('A.8 tests a value: success', () => {
    const doc = { baz: 'qux', foo: ['a', 2, 'c'] };
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/baz', value: 'qux' }, { op: 'test', path: '/foo/1', value: 2 }]), doc);
  });
  it('A.9 tests a value: error', () => {
    fails('apply', () => applyJsonPatch({ baz: 'qux' }, [{ op: 'test', path: '/baz', value: 'bar' }]), /test operation failed/);
  });
  it('A.10 adds a nested member object', () => {
    assert.deepEqual(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/child', value: { grandchild: {} } }]),
      { foo: 'bar', child: { grandchild: {} } });
  });
  it('A.11 ignores unrecognized members of an operation', () => {
    assert.deepEqual(applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 }]), { foo: 'bar', baz: 'qux' });
  });
  it('A.12 cannot add to a nonexistent target', () => {
    fails('apply', () => applyJsonPatch({ foo: 'bar' }, [{ op: 'add', path: '/baz/bat', value: 'qux' }]), /missing path/);
  });
  it('A.14 unescapes ~01 as ~1, not /', () => {
    const doc = { '/': 9, '~1': 10 };
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/~01', value: 10 }]), doc);
  });
  it('A.15 does not equate strings and numbers', () => {
    fails('apply', () => applyJsonPatch({ '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: '10' }]));
  });
  it('A.16 appends an array value with "-"', () => {
    assert.deepEqual(applyJsonPatch({ foo: ['bar'] }, [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }]), { foo: ['bar', ['abc', 'def']] });
  });
});

describe('applyJsonPatch', () => {
  it('never mutates the document or the patch', () => {
    const doc = { a: { b: [1, 2] } };
    const value = { deep: [1] };
    const patch = [{ op: 'add', path: '/a/c', value }, { op: 'add', path: '/a/c/deep/-', value: 2 }, { op: 'remove', path: '/a/b/0' }];
    const before = structuredClone({ doc, patch });
    assert.deepEqual(applyJsonPatch(doc, patch), { a: { b: [2], c: { deep: [1, 2] } } });
    assert.deepEqual({ doc, patch }, before);
  });

  it('copies values, including into arrays', () => {
    assert.deepEqual(applyJsonPatch({ a: { x: 1 }, l: [] }, [{ op: 'copy', from: '/a', path: '/l/0' }, { op: 'replace', path: '/a/x', value: 2 }]),
      { a: { x: 2 }, l: [{ x: 1 }] });
  });

  it('applies kubectl-style escaped label keys', () => {
    const doc = { metadata: { labels: { 'app.kubernetes.io/name': 'web' } } };
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'replace', path: '/metadata/labels/app.kubernetes.io~1name', value: 'api' }]),
      { metadata: { labels: { 'app.kubernetes.io/name': 'api' } } });
  });

  it('treats "" as the whole document', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '', value: { b: 2 } }]), { b: 2 });
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'test', path: '', value: { a: 1 } }]), { a: 1 });
    fails('apply', () => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '' }]));
  });

  it('accepts a null value', () => {
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/a', value: null }]), { a: null });
  });

  it('enforces array index rules', () => {
    const doc = { l: ['a', 'b'] };
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'add', path: '/l/2', value: 'c' }]), { l: ['a', 'b', 'c'] });
    fails('apply', () => applyJsonPatch(doc, [{ op: 'add', path: '/l/3', value: 'c' }]), /out of bounds/);
    fails('apply', () => applyJsonPatch(doc, [{ op: 'add', path: '/l/01', value: 'c' }]), /not a valid array index/);
    fails('apply', () => applyJsonPatch(doc, [{ op: 'add', path: '/l/-1', value: 'c' }]));
    fails('apply', () => applyJsonPatch(doc, [{ op: 'remove', path: '/l/2' }]));
    fails('apply', () => applyJsonPatch(doc, [{ op: 'replace', path: '/l/-', value: 'x' }]));
  });

  it('fails on missing targets', () => {
    fails('apply', () => applyJsonPatch({ a: 1 }, [{ op: 'remove', path: '/b' }]), /remove operation does not apply: doc is missing path: "\/b"/);
    fails('apply', () => applyJsonPatch({ a: 1 }, [{ op: 'replace', path: '/b', value: 1 }]));
    fails('apply', () => applyJsonPatch({ a: 1 }, [{ op: 'move', from: '/b', path: '/c' }]));
    fails('apply', () => applyJsonPatch({ a: 1 }, [{ op: 'copy', from: '/b', path: '/c' }]));
    fails('apply', () => applyJsonPatch({ a: 'x' }, [{ op: 'add', path: '/a/b', value: 1 }]));
  });

  it('refuses to move a value into its own child', () => {
    fails('apply', () => applyJsonPatch({ a: { b: {} } }, [{ op: 'move', from: '/a', path: '/a/b/c' }]), /prefix/);
    assert.deepEqual(applyJsonPatch({ a: 1 }, [{ op: 'move', from: '/a', path: '/a' }]), { a: 1 });
  });

  it('compares structurally in test', () => {
    const doc = { o: { x: [1, { y: true }], z: null } };
    assert.deepEqual(applyJsonPatch(doc, [{ op: 'test', path: '/o', value: { z: null, x: [1, { y: true }] } }]), doc);
    fails('apply', () => applyJsonPatch(doc, [{ op: 'test', path: '/o/x', value: [{ y: true }, 1] }]));
  });

  it('is all-or-nothing: a failing operation leaves the input untouched', () => {
    const doc = { a: 1 };
    fails('apply', () => applyJsonPatch(doc, [{ op: 'add', path: '/b', value: 2 }, { op: 'test', path: '/a', value: 2 }]));
    assert.deepEqual(doc, { a: 1 });
  });

  it('rejects malformed patch documents before applying anything', () => {
    fails('malformed', () => applyJsonPatch({}, { op: 'add' }), /must be an array/);
    fails('malformed', () => applyJsonPatch({}, ['add']), /operation 0: must be an object/);
    fails('malformed', () => applyJsonPatch({}, [{ path: '/a' }]), /missing "op"/);
    fails('malformed', () => applyJsonPatch({}, [{ op: 'frobnicate', path: '/a' }]), /unknown op "frobnicate"/);
    fails('malformed', () => applyJsonPatch({}, [{ op: 'add', value: 1 }]), /missing "path"/);
    fails('malformed', () => applyJsonPatch({}, [{ op: 'add', path: '/a' }]), /missing "value"/);
    fails('malformed', () => applyJsonPatch({}, [{ op: 'move', path: '/a' }]), /missing "from"/);
    fails('malformed', () => applyJsonPatch({}, [{ op: 'add', path: 'a', value: 1 }]), /start with "\/"/);
    fails('malformed', () => applyJsonPatch({}, [{ op: 'add', path: '/a~2', value: 1 }]), /"~" must be followed/);
    // Decoding is done first, so the valid first operation never runs against a bad second one.
    fails('malformed', () => applyJsonPatch({}, [{ op: 'test', path: '/nope', value: 1 }, { op: 'bad', path: '/' }]));
  });
});

describe('applyJsonPatch: bounds', () => {
  const bomb = (n: number): unknown[] => Array.from({ length: n }, (_, i) => ({ op: 'copy', from: '/metadata/annotations', path: `/metadata/annotations/x${i}` }));
  const doc = (): Record<string, unknown> => ({ metadata: { annotations: { a: 'x'.repeat(1024) } } });

  it('refuses copies that add up to more than the limit (the doubling copy bomb)', () => {
    // Each copy doubles the annotations: 1 KiB · 2^12 passes 3 MiB well before the 14th operation.
    fails('apply', () => applyJsonPatch(doc(), bomb(14)), /copy operation does not apply: the values copied by this patch add up to more than 3145728 bytes/);
  });

  it('counts every copy against one budget per patch', () => {
    const one = [{ op: 'copy', from: '/metadata/annotations/a', path: '/metadata/annotations/b' }];
    assert.equal((applyJsonPatch(doc(), one, { maxCopyBytes: 2000 }) as { metadata: { annotations: Record<string, string> } }).metadata.annotations.b?.length, 1024);
    fails('apply', () => applyJsonPatch(doc(), [...one, ...one], { maxCopyBytes: 2000 }), /more than 2000 bytes/);
  });

  it('lets a copy into its own child duplicate the value once, within the budget', () => {
    const out = applyJsonPatch({ a: { b: 1 } }, [{ op: 'copy', from: '/a', path: '/a/c' }]);
    assert.deepEqual(out, { a: { b: 1, c: { b: 1 } } });
  });

  it('refuses moving a value into its own child', () => {
    fails('apply', () => applyJsonPatch({ a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a/b/c' }]), /is a prefix of "path"/);
    fails('apply', () => applyJsonPatch({ a: { b: 1 } }, [{ op: 'move', from: '', path: '/a' }]), /is a prefix of "path"/);
  });

  it('treats odd array indices as apply errors', () => {
    const d = { l: [1, 2] };
    fails('apply', () => applyJsonPatch(d, [{ op: 'add', path: '/l/01', value: 0 }]), /"01" is not a valid array index/);
    fails('apply', () => applyJsonPatch(d, [{ op: 'add', path: '/l/99999999999999999999', value: 0 }]), /index 99999999999999999999 is out of bounds/);
    fails('apply', () => applyJsonPatch(d, [{ op: 'add', path: '/l/-1', value: 0 }]), /not a valid array index/);
    fails('apply', () => applyJsonPatch(d, [{ op: 'remove', path: '/l/-' }]), /missing path/);
    fails('apply', () => applyJsonPatch(d, [{ op: 'replace', path: '/l/2', value: 0 }]), /missing path/);
    fails('apply', () => applyJsonPatch(d, [{ op: 'copy', from: '/l/9007199254740993', path: '/x' }]), /missing path/);
    assert.deepEqual(applyJsonPatch(d, [{ op: 'add', path: '/l/-', value: 3 }]), { l: [1, 2, 3] });
  });

  it('names wrongly typed members of an operation', () => {
    fails('malformed', () => applyJsonPatch({}, [5]), /operation 0: must be an object, got number/);
    fails('malformed', () => applyJsonPatch({}, [null]), /operation 0: must be an object, got null/);
    fails('malformed', () => applyJsonPatch({}, [{ op: 'add', path: 5, value: 1 }]), /"path" must be a string, got number/);
    fails('malformed', () => applyJsonPatch({}, [{ op: 'copy', path: '/a', from: ['x'] }]), /"from" must be a string, got array/);
    fails('malformed', () => applyJsonPatch({}, [{ op: 7, path: '/a' }]), /missing "op"/);
  });

  it('caps client input echoed in messages', () => {
    const long = `/${'a'.repeat(100_000)}`;
    assert.throws(() => applyJsonPatch({}, [{ op: 'remove', path: long }]), (err: Error) => err.message.length < 400);
    assert.throws(() => applyJsonPatch({}, [{ op: 'x'.repeat(100_000), path: '/a' }]), (err: Error) => err.message.length < 400);
    assert.throws(() => applyJsonPatch({}, [{ op: 'add', path: `a${long}`, value: 1 }]), (err: Error) => err.message.length < 400);
  });
});
