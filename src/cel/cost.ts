// Runtime cost limits, the counterpart of cel-go's cost tracker as Kubernetes configures it
// (k8s.io/apiserver/pkg/apis/cel/config.go: PerCallLimit, RuntimeCELCostBudget). cel-js has no
// cost tracker, so skiff counts: every AST node evaluated costs 1, a string or list result
// costs 1 more per 8 elements (so doubling bombs through cel.bind or list concatenation
// stop long before they exhaust memory), and library functions charge for the input they
// traverse. A wall-clock deadline backs the count up, so a slow builtin cannot hang the server.
// Evaluation is synchronous, so one "current" budget per process is enough.

/** Upstream's per-expression limit (celconfig.PerCallLimit). */
export const PER_CALL_COST_LIMIT = 1_000_000;
/** Upstream's budget for all expressions of one policy and request (celconfig.RuntimeCELCostBudget). */
export const RUNTIME_COST_BUDGET = 10_000_000;
/** Wall-clock limit of one evaluation (skiff's; upstream relies on the cost alone). */
export const DEFAULT_EVAL_TIMEOUT_MS = 1000;

export const COST_EXCEEDED_MESSAGE = 'operation cancelled: actual cost limit exceeded';
export const TIMEOUT_MESSAGE = 'operation cancelled: evaluation time limit exceeded';

/** A cost budget shared by several evaluations (one policy's expressions for one request). */
export class CostBudget {
  #remaining: number;
  constructor(total: number = RUNTIME_COST_BUDGET) {
    this.#remaining = total;
  }
  get remaining(): number {
    return this.#remaining;
  }
  /** Takes what an evaluation used. */
  spend(cost: number): void {
    this.#remaining -= cost;
  }
}

export class CostLimitError extends Error {
  readonly code = 'CelCostLimit';
  constructor(message: string = COST_EXCEEDED_MESSAGE) {
    super(message);
    this.name = 'CostLimitError';
  }
}

interface Meter {
  limit: number;
  used: number;
  deadline: number;
  ticks: number;
  exceeded: CostLimitError | undefined;
}

let current: Meter | undefined;

/** Charge the running evaluation (no-op outside one). Throws once the limit is passed. */
export function charge(units: number): void {
  const m = current;
  if (!m) return;
  m.used += units;
  if (m.exceeded) throw m.exceeded;
  if (m.used > m.limit) throw (m.exceeded = new CostLimitError());
  if ((++m.ticks & 1023) === 0 && performance.now() > m.deadline) throw (m.exceeded = new CostLimitError(TIMEOUT_MESSAGE));
}

/** Charge for a result: strings and lists cost by their size. */
export function chargeResult(value: unknown): void {
  if (!current) return;
  if (typeof value === 'string' || Array.isArray(value)) {
    if (value.length > 8) charge(value.length >>> 3);
  }
}

export interface MeterResult<T> {
  value: T;
  cost: number;
}

/**
 * Run `fn` metered. Errors the expression swallowed (CEL's `||`/`&&` and `exists` absorb errors)
 * still end it once the limit was passed: a cost error always wins.
 */
export function metered<T>(limit: number, timeoutMs: number, fn: () => T): MeterResult<T> {
  const outer = current;
  const m: Meter = { limit, used: 0, deadline: performance.now() + timeoutMs, ticks: 0, exceeded: undefined };
  current = m;
  try {
    const value = fn();
    if (m.exceeded) throw m.exceeded;
    return { value, cost: m.used };
  } catch (err) {
    if (m.exceeded) throw m.exceeded;
    throw err;
  } finally {
    // A nested evaluation (a lazy variable) is charged to its own limit and to the shared
    // budget by its caller, not to the enclosing expression, so a budget is spent once.
    current = outer;
  }
}
