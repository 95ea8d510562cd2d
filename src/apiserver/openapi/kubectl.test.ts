// Real clients read the documents: kubectl 1.27 (OpenAPI v2 protobuf) and 1.33 (OpenAPI v3) run
// explain and create against a small HTTPS server that serves discovery and these documents.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { definitionNameFor } from '../../api/schema/index.ts';
import { apiGroupList, apiResourceList, apiVersions } from '../handlers/discovery.ts';
import { writeKubeconfig } from '../auth/kubeconfig.ts';
import { ensurePki } from '../auth/pki.ts';
import { openapiV2Document, openapiV2Protobuf } from './v2.ts';
import { openapiV3Document, openapiV3Index } from './v3.ts';

const BIN = '/usr/lib/google-cloud-sdk/bin';
const hasKubectl = existsSync(`${BIN}/kubectl.1.27`) && existsSync(`${BIN}/kubectl.1.33`);
const hasPod = definitionNameFor('', 'v1', 'Pod') !== undefined && definitionNameFor('', 'v1', 'PodList') !== undefined;
const skip = !hasKubectl ? 'kubectl 1.27/1.33 not installed' : !hasPod ? 'the schema registry has no Pod yet' : false;

const POD = `apiVersion: v1
kind: Pod
metadata:
  name: web
  namespace: default
spec:
  containers:
  - name: web
    image: nginx
    ports:
    - containerPort: 80
`;

describe('kubectl reads skiff OpenAPI', { skip, timeout: 120_000 }, () => {
  let dir: string;
  let server: Server;
  let kubeconfig: string;
  const requests: string[] = [];

  function reply(res: ServerResponse, code: number, body: string | Buffer, type = 'application/json'): void {
    res.writeHead(code, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
  }

  function handle(req: IncomingMessage, res: ServerResponse, chunks: Buffer[]): void {
    const url = new URL(req.url ?? '/', 'https://x');
    const p = url.pathname;
    requests.push(`${req.method} ${p}${url.search}`);
    const addr = server.address() as AddressInfo;
    if (p === '/api') return reply(res, 200, JSON.stringify(apiVersions(`127.0.0.1:${addr.port}`)));
    if (p === '/apis') return reply(res, 200, JSON.stringify(apiGroupList()));
    const gv = /^\/api\/(v1)$/.exec(p) ?? /^\/apis\/([^/]+)\/([^/]+)$/.exec(p);
    if (gv) {
      const list = p.startsWith('/api/') ? apiResourceList('', gv[1]!) : apiResourceList(gv[1]!, gv[2]!);
      if (list) return reply(res, 200, JSON.stringify(list));
    }
    if (p === '/openapi/v2') {
      if ((req.headers.accept ?? '').includes('protobuf')) return reply(res, 200, openapiV2Protobuf(), 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf');
      return reply(res, 200, JSON.stringify(openapiV2Document()));
    }
    if (p === '/openapi/v3') return reply(res, 200, JSON.stringify(openapiV3Index()));
    if (p.startsWith('/openapi/v3/')) {
      const doc = openapiV3Document(p.slice('/openapi/v3/'.length));
      if (doc) return reply(res, 200, doc.body);
    }
    if (req.method === 'POST' && p === '/api/v1/namespaces/default/pods') {
      const obj = JSON.parse(Buffer.concat(chunks).toString() || '{}');
      return reply(res, 201, JSON.stringify({ ...obj, metadata: { ...obj.metadata, uid: 'u1', resourceVersion: '1' } }));
    }
    reply(res, 404, JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'NotFound', code: 404, message: `${p} not found` }));
  }

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'skiff-openapi-kubectl-'));
    const pki = await ensurePki(join(dir, 'pki'), { hostnames: [], ips: [] });
    server = createServer({ cert: pki.serverCertPem, key: pki.serverKeyPem }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => handle(req, res, chunks));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    kubeconfig = join(dir, 'kubeconfig');
    await writeKubeconfig(kubeconfig, {
      server: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
      caCertPem: pki.caCertPem, clientCertPem: pki.adminCertPem, clientKeyPem: pki.adminKeyPem,
    });
    await writeFile(join(dir, 'pod.yaml'), POD);
  });
  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await rm(dir, { recursive: true, force: true });
  });

  function kubectl(version: string, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    requests.length = 0;
    return new Promise((resolve) => {
      execFile(`${BIN}/kubectl.${version}`, ['--kubeconfig', kubeconfig, '--cache-dir', join(dir, `cache-${version}`), ...args],
        { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: dir }, timeout: 60_000, maxBuffer: 16 << 20 },
        (err, stdout, stderr) => resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }));
    });
  }

  it('kubectl 1.27 explains pods from the v2 protobuf', async () => {
    const r = await kubectl('1.27', 'explain', 'pods.spec.containers');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(requests.some((x) => x.startsWith('GET /openapi/v2')), requests.join('\n'));
    assert.match(r.stdout, /KIND:\s+Pod/);
    assert.match(r.stdout, /image\s/);
  });

  it('kubectl 1.27 create leaves validation to the server', async () => {
    const r = await kubectl('1.27', 'create', '-f', join(dir, 'pod.yaml'));
    assert.equal(r.code, 0, r.stderr);
    const post = requests.find((x) => x.startsWith('POST /api/v1/namespaces/default/pods'));
    assert.ok(post, requests.join('\n'));
    assert.match(post, /fieldValidation=Strict/);
  });

  it('kubectl 1.33 explains pods recursively from the v3 documents', async () => {
    const r = await kubectl('1.33', 'explain', 'pods.spec', '--recursive');
    assert.equal(r.code, 0, r.stderr);
    assert.ok(requests.some((x) => x.startsWith('GET /openapi/v3/api/v1?hash=')), requests.join('\n'));
    assert.match(r.stdout, /KIND:\s+Pod/);
    assert.match(r.stdout, /containers\s+<\[\]Container>/);
  });

  it('kubectl 1.33 create leaves validation to the server', async () => {
    const r = await kubectl('1.33', 'create', '-f', join(dir, 'pod.yaml'));
    assert.equal(r.code, 0, r.stderr);
    const post = requests.find((x) => x.startsWith('POST /api/v1/namespaces/default/pods'));
    assert.ok(post, requests.join('\n'));
    assert.match(post, /fieldValidation=Strict/);
  });
});
