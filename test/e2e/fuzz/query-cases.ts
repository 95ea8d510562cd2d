// Bad query parameters on list, get, watch, create, patch and delete: limit, continue,
// resourceVersion, watch, field and label selectors, fieldValidation, dryRun, propagationPolicy,
// gracePeriodSeconds, timeoutSeconds.
import type { FuzzCase } from './case.ts';
import { COLLECTION_NS, KINDS, NS, pathOf, targetName, type FuzzKind } from './kinds.ts';
import type { Rng } from './prng.ts';
import { query } from './requests.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');
const b64url = (s: string): string => Buffer.from(s).toString('base64url');

const HUGE_INTS = ['9223372036854775808', '99999999999999999999', '1e400', '-9223372036854775809'];

const VALUES: Record<string, string[]> = {
  limit: ['-1', 'abc', '1.5', '1e99', '', ' 1', '0x10', ...HUGE_INTS],
  continue: [
    'garbage', '%%', '=', b64('{}'), b64('null'), b64('[1]'), b64('"x"'), b64('{"v":"meta.k8s.io/v1","rv":-5,"start":"../../"}'),
    b64('{"v":"meta.k8s.io/v1","rv":99999999999999,"start":"x"}'), b64('{"v":"meta.k8s.io/v1","rv":"x","start":5}'),
    b64url('{"v":"meta.k8s.io/v1","rv":1,"start":"\u0000"}'), b64('x'.repeat(4000)), b64(String.fromCharCode(0xff, 0xfe, 0, 1)),
    b64(`{"v":"meta.k8s.io/v1","rv":1,"start":${'['.repeat(2000)}${']'.repeat(2000)}}`),
  ],
  resourceVersion: ['abc', '-1', '1.5', '1e9', ' 1', '0x1', ...HUGE_INTS],
  resourceVersionMatch: ['Exact', 'NotOlderThan', 'bogus', ''],
  watch: ['maybe', '2', 'TRUE', '', 'yes'],
  allowWatchBookmarks: ['x', '2'],
  sendInitialEvents: ['x', 'true'],
  fieldSelector: ['==', 'a==b==c', 'spec.unknown=x', 'metadata.name in (a)', 'x'.repeat(5000), 'metadata.name=\u0000', '=', ',', 'metadata.name!=', 'status.phase=Running,,', 'ü=1'],
  labelSelector: ['a in (', '!!a', 'a=b=c', 'a notin ()', `a in (${','.repeat(2000)})`, `${'x'.repeat(5000)}=1`, 'a==b,', 'ü=1', '@', 'a>b', 'a<1', 'a gt 1', '(', 'a in (b', 'a,', '!'],
  fieldValidation: ['bogus', 'strict', '', 'STRICT'],
  dryRun: ['bogus', 'All,All', 'all', 'true', ''],
  propagationPolicy: ['bogus', 'orphan', '', 'Foreground,Background'],
  gracePeriodSeconds: ['-5', 'abc', '1.5', '', ...HUGE_INTS],
  timeoutSeconds: ['-1', 'abc', '1.5', '', ...HUGE_INTS],
  orphanDependents: ['maybe'],
  pretty: ['maybe'],
  fieldManager: ['m'.repeat(200), 'ctl\u0007', ''],
  force: ['maybe'],
};

type Op = 'list' | 'watch' | 'get' | 'create' | 'patch' | 'delete' | 'deletecollection';

const PARAMS_FOR: Record<Op, string[]> = {
  list: ['limit', 'continue', 'resourceVersion', 'resourceVersionMatch', 'fieldSelector', 'labelSelector', 'timeoutSeconds', 'watch', 'pretty'],
  watch: ['resourceVersion', 'resourceVersionMatch', 'fieldSelector', 'labelSelector', 'timeoutSeconds', 'allowWatchBookmarks', 'sendInitialEvents'],
  get: ['resourceVersion', 'pretty'],
  create: ['fieldValidation', 'dryRun', 'fieldManager', 'pretty'],
  patch: ['fieldValidation', 'dryRun', 'fieldManager', 'force'],
  delete: ['dryRun', 'propagationPolicy', 'gracePeriodSeconds', 'orphanDependents'],
  deletecollection: ['dryRun', 'propagationPolicy', 'gracePeriodSeconds', 'labelSelector', 'fieldSelector', 'limit', 'continue', 'resourceVersion'],
};

/** A resourceVersion beyond the store's: upstream waits and answers 504 Timeout. */
function tooLargeRv(v: string | undefined): boolean {
  return v !== undefined && /^\d+$/.test(v) && v.length >= 9;
}

function caseFor(k: FuzzKind, op: Op, params: Record<string, string>, rng: Rng): FuzzCase {
  const group = 'query parameters';
  const what = `${k.info.kind} ${op} with ${Object.entries(params).map(([p, v]) => `${p}=${JSON.stringify(v.length > 30 ? `${v.slice(0, 30)}…` : v)}`).join(' ')}`;
  const q = query(params);
  const base = { group, what, allow504Timeout: tooLargeRv(params.resourceVersion) };
  switch (op) {
    case 'list': return { ...base, method: 'GET', path: pathOf(k, NS) + q, stream: params.watch !== undefined };
    case 'watch': return { ...base, method: 'GET', path: pathOf(k, NS) + query({ watch: 'true', ...params }), stream: true };
    case 'get': return { ...base, method: 'GET', path: pathOf(k, NS, targetName(k)) + q };
    case 'create': return { ...base, method: 'POST', path: pathOf(k, NS) + q, body: Buffer.from(JSON.stringify(k.valid(`fz-q-${rng.int(1e9)}`, NS))), contentType: 'application/json', defName: k.defName };
    case 'patch': return { ...base, method: 'PATCH', path: pathOf(k, NS, targetName(k)) + q, body: Buffer.from('{"metadata":{"labels":{"q":"1"}}}'), contentType: 'application/merge-patch+json', defName: k.defName };
    case 'delete': return { ...base, method: 'DELETE', path: pathOf(k, NS, `fz-absent-${rng.int(1e9)}`) + q };
    case 'deletecollection': return { ...base, method: 'DELETE', path: pathOf(k, COLLECTION_NS) + q };
  }
}

/** `n` requests each with one to three bad parameters. */
export function queryCases(rng: Rng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const ops = Object.keys(PARAMS_FOR) as Op[];
  for (let i = 0; out.length < n; i++) {
    const k = KINDS[i % KINDS.length]!;
    const op = ops[(i >> 1) % ops.length]!;
    // Deleting a cluster-scoped collection would take the sentinels with it.
    if (op === 'deletecollection' && !k.info.namespaced) continue;
    const params: Record<string, string> = {};
    const count = 1 + rng.int(3);
    for (let j = 0; j < count; j++) {
      const p = rng.pick(PARAMS_FOR[op]);
      params[p] = rng.pick(VALUES[p]!);
    }
    out.push(caseFor(k, op, params, rng));
  }
  return out;
}
