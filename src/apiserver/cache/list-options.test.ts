import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isStatusError } from '../../api/errors.ts';
import { listParams, MAX_WATCH_TIMEOUT_SECONDS, watchParams } from './list-options.ts';
import { parseResourceVersion } from './resource-version.ts';

const q = (s: string): URLSearchParams => new URLSearchParams(s);

function fails(fn: () => unknown, code: number, message: RegExp): void {
  assert.throws(fn, (err: unknown) => {
    assert.ok(isStatusError(err), String(err));
    assert.equal(err.code, code);
    assert.match(err.message, message);
    return true;
  });
}

test('resourceVersion parses as Go\'s ParseUint does', () => {
  assert.equal(parseResourceVersion(null), undefined);
  assert.equal(parseResourceVersion(''), undefined);
  assert.equal(parseResourceVersion('0'), 0);
  assert.equal(parseResourceVersion('01'), 1);
  assert.equal(parseResourceVersion('9007199254740993'), 9007199254740992);
  assert.equal(parseResourceVersion('18446744073709551615'), 2 ** 64);
  for (const v of ['-1', ' 1', '1 ', '+1', '1.0', '1e3', 'abc', '0x10']) fails(() => parseResourceVersion(v), 400, /must be a non-negative integer/);
  fails(() => parseResourceVersion('99999999999999999999'), 400, /value out of range/);
  fails(() => parseResourceVersion('1'.repeat(100_000)), 400, /^resourceVersion: Invalid value: "1{256}\.\.\.": value out of range$/);
});

test('list parameters', () => {
  assert.deepEqual(listParams(q('')), { resourceVersion: '', rv: undefined, match: '', limit: 0, continue: '' });
  assert.equal(listParams(q('limit=-5')).limit, 0, 'negative limits page nothing, as upstream');
  assert.equal(listParams(q('limit=9223372036854775807')).limit, 2 ** 63);
  fails(() => listParams(q('limit=abc')), 400, /^limit: Invalid value: "abc": must be an integer$/);
  fails(() => listParams(q('limit=1.5')), 400, /must be an integer/);
  fails(() => listParams(q('limit=9223372036854775808')), 400, /value out of range/);
  fails(() => listParams(q('timeoutSeconds=x')), 400, /timeoutSeconds/);
  fails(() => listParams(q('resourceVersion=abc')), 400, /resourceVersion/);
  fails(() => listParams(q('resourceVersionMatch=Exact')), 422, /^ListOptions\.meta\.k8s\.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided$/);
  fails(() => listParams(q('resourceVersionMatch=bogus&resourceVersion=1')), 422, /resourceVersionMatch: Unsupported value: "bogus": supported values: "Exact", "NotOlderThan"/);
  fails(() => listParams(q('resourceVersionMatch=Exact&resourceVersion=0')), 422, /forbidden for resourceVersion "0"/);
  fails(() => listParams(q('resourceVersionMatch=NotOlderThan&resourceVersion=1&continue=x')), 422, /forbidden when continue is provided/);
  fails(() => listParams(q('sendInitialEvents=true')), 422, /sendInitialEvents is forbidden for list/);
  fails(() => listParams(q('continue=x&resourceVersion=5')), 400, /specifying resource version is not allowed when using continue/);
  assert.equal(listParams(q('continue=x&resourceVersion=0')).continue, 'x');
});

test('watch parameters', () => {
  assert.equal(watchParams(q('')).timeoutSeconds, undefined);
  assert.equal(watchParams(q('timeoutSeconds=0')).timeoutSeconds, undefined, '0 is the server default');
  assert.equal(watchParams(q('timeoutSeconds=9223372036854775807')).timeoutSeconds, MAX_WATCH_TIMEOUT_SECONDS);
  fails(() => watchParams(q('timeoutSeconds=-1')), 400, /timeoutSeconds/);
  fails(() => watchParams(q('timeoutSeconds=1.5')), 400, /timeoutSeconds/);
  fails(() => watchParams(q('resourceVersion=%201')), 400, /resourceVersion/);
  fails(() => watchParams(q('resourceVersionMatch=NotOlderThan')), 422, /resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided/);
  fails(() => watchParams(q('resourceVersionMatch=Exact&sendInitialEvents=true')), 422, /Unsupported value: "Exact"/);
  fails(() => watchParams(q('sendInitialEvents=true')), 422, /sendInitialEvents requires setting resourceVersionMatch to NotOlderThan/);
  // Query booleans convert as upstream's do (query-params.ts): anything but 0/false is true.
  assert.equal(watchParams(q('allowWatchBookmarks=True')).allowWatchBookmarks, true);
  assert.equal(watchParams(q('allowWatchBookmarks=FALSE')).allowWatchBookmarks, false);
  fails(() => listParams(q('sendInitialEvents=False')), 422, /sendInitialEvents is forbidden for list/);
  const p = watchParams(q('sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true&resourceVersion=7'));
  assert.deepEqual(p, { resourceVersion: '7', rv: 7, sendInitialEvents: true, allowWatchBookmarks: true, timeoutSeconds: undefined });
});
