// Runs fuzz cases against one server a few at a time, judges each answer, notices when the server
// dies (and finds which request killed it), and watches /readyz throughout for event-loop stalls.
import { describeCase, type Failure, type FuzzCase, type Outcome } from './case.ts';
import { judge, type TypeChecker } from './oracle.ts';
import type { Transport } from './transport.ts';

export interface ServerHandle {
  transport(): Transport;
  alive(): boolean;
  /** The server died: start it again on the same data dir. */
  restart(): Promise<void>;
  /** The last lines the server logged (for a crash report). */
  logTail(): string;
}

export interface RunnerOptions {
  server: ServerHandle;
  /** Every answer must arrive within this. */
  boundMs: number;
  /** /readyz must answer 200 within this. */
  readyzBoundMs: number;
  concurrency: number;
  checkTypes: () => TypeChecker | undefined;
  /** Called with every answer (FUZZ_TRACE). */
  onAnswer?: (c: FuzzCase, o: Outcome) => void;
}

export interface RunResult {
  failures: Failure[];
  /** How many answers of each status (or 'closed', 'timeout') came. */
  answers: Map<string, number>;
  /** The slowest requests, slowest first (for spotting work that is not linear in the input). */
  slowest: Array<{ c: FuzzCase; ms: number }>;
}

export interface Runner {
  /** Send the cases; the failures, and how many answers of each status (or 'closed', 'timeout') came. */
  run(cases: readonly FuzzCase[]): Promise<RunResult>;
  /** Start polling /readyz (until stop()); its failures land in the list returned by stop(). */
  startReadyz(): void;
  stopReadyz(): Promise<Failure[]>;
  /** Requests sent so far. */
  sent(): number;
}

const READYZ: FuzzCase = { group: 'readyz', method: 'GET', path: '/readyz', what: 'health check during fuzzing' };

export function runner(o: RunnerOptions): Runner {
  const inFlight = new Set<FuzzCase>();
  let sent = 0;
  let restarting: Promise<void> | undefined;
  let readyzFailures: Failure[] = [];
  let readyzLoop: Promise<void> | undefined;
  let readyzStop = false;

  async function restart(): Promise<void> {
    restarting ??= o.server.restart().finally(() => { restarting = undefined; });
    await restarting;
  }

  let answers = new Map<string, number>();
  let slowest: Array<{ c: FuzzCase; ms: number }> = [];

  async function one(c: FuzzCase): Promise<{ failures: Failure[]; crashed: boolean }> {
    if (restarting) await restarting;
    inFlight.add(c);
    sent++;
    const out = await o.server.transport().send(c, o.boundMs);
    inFlight.delete(c);
    o.onAnswer?.(c, out);
    const key = out.kind === 'response' ? String(out.status) : out.kind;
    answers.set(key, (answers.get(key) ?? 0) + 1);
    slowest.push({ c, ms: out.ms });
    if (slowest.length > 20) slowest = slowest.sort((a, b) => b.ms - a.ms).slice(0, 5);
    if (!o.server.alive()) return { failures: [], crashed: true };
    return { failures: judge(c, out, o.boundMs, o.checkTypes()), crashed: false };
  }

  /** Replay the cases that were in flight when the server died, one at a time, to name the killer. */
  async function bisectCrash(suspects: FuzzCase[]): Promise<Failure[]> {
    await restart();
    const found: Failure[] = [];
    for (const c of suspects) {
      const r = await one(c);
      if (r.crashed) {
        found.push({ group: c.group, cls: 'crash', request: describeCase(c), answer: `the server exited; log tail: ${o.server.logTail()}` });
        await restart();
      } else found.push(...r.failures);
    }
    if (!found.some((f) => f.cls === 'crash')) {
      found.push({ group: suspects[0]?.group ?? '?', cls: 'crash', request: suspects.map(describeCase).join(' | '), answer: `the server exited while these were in flight; replayed alone none crashed it; log tail: ${o.server.logTail()}` });
    }
    return found;
  }

  return {
    sent: () => sent,
    async run(cases) {
      const failures: Failure[] = [];
      answers = new Map();
      slowest = [];
      let queue = [...cases];
      while (queue.length) {
        let i = 0;
        const suspects = new Set<FuzzCase>();
        const unsent: FuzzCase[] = [];
        const worker = async (): Promise<void> => {
          while (i < queue.length) {
            const c = queue[i++]!;
            // Once the server is down nothing more is sent; what was in flight is replayed alone.
            if (suspects.size) { unsent.push(c); continue; }
            const r = await one(c);
            if (r.crashed) { suspects.add(c); for (const x of inFlight) suspects.add(x); continue; }
            failures.push(...r.failures);
          }
        };
        await Promise.all(Array.from({ length: o.concurrency }, worker));
        if (suspects.size) failures.push(...await bisectCrash([...suspects]));
        queue = unsent;
      }
      return { failures, answers, slowest: slowest.sort((a, b) => b.ms - a.ms).slice(0, 5) };
    },
    startReadyz() {
      readyzStop = false;
      readyzFailures = [];
      readyzLoop = (async () => {
        while (!readyzStop) {
          if (restarting || !o.server.alive()) { await new Promise((r) => setTimeout(r, 200)); continue; }
          const busy = [...inFlight].map(describeCase).slice(0, 4).join(' | ');
          const r = await o.server.transport().send(READYZ, o.readyzBoundMs);
          if (!readyzStop && o.server.alive() && !restarting) {
            const bad = r.kind !== 'response' ? `${r.kind} after ${Math.round(r.ms)} ms` : r.status !== 200 ? `${r.status} ${r.body.toString('utf8').slice(0, 200)}` : r.ms > o.readyzBoundMs ? `200 after ${Math.round(r.ms)} ms` : undefined;
            if (bad) readyzFailures.push({ group: 'readyz', cls: 'readyz-stalled', request: `GET /readyz while in flight: ${busy || 'nothing'}`, answer: bad });
          }
          await new Promise((res) => setTimeout(res, 500));
        }
      })();
    },
    async stopReadyz() {
      readyzStop = true;
      await readyzLoop;
      return readyzFailures;
    },
  };
}
