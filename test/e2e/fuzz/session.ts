// One group of fuzz cases run the way the test needs: DELETEs alone, each followed by a sentinel
// check, so a deletion of something the request did not name is charged to that request; lost
// sentinels are made again so later cases keep their targets.
import { describeCase, type Failure, type FuzzCase } from './case.ts';
import { missingSentinels, restoreSentinel, type Sentinel } from './fixtures.ts';
import type { Runner } from './runner.ts';
import type { Transport } from './transport.ts';

export interface GroupResult {
  failures: Failure[];
  answers: Map<string, number>;
  slowest: Array<{ c: FuzzCase; ms: number }>;
}

/** A request that could delete something: checked alone. */
function destructive(c: FuzzCase): boolean {
  return c.method === 'DELETE' || c.mayDelete === true || (c.raw !== undefined && c.raw.subarray(0, 7).toString('latin1') === 'DELETE ');
}

export async function runGroup(run: Runner, tr: () => Transport, sentinels: readonly Sentinel[], lost: Set<string>, cases: readonly FuzzCase[]): Promise<GroupResult> {
  const out: GroupResult = { failures: [], answers: new Map(), slowest: [] };
  const collect = (r: Awaited<ReturnType<Runner['run']>>): void => {
    out.failures.push(...r.failures);
    for (const [k, n] of r.answers) out.answers.set(k, (out.answers.get(k) ?? 0) + n);
    out.slowest = [...out.slowest, ...r.slowest].sort((a, b) => b.ms - a.ms).slice(0, 3);
  };
  const checkSentinels = async (group: string, request: string, expected?: FuzzCase): Promise<void> => {
    const missing = (await missingSentinels(tr(), sentinels)).filter((m) => !lost.has(m.s.what));
    // A namespace going takes its contents with it, later: charge them to the same request now.
    const goneNamespaces = new Set(missing.filter((m) => m.s.k.info.kind === 'Namespace').map((m) => m.s.name));
    for (const { s, problem } of missing) {
      if (expected?.mayDelete && expected.path.startsWith(`${s.path}/`)) { await restoreSentinel(tr(), s); continue; }
      if (goneNamespaces.has(s.ns)) continue;
      out.failures.push({ group, cls: 'deleted-unnamed', request, answer: problem });
      if (!(await restoreSentinel(tr(), s))) lost.add(s.what);
    }
    for (const s of sentinels) {
      if (!goneNamespaces.has(s.ns) || lost.has(s.what)) continue;
      lost.add(s.what);
      out.failures.push({ group, cls: 'deleted-unnamed', request, answer: `${s.what} (its namespace is being deleted)` });
    }
  };
  let batch: FuzzCase[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length) collect(await run.run(batch));
    batch = [];
  };
  for (const c of cases) {
    if (!destructive(c)) { batch.push(c); continue; }
    if (batch.length) {
      const n = batch.length;
      await flush();
      await checkSentinels(c.group, `one of the ${n} requests before ${describeCase(c)}`);
    }
    collect(await run.run([c]));
    await checkSentinels(c.group, describeCase(c), c);
  }
  await flush();
  await checkSentinels(cases[0]?.group ?? '?', `one of this group's ${cases.length} requests (none of its DELETEs)`);
  return out;
}
