// Issue 14's fuzz test: malformed requests generated from the schemas (wrong types at every path,
// deep nesting, huge arrays and strings, unknown fields, bad names; bad patches of all four kinds;
// bad query parameters, paths and request lines) against one real `skiff server`. Every answer
// must come in time, never be a 5xx, and be a well-formed Status when it is an error; the server
// must stay alive and /readyz healthy; nothing stored may fail the schema check; nothing unnamed
// may be deleted. Failures are collected per class and reported together with the seed.
//   FUZZ_SEED=<n>      another deterministic run (default 14014)
//   FUZZ_REQUESTS=<n>  how many generated requests (default 1500; fixed path/raw cases come on top)
//   FUZZ_VERBOSE=1     every failure in the reports (default: six of each class)
//   FUZZ_TRACE=1       every request and its answer on stderr
//   FUZZ_ONLY=<text>   only the cases whose summary (as printed in a report) contains this text
import { after, before, describe, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { checkTypes } from '../../src/api/schema/typecheck.ts';
import { serverForSuite } from './api-helpers.ts';
import { startServer } from './harness.ts';
import { describeCase, type Failure, type FuzzCase, type Outcome } from './fuzz/case.ts';
import { runGroup } from './fuzz/session.ts';
import { badMetadataCases, deepNestingCases, hugeCases, unknownFieldCases, wrongTypeCases } from './fuzz/body-cases.ts';
import { missingSentinels, prepare, storedObjects, type Sentinel } from './fuzz/fixtures.ts';
import { patchCases } from './fuzz/patch-cases.ts';
import { componentStatusCases, dotSegmentCases, unknownPathCases, verbMatrixCases } from './fuzz/path-cases.ts';
import { mulberry32 } from './fuzz/prng.ts';
import { queryCases } from './fuzz/query-cases.ts';
import { rawCases } from './fuzz/raw-cases.ts';
import { formatReport } from './fuzz/report.ts';
import { runner, type Runner } from './fuzz/runner.ts';
import { transport, type Transport } from './fuzz/transport.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 14014) >>> 0;
const REQUESTS = Math.max(50, Number(process.env.FUZZ_REQUESTS ?? 1500));
/** Every failure in the reports, not the first few of each class. */
const PER_CLASS = process.env.FUZZ_VERBOSE ? 10_000 : 6;
/** Only the cases whose one-line summary contains this (to reproduce one failure). */
const ONLY = process.env.FUZZ_ONLY ?? '';
const RERUN = `FUZZ_SEED=${SEED} FUZZ_REQUESTS=${REQUESTS} node --import tsx --test test/e2e/api-fuzz.test.ts`;
const ANSWER_BOUND_MS = 10_000;
/**
 * A stall detector, not a latency target: a few of the largest bodies in flight at once (100,000
 * list items or map keys each cost up to a second of managedFields work) may hold /readyz back
 * for a couple of seconds on a busy 2-core machine; the stalls this guards against were 13 s.
 */
const READYZ_BOUND_MS = 5_000;

/** FUZZ_TRACE=1: every request and the start of its answer on stderr. */
function trace(c: FuzzCase, o: Outcome): void {
  const a = o.kind === 'response' ? `${o.status} ${Math.round(o.ms)}ms ${o.body.toString('utf8').slice(0, 300)}` : `${o.kind} ${Math.round(o.ms)}ms`;
  process.stderr.write(`${describeCase(c)}\n    → ${a}\n`);
}

/** This share of FUZZ_REQUESTS, at least a handful. */
const share = (f: number): number => Math.max(5, Math.round(REQUESTS * f));

describe(`API fuzz (FUZZ_SEED=${SEED})`, { concurrency: 1 }, () => {
  const ctx = serverForSuite({ before, after });
  const rng = mulberry32(SEED);
  let tr: Transport;
  let run: Runner;
  let sentinels: Sentinel[] = [];
  let setupProblems: string[] = [];
  const all: Failure[] = [];

  before(async () => {
    tr = transport(ctx.srv.kubeconfig);
    ({ sentinels, problems: setupProblems } = await prepare(tr));
    run = runner({
      server: {
        transport: () => tr,
        alive: () => ctx.srv.proc.exitCode === null && ctx.srv.proc.signalCode === null,
        async restart() {
          tr.close();
          ctx.srv = await startServer({ dataDir: ctx.srv.dataDir });
          tr = transport(ctx.srv.kubeconfig);
        },
        logTail: () => ctx.srv.logs().slice(-1200),
      },
      boundMs: ANSWER_BOUND_MS,
      readyzBoundMs: READYZ_BOUND_MS,
      concurrency: 3,
      checkTypes: () => checkTypes,
      ...(process.env.FUZZ_TRACE ? { onAnswer: trace } : {}),
    });
    run.startReadyz();
  });
  after(async () => {
    await run?.stopReadyz();
    tr?.close();
    if (all.length) console.log(`\nAPI fuzz: every failure\n${formatReport(all, RERUN, 3)}`);
  });

  const lost = new Set<string>();

  /** Run one group, keep its failures for the summary, and fail this test with its own report. */
  async function fuzz(t: TestContext, generated: FuzzCase[]): Promise<void> {
    const cases = ONLY ? generated.filter((c) => describeCase(c).includes(ONLY)) : generated;
    const r = await runGroup(run, () => tr, sentinels, lost, cases);
    t.diagnostic(`${cases.length} requests; answers ${[...r.answers].sort().map(([k, n]) => `${k}×${n}`).join(' ')}`);
    for (const { c, ms } of r.slowest) if (ms > 500) t.diagnostic(`slow: ${Math.round(ms)} ms for ${describeCase(c)}`);
    all.push(...r.failures);
    assert.equal(r.failures.length, 0, formatReport(r.failures, RERUN, PER_CLASS));
  }

  test('bodies: wrong types at schema paths', (t) => fuzz(t, wrongTypeCases(rng.fork('wrong types'), share(0.25))));
  test('bodies: deep nesting', (t) => fuzz(t, deepNestingCases(rng.fork('deep'), share(0.04))));
  test('bodies: huge arrays, maps and strings', (t) => fuzz(t, hugeCases(rng.fork('huge'), share(0.04))));
  test('bodies: unknown fields', (t) => fuzz(t, unknownFieldCases(rng.fork('unknown'), share(0.06))));
  test('bodies: bad names and labels', (t) => fuzz(t, badMetadataCases(rng.fork('meta'), share(0.06))));
  test('patches: JSON patch', (t) => fuzz(t, patchCases(rng.fork('json patch'), share(0.07), 'json')));
  test('patches: merge patch', (t) => fuzz(t, patchCases(rng.fork('merge patch'), share(0.07), 'merge')));
  test('patches: strategic merge patch', (t) => fuzz(t, patchCases(rng.fork('strategic'), share(0.07), 'strategic')));
  test('patches: server-side apply', (t) => fuzz(t, patchCases(rng.fork('apply'), share(0.07), 'apply')));
  test('query parameters', (t) => fuzz(t, queryCases(rng.fork('query'), share(0.2))));
  test('paths: methods on subresources', (t) => fuzz(t, verbMatrixCases()));
  test('paths: componentstatuses', (t) => fuzz(t, componentStatusCases()));
  test('raw request lines', (t) => fuzz(t, rawCases()));
  test('paths: dot and empty segments', (t) => fuzz(t, dotSegmentCases(rng.fork('dots'))));
  test('paths: unknown resources and subresources', (t) => fuzz(t, unknownPathCases(rng.fork('unknown paths'))));

  test('/readyz answered 200 quickly throughout', async () => {
    const failures = await run.stopReadyz();
    all.push(...failures);
    assert.equal(failures.length, 0, formatReport(failures, RERUN, PER_CLASS));
  });

  test('nothing unnamed was deleted (sentinels survive)', async () => {
    const gone = (await missingSentinels(tr, sentinels)).map((m) => m.problem);
    const problems = [...setupProblems, ...gone];
    assert.equal(problems.length, 0, `${RERUN}\n${problems.join('\n')}`);
  });

  test('every stored object passes the schema type check', async () => {
    const { objects, problems } = await storedObjects(tr);
    const failures: Failure[] = problems.map((p) => ({ group: 'stored objects', cls: 'list-failed', request: p, answer: '' }));
    for (const { k, obj } of objects) {
      const errs = checkTypes(k.defName, obj);
      if (errs.length) {
        const name = `${obj?.metadata?.namespace ? `${obj.metadata.namespace}/` : ''}${obj?.metadata?.name}`;
        failures.push({ group: 'stored objects', cls: 'stored-wrong-type', request: `${k.info.kind} ${name}`, answer: errs.slice(0, 4).map((e) => `${e.field}: ${e.detail}`).join('; ') });
      }
    }
    all.push(...failures);
    assert.equal(failures.length, 0, formatReport(failures, RERUN, PER_CLASS));
  });
});
