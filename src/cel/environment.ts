// The CEL environment Kubernetes' API server evaluates expressions in
// (k8s.io/apiserver/pkg/cel/environment/base.go): the CEL standard library, macros (has, all,
// exists, exists_one, map, filter, cel.bind), optional types, cel-go's string extensions and
// Kubernetes' libraries (library.ts), over @marcbachmann/cel-js. Compile once, evaluate many:
// compileExpression parses and type-checks (variables are dynamically typed: skiff has no
// OpenAPI-derived object types in CEL, so field type errors surface at evaluation), evaluate
// runs a compiled program under a cost limit (cost.ts).
import { Environment, type ParseResult } from '@marcbachmann/cel-js';
import { charge, chargeResult, DEFAULT_EVAL_TIMEOUT_MS, metered, PER_CALL_COST_LIMIT, type CostBudget } from './cost.ts';
import { AuthzPending, registerAuthzLibrary, type AuthzSession } from './authz.ts';
import { registerKubernetesLibraries } from './library.ts';
import './re2.ts';

export class CelCompileError extends Error {
  readonly code = 'CelCompile';
  /** The message without the "compilation failed: " prefix (ERROR: <input>:l:c: ...). */
  readonly detail: string;
  constructor(detail: string, prefix = 'compilation failed: ') {
    super(`${prefix}${detail}`);
    this.name = 'CelCompileError';
    this.detail = detail;
  }
}

export class CelEvaluationError extends Error {
  readonly code: 'CelEvaluation' | 'CelCostLimit';
  constructor(message: string, code: 'CelEvaluation' | 'CelCostLimit' = 'CelEvaluation', options?: ErrorOptions) {
    super(message, options);
    this.name = 'CelEvaluationError';
    this.code = code;
  }
}

export function isCelCostLimit(err: unknown): boolean {
  return err instanceof CelEvaluationError && err.code === 'CelCostLimit';
}

export type CelReturnType = 'bool' | 'string' | 'any';

export interface CompileOptions {
  /** The variables the expression may use (e.g. ['object', 'oldObject', 'request', 'params']). */
  variables: readonly string[];
  /** The result type the expression must have (dyn is accepted, and checked at evaluation). */
  returnType?: CelReturnType;
}

export interface EvaluateOptions {
  /** Per-expression cost limit (default upstream's PerCallLimit, 1,000,000). */
  costLimit?: number;
  /** A budget shared by several evaluations; the evaluation fails once it is spent. */
  budget?: CostBudget;
  /** Wall-clock limit of this evaluation, in milliseconds. */
  timeoutMs?: number;
}

/** A compiled expression; evaluate it with evaluate(). */
export class CelProgram {
  readonly expression: string;
  readonly variables: readonly string[];
  /** The checked result type ("bool", "string", "dyn", "list<int>"...). */
  readonly outputType: string;
  readonly returnType: CelReturnType;
  #run: ParseResult;
  constructor(expression: string, variables: readonly string[], outputType: string, returnType: CelReturnType, run: ParseResult) {
    this.expression = expression;
    this.variables = variables;
    this.outputType = outputType;
    this.returnType = returnType;
    this.#run = run;
  }
  /** Run without limits or conversions; evaluate() is the public way in. */
  runRaw(activation: Record<string, unknown>): unknown {
    return this.#run(activation);
  }
}

function makeBase(): Environment {
  const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false });
  registerKubernetesLibraries(env);
  registerAuthzLibrary(env);
  installMeter(env);
  return env;
}

let meterInstalled = false;

