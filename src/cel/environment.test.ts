import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  AuthzSession,
  CelAuthorizer,
  CelCompileError,
  CelEvaluationError,
  compileExpression,
  CostBudget,
  evaluate,
  evaluateWithAuthorizer,
  fromCelValue,
  isCelCostLimit,
  lazyObject,
  toCelValue,
  tryCompile,
  type AuthzQuestion,
} from './index.ts';

const VARS = ['object', 'oldObject', 'params'];

function run(expr: string, activation: Record<string, unknown> = {}): unknown {
  const celActivation: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(activation)) celActivation[k] = toCelValue(v);
  return fromCelValue(evaluate(compileExpression(expr, { variables: VARS }), celActivation));
}

const deployment = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' } },
  spec: { replicas: 7, template: { spec: { containers: [{ name: 'a', image: 'nginx:1.27' }, { name: 'b', image: 'busybox' }] } } },
};

test('JSON integers are CEL int, other numbers double', () => {
  assert.equal(toCelValue(3), 3n);
  assert.equal(toCelValue(1.5), 1.5);
  assert.deepEqual(toCelValue({ a: [1, 2.5, 'x', null, true] }), { a: [1n, 2.5, 'x', null, true] });
  // A schema's `type: number` keeps integral values double (CRD fields).
  assert.equal(toCelValue({ n: 2 }, { type: 'object', properties: { n: { type: 'number' } } }) instanceof Object, true);
  assert.equal((toCelValue({ n: 2 }, { properties: { n: { type: 'number' } } }) as { n: unknown }).n, 2);
  assert.equal(run('object.spec.replicas + 1', { object: deployment }), 8);
  assert.equal(run('type(object.spec.replicas) == int', { object: deployment }), true);
  assert.equal(run('object.spec.replicas > 5.0', { object: deployment }), true);
});

test('standard macros and field tests', () => {
  assert.equal(run('has(object.spec.replicas)', { object: deployment }), true);
  assert.equal(run('has(object.spec.paused)', { object: deployment }), false);
  assert.equal(run('object.spec.template.spec.containers.all(c, c.image.contains(":"))', { object: deployment }), false);
  assert.equal(run('object.spec.template.spec.containers.exists(c, c.name == "b")', { object: deployment }), true);
  assert.equal(run('object.spec.template.spec.containers.exists_one(c, c.name.startsWith("a"))', { object: deployment }), true);
  assert.deepEqual(run('object.spec.template.spec.containers.map(c, c.name)', { object: deployment }), ['a', 'b']);
  assert.deepEqual(run('object.spec.template.spec.containers.filter(c, !c.image.contains(":")).map(c, c.name)', { object: deployment }), ['b']);
  assert.equal(run('object.metadata.labels.exists(k, k == "app")', { object: deployment }), true);
  assert.equal(run('cel.bind(r, object.spec.replicas, r * r)', { object: deployment }), 49);
  assert.equal(run('params == null'), true);
  assert.equal(run('oldObject == null', { object: deployment }), true);
});

test('optional types', () => {
  assert.equal(run('object.?spec.?paused.orValue(false)', { object: deployment }), false);
  assert.equal(run('object.metadata.?labels.app.orValue("none")', { object: deployment }), 'web');
  assert.equal(run('optional.of(1).hasValue()'), true);
});

test('lists library: isSorted, sum, min, max, indexOf, lastIndexOf', () => {
  assert.equal(run('[1, 2, 3].isSorted()'), true);
  assert.equal(run('["b", "a"].isSorted()'), false);
  assert.equal(run('[1, 2, 3].sum()'), 6);
  assert.equal(run('[0.5, 1.5].sum()'), 2);
  assert.equal(run('[5, 2, 9].min()'), 2);
  assert.equal(run('[5, 2, 9].max()'), 9);
  assert.equal(run('[1, 2, 3, 2].indexOf(2)'), 1);
  assert.equal(run('[1, 2, 3, 2].lastIndexOf(2)'), 3);
  assert.equal(run('[1, 2].indexOf(7)'), -1);
  assert.throws(() => run('[].min()'), /min called on empty list/);
});

test('strings extension', () => {
  assert.equal(run('"hello".charAt(1)'), 'e');
  assert.equal(run('"hello".charAt(5)'), '');
  assert.equal(run('"hello".indexOf("l")'), 2);
  assert.equal(run('"hello".lastIndexOf("l")'), 3);
  assert.equal(run('"HeLLo".lowerAscii()'), 'hello');
  assert.equal(run('"hello".upperAscii()'), 'HELLO');
  assert.equal(run('"a-b-c".replace("-", "+")'), 'a+b+c');
  assert.equal(run('"a-b-c".replace("-", "+", 1)'), 'a+b-c');
  assert.deepEqual(run('"a,b,c".split(",")'), ['a', 'b', 'c']);
  assert.equal(run('"hello".substring(1, 3)'), 'el');
  assert.equal(run('"  x ".trim()'), 'x');
  assert.equal(run('["a", "b"].join("-")'), 'a-b');
  assert.equal(run('"abc".reverse()'), 'cba');
  assert.equal(run('"%s has %d replicas (%.2f)".format(["web", 3, 1.5])'), 'web has 3 replicas (1.50)');
  assert.equal(run('"%s %s".format([[1, 2], {"a": true}])'), '[1, 2] {a: true}');
});

