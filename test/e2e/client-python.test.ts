// Every client, not only kubectl: Debian's python3-kubernetes (the official Python client) drives a
// `skiff up` cluster as a Python user would. Its Watch helper sends `watch=True`, exec writes stdin
// as WebSocket text frames (str) and binary frames (bytes), and error bodies are compared byte for
// byte with what kube-apiserver writes (Go's field order, omitempty, a trailing newline).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { spawnCollect } from './engine-helpers.ts';
import { kubectl, ROOT } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const SCRIPT = join(ROOT, 'test', 'e2e', 'fixtures', 'python-client.py');
// Debian's interpreter, where python3-kubernetes is installed (not whatever python3 is first on PATH).
const PYTHON = '/usr/bin/python3';
let cluster: UpCluster;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: py-target
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: main
    image: busybox
    command: ["sh", "-c", "mkdir -p /www && echo served-to-python > /www/index.html && exec httpd -f -p 8080 -h /www"]
`;

async function python(scenario: string, ...args: string[]): Promise<Record<string, unknown>> {
  const r = await spawnCollect(PYTHON, [SCRIPT, cluster.server.kubeconfig, scenario, ...args], process.env, { timeoutMs: 60_000 });
  assert.equal(r.code, 0, `python3 ${scenario}: ${r.stderr}`);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

before(async () => {
  cluster = await startUpCluster({ label: 'py', nodeName: `py-${hex}`, cgroupRoot: `/skiff-e2e-py-${hex}`, bridge: `skiffq${hex}`, subnetBase: 144 });
  const applied = await kubectl('1.33', cluster.server, ['apply', '-f', '-'], { input: POD });
  assert.equal(applied.code, 0, applied.stderr);
  const ready = await kubectl('1.33', cluster.server, ['wait', '--for=condition=Ready', 'pod/py-target', '--timeout=60s'], { timeoutMs: 70_000 });
  assert.equal(ready.code, 0, ready.stderr);
});

after(async () => {
  await cluster?.stop();
});

describe('python3-kubernetes against skiff', () => {
  test('the Watch helper (watch=True) streams ADDED, MODIFIED and DELETED as typed objects', async () => {
    const out = await python('watch', 'default', `watched-${hex}`) as { events: Array<{ type: string; kind: string; data: Record<string, string> | null }> };
    assert.deepEqual(out.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
    assert.deepEqual(out.events.map((e) => e.kind), ['V1ConfigMap', 'V1ConfigMap', 'V1ConfigMap']);
    assert.deepEqual(out.events.map((e) => e.data?.['a']), ['1', '2', '2']);
  });

  test('exec stdin written as text frames and as binary frames both reach the process', async () => {
    const out = await python('exec', 'default', 'py-target') as { stdout: string };
    assert.equal(out.stdout, 'written as text\nwritten as bytes\n');
  });

  test('port-forward carries an HTTP exchange to the pod', async () => {
    const out = await python('portforward', 'default', 'py-target', '8080') as { response: string; error: string | null };
    assert.match(out.response, /^HTTP\/1\.[01] 200 OK\r\n/);
    assert.match(out.response, /\r\n\r\nserved-to-python\n$/);
    assert.equal(out.error, null);
  });

  test('a create conflict is 409 with the Status kube-apiserver writes, parsed and byte for byte', async () => {
    const name = `conflict-${hex}`;
    const out = await python('conflict', 'default', name) as { status: number; reason: string; body: string };
    assert.equal(out.status, 409);
    assert.equal(out.reason, 'Conflict');
    assert.deepEqual(JSON.parse(out.body), {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `configmaps "${name}" already exists`,
      reason: 'AlreadyExists', details: { name, kind: 'configmaps' }, code: 409,
    });
    assert.equal(out.body, `{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"configmaps \\"${name}\\" already exists","reason":"AlreadyExists","details":{"name":"${name}","kind":"configmaps"},"code":409}\n`);
  });

  test('a group the server does not serve is 404 NotFound "the server could not find the requested resource"', async () => {
    const out = await python('unserved', 'default') as { status: number; body: string };
    assert.equal(out.status, 404);
    const status = JSON.parse(out.body) as { reason: string; message: string; code: number };
    assert.equal(status.reason, 'NotFound');
    assert.equal(status.message, 'the server could not find the requested resource');
    assert.equal(status.code, 404);
    assert.ok(out.body.endsWith('}\n'), 'the body ends with a newline, as Go\'s json.Encoder writes it');
  });
});