// cel-js has no hook for a cost tracker. Its evaluator runs every node (and every
// comprehension step) through Evaluator#run; a probe macro hands us the evaluator, whose
// prototype's run() is wrapped to charge the current meter (a no-op outside evaluate()).
function installMeter(env: Environment): void {
  if (meterInstalled) return;
  const probeEnv = env.clone();
  let proto: { run: (ast: unknown, ctx: unknown) => unknown } | undefined;
  probeEnv.registerFunction('skiffCostProbe(ast): bool', () => ({
    typeCheck(checker: { getType(name: string): unknown }) {
      return checker.getType('bool');
    },
    evaluate(ev: object) {
      proto = Object.getPrototypeOf(ev) as typeof proto;
      return true;
    },
  }));
  probeEnv.evaluate('skiffCostProbe(1)');
  if (!proto || typeof proto.run !== 'function') throw new Error('cel: cannot install the cost meter on this cel-js version');
  const run = proto.run;
  proto.run = function meteredRun(this: unknown, ast: unknown, ctx: unknown): unknown {
    charge(1);
    const out = run.call(this, ast, ctx);
    chargeResult(out);
    return out;
  };
  meterInstalled = true;
}

let base: Environment | undefined;
const envs = new Map<string, Environment>();

function envFor(variables: readonly string[]): Environment {
  const key = [...variables].sort().join(',');
  let env = envs.get(key);
  if (!env) {
    base ??= makeBase();
    env = base.clone();
    for (const v of variables) env.registerVariable(v, 'dyn');
    envs.set(key, env);
  }
  return env;
}

const programs = new Map<string, CelProgram>();
const PROGRAM_CACHE_MAX = 4096;

/**
 * Parse and type-check `expression`. Throws CelCompileError with upstream's shape:
 * `compilation failed: ERROR: <input>:1:5: Syntax error: ...\n | expr\n | ....^`.
 * Programs are cached by (expression, variables, returnType).
 */
export function compileExpression(expression: string, options: CompileOptions): CelProgram {
  const returnType = options.returnType ?? 'any';
  const key = `${returnType}\u0000${[...options.variables].sort().join(',')}\u0000${expression}`;
  const hit = programs.get(key);
  if (hit) return hit;
  const env = envFor(options.variables);
  let run: ParseResult;
  try {
    run = env.parse(expression);
  } catch (err) {
    throw new CelCompileError(formatError(expression, err, 'Syntax error: '));
  }
  const checked = run.check();
  if (!checked.valid) throw new CelCompileError(formatError(expression, checked.error, ''));
  const outputType = checked.type ?? 'dyn';
  if (returnType !== 'any' && outputType !== returnType && outputType !== 'dyn' && !isPlaceholder(outputType)) {
    throw new CelCompileError(`must evaluate to ${returnType}`, '');
  }
  const program = new CelProgram(expression, [...options.variables], outputType, returnType, run);
  if (programs.size >= PROGRAM_CACHE_MAX) programs.clear();
  programs.set(key, program);
  return program;
}

function isPlaceholder(t: string): boolean {
  return /^[A-Z]$/.test(t);
}

/** Compile, answering the error message instead of throwing. */
export function tryCompile(expression: string, options: CompileOptions): { program: CelProgram; error?: undefined } | { program?: undefined; error: CelCompileError } {
  try {
    return { program: compileExpression(expression, options) };
  } catch (err) {
    if (err instanceof CelCompileError) return { error: err };
    throw err;
  }
}

/**
 * Evaluate a compiled program. `activation` holds CEL values (see toCelValue); declared
 * variables it lacks are null. Throws CelEvaluationError (code CelCostLimit when the cost
 * limit, the shared budget or the time limit ran out).
 */
export function evaluate(program: CelProgram, activation: Record<string, unknown>, options: EvaluateOptions = {}): unknown {
  const ctx: Record<string, unknown> = {};
  for (const v of program.variables) ctx[v] = activation[v] ?? null;
  let limit = options.costLimit ?? PER_CALL_COST_LIMIT;
  if (options.budget) limit = Math.min(limit, Math.max(0, options.budget.remaining));
  let used = 0;
  try {
    const { value, cost } = metered(limit, options.timeoutMs ?? DEFAULT_EVAL_TIMEOUT_MS, () => program.runRaw(ctx));
    used = cost;
    if (program.returnType === 'bool' && typeof value !== 'boolean') {
      throw new CelEvaluationError(`expression '${program.expression}' resulted in error: no such overload: expected bool, got ${typeName(value)}`);
    }
    if (program.returnType === 'string' && typeof value !== 'string') {
      throw new CelEvaluationError(`expression '${program.expression}' resulted in error: no such overload: expected string, got ${typeName(value)}`);
    }
    return value;
  } catch (err) {
    if (err instanceof CelEvaluationError) throw err;
    if (isAuthzPending(err)) throw new AuthzPending();
    const e = err as Error & { code?: string; summary?: string };
    if (e.code === 'CelCostLimit') {
      used = limit + 1;
      throw new CelEvaluationError(e.message, 'CelCostLimit', { cause: err });
    }
    if (e instanceof RangeError) throw new CelEvaluationError(`operation cancelled: ${e.message}`, 'CelCostLimit', { cause: err });
    throw new CelEvaluationError(upstreamMessage(e.summary ?? firstLine(e.message)), 'CelEvaluation', { cause: err });
  } finally {
    options.budget?.spend(used);
  }
}

