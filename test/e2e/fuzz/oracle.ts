// What every answer must satisfy (issue 14): no 5xx for input the client chose, every non-2xx a
// well-formed `Status`, an answer within the bound, nothing wrongly typed acknowledged as stored.
// Upstream's Status shape: k8s.io/apimachinery/pkg/apis/meta/v1/types.go (Status) and
// k8s.io/apiserver/pkg/endpoints/handlers/responsewriters/status.go.
import { cap, describeCase, type Failure, type FuzzCase, type Outcome } from './case.ts';

/** Error bodies longer than this echo client input unbounded. */
const MAX_ERROR_BYTES = 64 * 1024;

export type TypeChecker = (defName: string, value: unknown) => Array<{ field: string; detail: string }>;

export function judge(c: FuzzCase, o: Outcome, boundMs: number, checkTypes: TypeChecker | undefined): Failure[] {
  const fail = (cls: string, answer: string): Failure => ({ group: c.group, cls, request: describeCase(c), answer: cap(answer, 400) });
  if (o.kind === 'timeout') return [fail('no-answer-in-time', `no answer in ${boundMs} ms`)];
  if (o.kind === 'closed') {
    if (c.violation) return [];
    return [fail('closed-without-answer', o.error)];
  }
  const out: Failure[] = [];
  if (o.ms > boundMs) out.push(fail('slow-answer', `answered ${o.status} after ${Math.round(o.ms)} ms`));
  const text = o.body.toString('utf8');
  const summary = `${o.status} ${cap(text, 300)}`;
  const status = parseStatus(text);
  if (o.status >= 500) {
    const ok504 = c.allow504Timeout && o.status === 504 && status?.reason === 'Timeout';
    const okUnavailable = c.allowUnavailable && (o.status === 502 || o.status === 503);
    if (!ok504 && !okUnavailable) out.push(fail('5xx', summary));
  }
  if (c.expect && o.status !== c.expect.code) out.push(fail(`expected-${c.expect.code}`, summary));
  else if (c.expect && status && status.reason !== c.expect.reason) out.push(fail(`expected-${c.expect.reason}`, summary));
  if (c.expectFailure && o.status >= 200 && o.status < 300) out.push(fail('served-what-must-not-be', summary));
  // A message quoting a megabyte of input back is the 4 MB-error stall of issue 14.
  if (o.status >= 300 && o.body.length > MAX_ERROR_BYTES) out.push(fail('huge-error-body', `${o.body.length} bytes: ${cap(text, 200)}`));
  if (o.status >= 300 && c.method !== 'HEAD') {
    const bareParserAnswer = c.violation && o.body.length === 0 && o.status >= 400 && o.status < 500;
    if (!bareParserAnswer) {
      const problem = statusProblem(o.status, o.headers['content-type'], status);
      if (problem) out.push(fail('not-a-Status', `${problem}; answer ${summary}`));
    }
  }
  if (o.status >= 200 && o.status < 300 && c.defName && checkTypes && !c.stream) {
    const obj = parseObject(text);
    if (obj && typeof obj.kind === 'string' && obj.kind !== 'Status' && !obj.kind.endsWith('List')) {
      const errs = checkTypes(c.defName, obj);
      if (errs.length) out.push(fail('stored-wrong-type', `${o.status}, stored ${obj.metadata?.name ?? '?'} with ${errs.slice(0, 3).map((e) => `${e.field}: ${e.detail}`).join('; ')}`));
    }
  }
  return out;
}

interface StatusBody { kind?: unknown; apiVersion?: unknown; status?: unknown; code?: unknown; reason?: unknown; message?: unknown }

function parseStatus(text: string): StatusBody | undefined {
  const v = parseObject(text);
  return v ?? undefined;
}

function parseObject(text: string): any {
  try {
    const v = JSON.parse(text);
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Why an error answer is not a well-formed Status, or undefined when it is one. */
export function statusProblem(code: number, contentType: string | string[] | undefined, s: StatusBody | undefined): string | undefined {
  if (!/^application\/json\b/.test(String(contentType ?? ''))) return `content type ${JSON.stringify(contentType ?? null)}`;
  if (!s) return 'body is not a JSON object';
  if (s.kind !== 'Status') return `kind ${JSON.stringify(s.kind)}`;
  if (s.apiVersion !== 'v1') return `apiVersion ${JSON.stringify(s.apiVersion)}`;
  if (s.status !== 'Failure') return `status ${JSON.stringify(s.status)}`;
  if (s.code !== code) return `code ${JSON.stringify(s.code)} for HTTP ${code}`;
  if (typeof s.reason !== 'string' || !s.reason) return 'no reason';
  if (typeof s.message !== 'string' || !s.message) return 'no message';
  return undefined;
}
