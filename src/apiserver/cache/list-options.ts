// The query parameters of list and watch requests, checked as upstream decodes and validates
// ListOptions (metainternalversion ParameterCodec: integers that do not parse are 400s;
// apimachinery/pkg/apis/meta/internalversion/validation: impossible combinations are 422 Invalid
// on kind ListOptions.meta.k8s.io).
import { badRequest, invalid, truncateEcho, type FieldError } from '../../api/errors.ts';
import { boolParam } from '../query-params.ts';
import { parseResourceVersion } from './resource-version.ts';

const INT64_MAX = 9223372036854775807n;
const INT64_MIN = -9223372036854775808n;

/** The longest timer node:timers keeps (a longer one fires at once, with a warning). */
export const MAX_WATCH_TIMEOUT_SECONDS = Math.floor(0x7fffffff / 1000);

export type ResourceVersionMatch = '' | 'Exact' | 'NotOlderThan';

export interface ListParams {
  /** The resourceVersion parameter as sent ('' when absent). */
  resourceVersion: string;
  /** Its value; undefined when absent. */
  rv: number | undefined;
  match: ResourceVersionMatch;
  /** 0: no paging (negative limits are ignored, as upstream's storage does). */
  limit: number;
  continue: string;
}

export interface WatchParams {
  resourceVersion: string;
  rv: number | undefined;
  sendInitialEvents: boolean;
  allowWatchBookmarks: boolean;
  /** undefined: the server picks (upstream: a random 30–60 minutes). */
  timeoutSeconds: number | undefined;
}

/** An int64 query parameter, as Go's strconv.ParseInt reads it; undefined when absent. */
export function int64Param(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null || v === '') return undefined;
  if (!/^[+-]?[0-9]+$/.test(v)) throw badRequest(`${name}: Invalid value: "${truncateEcho(v)}": must be an integer`);
  const n = BigInt(v);
  if (n > INT64_MAX || n < INT64_MIN) throw badRequest(`${name}: Invalid value: "${truncateEcho(v)}": value out of range`);
  return Number(n);
}

function matchParam(q: URLSearchParams, errs: FieldError[], allowed: readonly string[]): ResourceVersionMatch {
  const v = q.get('resourceVersionMatch') ?? '';
  if (v === '' || allowed.includes(v)) return v as ResourceVersionMatch;
  errs.push({ type: 'FieldValueNotSupported', field: 'resourceVersionMatch', badValue: v, detail: `supported values: ${allowed.map((a) => `"${a}"`).join(', ')}` });
  return '';
}

function check(errs: FieldError[]): void {
  if (errs.length > 0) throw invalid('ListOptions', 'meta.k8s.io', '', errs);
}

export function listParams(q: URLSearchParams): ListParams {
  const resourceVersion = q.get('resourceVersion') ?? '';
  const rv = parseResourceVersion(resourceVersion);
  const limit = int64Param(q, 'limit') ?? 0;
  int64Param(q, 'timeoutSeconds');
  const cont = q.get('continue') ?? '';
  const errs: FieldError[] = [];
  const raw = q.get('resourceVersionMatch') ?? '';
  const match = matchParam(q, errs, ['Exact', 'NotOlderThan']);
  if (raw !== '') {
    if (resourceVersion === '') errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden unless resourceVersion is provided' });
    if (cont !== '') errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden when continue is provided' });
    if (match === 'Exact' && rv === 0) errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch "exact" is forbidden for resourceVersion "0"' });
  }
  if (boolParam(q, 'sendInitialEvents') !== undefined) errs.push({ type: 'FieldValueForbidden', field: 'sendInitialEvents', detail: 'sendInitialEvents is forbidden for list' });
  check(errs);
  // etcd3 store: a continue token carries its own version.
  if (cont !== '' && resourceVersion !== '' && resourceVersion !== '0') throw badRequest('specifying resource version is not allowed when using continue');
  return { resourceVersion, rv, match, limit: Math.max(0, limit), continue: cont };
}

export function watchParams(q: URLSearchParams): WatchParams {
  const resourceVersion = q.get('resourceVersion') ?? '';
  const rv = parseResourceVersion(resourceVersion);
  const timeout = int64Param(q, 'timeoutSeconds');
  if (timeout !== undefined && timeout < 0) throw badRequest(`timeoutSeconds: Invalid value: ${timeout}: must be a non-negative integer`);
  const sendInitialEvents = boolParam(q, 'sendInitialEvents');
  const allowWatchBookmarks = boolParam(q, 'allowWatchBookmarks') ?? false;
  const errs: FieldError[] = [];
  const raw = q.get('resourceVersionMatch') ?? '';
  const match = matchParam(q, errs, ['NotOlderThan']);
  if (sendInitialEvents !== undefined && match !== 'NotOlderThan' && raw === '') {
    errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'sendInitialEvents requires setting resourceVersionMatch to NotOlderThan' });
  }
  if (raw !== '' && sendInitialEvents === undefined) {
    errs.push({ type: 'FieldValueForbidden', field: 'resourceVersionMatch', detail: 'resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided' });
  }
  check(errs);
  return {
    resourceVersion, rv, sendInitialEvents: sendInitialEvents === true, allowWatchBookmarks,
    // 0 means "the server's default", as upstream's watch handler reads it.
    timeoutSeconds: timeout ? Math.min(timeout, MAX_WATCH_TIMEOUT_SECONDS) : undefined,
  };
}