function isAuthzPending(err: unknown): boolean {
  for (let e = err, i = 0; e instanceof Error && i < 8; e = e.cause, i++) if (e instanceof AuthzPending) return true;
  return false;
}

/** Rounds of authorizer questions one evaluation may need (each round reruns it). */
const MAX_AUTHZ_ROUNDS = 8;

/**
 * Evaluate a program whose activation holds an `authorizer` (authz.ts) bound to `session`:
 * authorizer questions not answered yet are asked between reruns.
 */
export async function evaluateWithAuthorizer(program: CelProgram, activation: Record<string, unknown>, session: AuthzSession, options: EvaluateOptions = {}): Promise<unknown> {
  for (let round = 0; round < MAX_AUTHZ_ROUNDS; round++) {
    try {
      return evaluate(program, activation, options);
    } catch (err) {
      if (!(err instanceof AuthzPending) && !session.hasPending) throw err;
    }
    await session.resolvePending();
  }
  throw new CelEvaluationError('operation cancelled: too many authorization checks');
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'null_type';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'map' : typeof v;
}

// cel-go's wording for the errors expressions most often hit.
function upstreamMessage(message: string): string {
  return message.replace(/^No such key: /, 'no such key: ');
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}

// Upstream's error text: "ERROR: <input>:LINE:COL: message" then the line and a caret.
function formatError(expression: string, err: unknown, syntaxPrefix: string): string {
  const e = err as { summary?: string; message?: string; range?: { start: number }; node?: { pos?: number } } | undefined;
  const pos = Math.max(0, Math.min(expression.length, e?.range?.start ?? e?.node?.pos ?? 0));
  let summary = e?.summary ?? firstLine(e?.message ?? String(err));
  const unknown = /^Unknown variable: (.*)$/.exec(summary);
  if (unknown) summary = `undeclared reference to '${unknown[1]}' (in container '')`;
  else summary = syntaxPrefix + summary;
  const before = expression.slice(0, pos);
  const line = before.split('\n').length;
  const lineStart = before.lastIndexOf('\n') + 1;
  const col = pos - lineStart;
  const lineEnd = expression.indexOf('\n', pos);
  const text = expression.slice(lineStart, lineEnd < 0 ? undefined : lineEnd);
  return `ERROR: <input>:${line}:${col + 1}: ${summary}\n | ${text}\n | ${'.'.repeat(col)}^`;
}

/**
 * An object whose fields are computed on first use and then kept: upstream's `variables`
 * (composited, lazily evaluated; an error evaluating one fails the expression that reads it).
 */
export function lazyObject(thunks: Record<string, () => unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, thunk] of Object.entries(thunks)) {
    let done = false;
    let value: unknown;
    let failure: Error | undefined;
    Object.defineProperty(out, name, {
      enumerable: true,
      get(): unknown {
        if (!done) {
          done = true;
          try {
            value = thunk();
          } catch (err) {
            // A pending authorizer answer is not a result: compute again on the rerun.
            if (isAuthzPending(err)) {
              done = false;
              throw err instanceof Error ? err : new AuthzPending();
            }
            failure = err instanceof Error ? err : new Error(String(err));
          }
        }
        if (failure !== undefined) throw failure;
        return value;
      },
    });
  }
  return out;
}
