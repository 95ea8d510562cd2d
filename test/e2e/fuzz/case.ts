// What one fuzz request is, what came back, and what a failure record holds.

export interface FuzzCase {
  /** The generator that made it (the test it runs under), e.g. 'bodies: wrong types'. */
  group: string;
  method: string;
  /** The request target exactly as sent (already percent-encoded where needed). */
  path: string;
  body?: Buffer;
  contentType?: string;
  headers?: Record<string, string>;
  /** One line saying what is malformed, for the report. */
  what: string;
  /** A 2xx answer may be a stream (watch, log, exec): stop reading once the headers are in. */
  stream?: boolean;
  /** Send without the client certificate. */
  anonymous?: boolean;
  /** Upstream's answer is known exactly: this code and reason (for non-2xx). */
  expect?: { code: number; reason: string };
  /** The answer must not be 2xx (the request names something that must not be served). */
  expectFailure?: boolean;
  /** A too-large resourceVersion may be answered 504 Timeout, as upstream does after waiting. */
  allow504Timeout?: boolean;
  /** The request reaches a pod or node that is not there: 502/503 (as a Status) is upstream's answer. */
  allowUnavailable?: boolean;
  /** The request names an object it may legitimately delete (an eviction): restore it, do not report it. */
  mayDelete?: boolean;
  /** Sent over a raw TLS socket: these bytes are the whole request. */
  raw?: Buffer;
  /** A protocol violation: closing the connection, or a bare 4xx from the HTTP parser, is a fine answer. */
  violation?: boolean;
  /** Definition name of the object a 2xx answer carries (checked with checkTypes). */
  defName?: string;
}

export type Outcome =
  | { kind: 'response'; status: number; headers: Record<string, string | string[] | undefined>; body: Buffer; ms: number }
  | { kind: 'closed'; error: string; ms: number }
  | { kind: 'timeout'; ms: number };

export interface Failure {
  group: string;
  /** What went wrong, e.g. '5xx', 'crash', 'not-a-Status', 'stored-wrong-type'. */
  cls: string;
  request: string;
  answer: string;
}

/** A case as one short line: method, target and what is malformed, each capped. */
export function describeCase(c: FuzzCase): string {
  const target = c.raw ? `raw ${JSON.stringify(cap(c.raw.toString('latin1'), 120))}` : `${c.method} ${cap(c.path, 160)}`;
  const ct = c.contentType ? ` [${c.contentType}]` : '';
  const size = c.body ? ` (${c.body.length} B)` : '';
  return `${target}${ct}${size}: ${cap(c.what, 200)}`;
}

export function cap(s: string, n: number): string {
  return s.length <= n ? s : `${s.slice(0, n)}…(${s.length} chars)`;
}