test('regex library: find, findAll; patterns are RE2', () => {
  assert.equal(run('"abc123def456".find("[0-9]+")'), '123');
  assert.equal(run('"abc".find("[0-9]+")'), '');
  assert.deepEqual(run('"abc123def456".findAll("[0-9]+")'), ['123', '456']);
  assert.deepEqual(run('"abc123def456".findAll("[0-9]+", 1)'), ['123']);
  assert.equal(run('"HELLO".find("(?i)hel+")'), 'HELL');
  assert.equal(run('"nginx:1.27".matches("^[a-z]+:[0-9.]+$")'), true);
  assert.throws(() => run('"aa".find("(a)\\\\1")'), /invalid escape sequence/);
});

test('a catastrophic regex does not hang (V8 falls back to its linear engine)', () => {
  const start = performance.now();
  assert.equal(run(`"${'a'.repeat(5000)}!".matches("^(a+)+$")`), false);
  assert.equal(run(`"${'a'.repeat(5000)}!".find("^(a|aa)+$")`), '');
  assert.ok(performance.now() - start < 5000);
});

test('url library and isURL', () => {
  const u = 'url("https://user@example.com:8080/a%20b?x=1&x=2&y=")';
  assert.equal(run(`${u}.getScheme()`), 'https');
  assert.equal(run(`${u}.getHost()`), 'example.com:8080');
  assert.equal(run(`${u}.getHostname()`), 'example.com');
  assert.equal(run(`${u}.getPort()`), '8080');
  assert.equal(run(`${u}.getEscapedPath()`), '/a%20b');
  assert.deepEqual(run(`${u}.getQuery()`), { x: ['1', '2'], y: [''] });
  assert.equal(run('url("https://[::1]:80/").getHostname()'), '::1');
  assert.equal(run('url("https://[::1]:80/").getHost()'), '[::1]:80');
  assert.equal(run('isURL("https://example.com")'), true);
  assert.equal(run('isURL("/just/a/path")'), true);
  assert.equal(run('isURL("example.com")'), false);
  assert.equal(run('isURL("")'), false);
});

test('quantity library', () => {
  assert.equal(run('quantity("100m").isLessThan(quantity("1"))'), true);
  assert.equal(run('quantity("2Gi").isGreaterThan(quantity("2G"))'), true);
  assert.equal(run('quantity("1Gi").compareTo(quantity("1024Mi"))'), 0);
  assert.equal(run('quantity("1k") == quantity("1000")'), true);
  assert.equal(run('quantity("2").asInteger()'), 2);
  assert.equal(run('quantity("500m").isInteger()'), false);
  assert.equal(run('quantity("500m").asApproximateFloat()'), 0.5);
  assert.equal(run('quantity("-1").sign()'), -1);
  assert.equal(run('quantity("1").add(2).asInteger()'), 3);
  assert.equal(run('quantity("1").sub(quantity("500m")).asApproximateFloat()'), 0.5);
  assert.equal(run('isQuantity("1Gi")'), true);
  assert.equal(run('isQuantity("1Gx")'), false);
  assert.throws(() => run('quantity("1.5").asInteger()'), /cannot convert value to integer/);
  assert.throws(() => run('quantity("x")'), /quantities must match/);
});

test('compile errors have upstream\'s shape: position, caret, undeclared references', () => {
  assert.throws(
    () => compileExpression('object.spec.replicas >', { variables: VARS }),
    (err: unknown) => {
      assert.ok(err instanceof CelCompileError);
      assert.match(err.message, /^compilation failed: ERROR: <input>:1:23: Syntax error: /);
      assert.match(err.message, /\n \| object\.spec\.replicas >\n \| \.{22}\^$/);
      return true;
    },
  );
  assert.throws(() => compileExpression('request.name == "x"', { variables: VARS }), /ERROR: <input>:1:1: undeclared reference to 'request' \(in container ''\)/);
  assert.throws(() => compileExpression('1 + "a"', { variables: VARS }), /compilation failed: ERROR: <input>:1:1: no such overload/);
  assert.throws(() => compileExpression('"x"', { variables: VARS, returnType: 'bool' }), /must evaluate to bool/);
  assert.equal(compileExpression('object.x', { variables: VARS, returnType: 'bool' }).outputType, 'dyn');
  assert.equal(tryCompile('1 +', { variables: [] }).error instanceof CelCompileError, true);
  assert.equal(tryCompile('1 + 1', { variables: [] }).program?.outputType, 'int');
  // Compiled programs are cached.
  assert.equal(compileExpression('1 + 1', { variables: [] }), compileExpression('1 + 1', { variables: [] }));
});

test('evaluation errors: missing keys, wrong result type', () => {
  assert.throws(() => run('object.spec.nope > 1', { object: deployment }), (err: unknown) => err instanceof CelEvaluationError && /no such key: nope/.test(err.message));
  const p = compileExpression('object.spec.replicas', { variables: VARS, returnType: 'bool' });
  assert.throws(() => evaluate(p, { object: toCelValue(deployment) }), /expected bool, got int/);
});

test('a hostile expression stops at the cost limit instead of hanging', () => {
  const object = toCelValue({ items: Array.from({ length: 2000 }, (_, i) => i) });
  const cases = [
    'object.items.all(a, object.items.all(b, object.items.all(c, a + b + c >= 0)))',
    // exists() absorbs errors; the cost error still wins.
    'object.items.exists(a, object.items.exists(b, object.items.exists(c, a + b + c < 0))) || true',
    // Doubling a string through cel.bind is charged by size.
    'cel.bind(a, "aaaaaaaaaaaaaaaa", cel.bind(b, a+a+a+a+a+a+a+a, cel.bind(c, b+b+b+b+b+b+b+b, cel.bind(d, c+c+c+c+c+c+c+c, cel.bind(e, d+d+d+d+d+d+d+d, cel.bind(f, e+e+e+e+e+e+e+e, cel.bind(g, f+f+f+f+f+f+f+f, size(g))))))))',
  ];
  for (const expr of cases) {
    const p = compileExpression(expr, { variables: VARS });
    assert.throws(() => evaluate(p, { object }), (err: unknown) => isCelCostLimit(err) && /operation cancelled: actual cost limit exceeded/.test((err as Error).message), expr);
  }
  // A smaller explicit limit; an ordinary expression stays far below the default.
  const p = compileExpression('object.items.all(a, a >= 0)', { variables: VARS });
  assert.throws(() => evaluate(p, { object }, { costLimit: 100 }), (err: unknown) => isCelCostLimit(err));
  assert.equal(evaluate(p, { object }), true);
});

test('a shared budget spans evaluations', () => {
  const object = toCelValue({ items: Array.from({ length: 100 }, (_, i) => i) });
  const p = compileExpression('object.items.all(a, a >= 0)', { variables: VARS });
  const budget = new CostBudget(2000);
  let ok = 0;
  for (let i = 0; i < 10; i++) {
    try {
      evaluate(p, { object }, { budget });
      ok++;
    } catch (err) {
      assert.ok(isCelCostLimit(err));
    }
  }
  assert.ok(ok >= 1 && ok < 10, `ok=${ok}`);
  assert.ok(budget.remaining <= 0);
});

test('lazy variables are computed once, on use', () => {
  let calls = 0;
  const variables = lazyObject({
    big: () => {
      calls++;
      return evaluate(compileExpression('object.spec.replicas > 5', { variables: VARS }), { object: toCelValue(deployment) });
    },
    never: () => {
      throw new Error('not used');
    },
  });
  const p = compileExpression('variables.big && variables.big', { variables: ['variables'] });
  assert.equal(evaluate(p, { variables }), true);
  assert.equal(calls, 1);
});

test('authorizer library: checks are asked between reruns and cached', async () => {
  const asked: AuthzQuestion[] = [];
  const session = new AuthzSession(async (q) => {
    asked.push(q);
    await Promise.resolve();
    const allowed = q.serviceAccount ? q.verb === 'list' : q.resource === 'deployments' && q.verb !== 'delete';
    return { decision: allowed ? 'allow' : 'no-opinion', reason: allowed ? 'RBAC: allowed' : '' };
  });
  const authorizer = new CelAuthorizer(session, {}, { apiGroup: 'apps', resource: 'deployments', subresource: '', namespace: 'prod', name: 'web' });
  const vars = ['authorizer', 'variables'];
  const run = (expr: string, variables: Record<string, unknown> = {}): Promise<unknown> =>
    evaluateWithAuthorizer(compileExpression(expr, { variables: vars }), { authorizer, variables }, session);
  assert.equal(await run('authorizer.group("apps").resource("deployments").namespace("prod").check("update").allowed()'), true);
  assert.equal(await run('authorizer.requestResource.check("delete").allowed()'), false);
  assert.equal(await run('authorizer.requestResource.check("update").reason()'), 'RBAC: allowed');
  assert.equal(await run('authorizer.path("/healthz").check("GET").allowed() || authorizer.group("").resource("pods").check("get").allowed()'), false);
  assert.equal(await run('authorizer.serviceAccount("ns", "sa").group("").resource("pods").check("list").allowed()'), true);
  assert.deepEqual(asked.find((q) => !q.isResourceRequest), { verb: 'get', isResourceRequest: false, path: '/healthz', apiGroup: '', resource: '', subresource: '', namespace: '', name: '' });
  const n = asked.length;
  // A lazy variable needing an answer is recomputed once the answer is known; answers are cached.
  const variables = lazyObject({ canPatch: () => evaluate(compileExpression('authorizer.requestResource.check("patch").allowed()', { variables: vars }), { authorizer }) });
  assert.equal(await run('variables.canPatch', variables), true);
  assert.equal(asked.length, n + 1);
  assert.equal(await run('authorizer.requestResource.check("patch").allowed()'), true);
  assert.equal(asked.length, n + 1);
});
