// certificates.k8s.io, access reviews and impersonation on one `skiff up` cluster: a user asks
// for a client certificate through a CertificateSigningRequest, the admin approves it with
// kubectl, the controller manager signs it and the user authenticates with it; kubelet client
// requests from a bootstrap token are approved automatically; `skiff kubeconfig` writes a working
// kubeconfig; `kubectl auth can-i` (with --as and --list) and `kubectl auth whoami` answer.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes, X509Certificate } from 'node:crypto';
import { request } from 'node:https';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../src/api/meta.ts';
import { Clientset } from '../../src/client/clientset.ts';
import { renderKubeconfig } from '../../src/apiserver/auth/kubeconfig.ts';
import { createCsr } from '../../src/pki/certs.ts';
import { kubectl, ROOT, waitUntil, type KubectlResult, type RunningServer } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const run = promisify(execFile);
const hex = randomBytes(3).toString('hex');
let cluster: UpCluster;
let server: RunningServer;
let admin: Clientset;
let caPem: string;

interface Csr extends KubeObject {
  spec: { request: string; signerName: string; usages?: string[]; username?: string; groups?: string[]; expirationSeconds?: number };
  status?: { conditions?: Array<{ type: string; status: string; reason?: string; message?: string }>; certificate?: string };
}

before(async () => {
  cluster = await startUpCluster({
    label: 'certs', nodeName: `certs-${hex}`, cgroupRoot: `/skiff-e2e-certs-${hex}`, bridge: 'sk11ce0', subnetBase: 32,
    // The API and its controllers only: no pod networking needed here.
    extraArgs: ['--disable', 'proxy,dns,routes,network-policy,ingress'],
  });
  server = cluster.server;
  admin = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-certs');
  caPem = await readFile(join(server.dataDir, 'pki', 'ca.crt'), 'utf8');
});

after(async () => {
  admin?.rest.close();
  await cluster?.stop();
});

/** kubectl as `who` (a kubeconfig path; the admin's by default). */
async function k(args: string[], o: { version?: string; kubeconfig?: string; input?: string; ok?: boolean } = {}): Promise<KubectlResult> {
  const r = await kubectl(o.version ?? '1.33', { kubeconfig: o.kubeconfig ?? server.kubeconfig, dataDir: server.dataDir }, args, o.input === undefined ? {} : { input: o.input });
  if (o.ok !== false) assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stderr}\n${server.logs().slice(-2000)}`);
  return r;
}

async function skiff(args: string[]): Promise<string> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', join(ROOT, 'src', 'cmd', 'skiff.ts'), ...args], { cwd: ROOT });
  return stdout;
}

async function userKubeconfig(name: string, certPem: string, keyPem: string): Promise<string> {
  const path = join(server.dataDir, `${name}.kubeconfig`);
  await writeFile(path, renderKubeconfig({ server: server.url, caCertPem: caPem, clientCertPem: certPem, clientKeyPem: keyPem, userName: name }), { mode: 0o600 });
  return path;
}

const csrs = (): ReturnType<Clientset['resource']> => admin.resource('certificates.k8s.io/v1', 'certificatesigningrequests');

async function issued(name: string): Promise<Csr> {
  let got: Csr | undefined;
  await waitUntil(async () => {
    got = await csrs().get(undefined, name) as Csr;
    return Boolean(got.status?.certificate) || Boolean(got.status?.conditions?.some((c) => c.type === 'Failed'));
  }, 30_000, `CSR ${name} to be signed`);
  return got!;
}

function csrYaml(name: string, pem: string, signerName: string, usages: string[], extra = ''): string {
  return `apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: { name: ${name} }
spec:
  request: ${Buffer.from(pem).toString('base64')}
  signerName: ${signerName}
  usages: [${usages.map((u) => JSON.stringify(u)).join(', ')}]
${extra}`;
}

/** A POST with a bearer token, trusting the cluster CA. */
function post(url: string, token: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ca: caPem, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      let out = '';
      res.on('data', (d: Buffer) => { out += d.toString(); });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: out }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function rbacServed(): Promise<boolean> {
  return (await k(['api-versions'])).stdout.includes('rbac.authorization.k8s.io/v1');
}

describe('certificates.k8s.io', () => {
  test('CertificateSigningRequest API: discovery lists the resource with its approval and status subresources and their verbs', async () => {
    const doc = JSON.parse((await k(['get', '--raw', '/apis/certificates.k8s.io/v1'])).stdout) as { resources: Array<{ name: string; verbs: string[] }> };
    const verbs = Object.fromEntries(doc.resources.map((r) => [r.name, [...r.verbs].sort()]));
    assert.deepEqual(verbs.certificatesigningrequests, ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch']);
    assert.deepEqual(verbs['certificatesigningrequests/approval'], ['get', 'patch', 'update']);
    assert.deepEqual(verbs['certificatesigningrequests/status'], ['get', 'patch', 'update']);
  });

  test('a user asks for a client certificate, kubectl certificate approve, the user authenticates with it', async () => {
    // The requester is a user of its own (its kubeconfig from `skiff kubeconfig`).
    const requesterConfig = join(server.dataDir, 'requester.kubeconfig');
    await skiff(['kubeconfig', '--user', 'csr-requester', '--data-dir', server.dataDir, '-o', requesterConfig]);
    if (await rbacServed()) {
      await k(['create', 'clusterrole', 'csr-creator', '--verb=create,get,list,watch', '--resource=certificatesigningrequests']);
      await k(['create', 'clusterrolebinding', 'csr-creator', '--clusterrole=csr-creator', '--user=csr-requester']);
    }
    const jane = await createCsr('jane', ['devs']);
    // The body's username and groups are ignored: the server records who asked.
    await k(['create', '-f', '-'], {
      kubeconfig: requesterConfig,
      input: csrYaml('jane', jane.csrPem, 'kubernetes.io/kube-apiserver-client', ['digital signature', 'client auth'], '  expirationSeconds: 3600\n  username: system:admin\n  groups: [system:masters]\n'),
    });
    const pending = (await k(['get', 'csr', 'jane'])).stdout;
    assert.match(pending, /^NAME\s+AGE\s+SIGNERNAME\s+REQUESTOR\s+REQUESTEDDURATION\s+CONDITION\n/);
    assert.match(pending, /\njane\s+\S+\s+kubernetes\.io\/kube-apiserver-client\s+csr-requester\s+60m\s+Pending\n/);
    const stored = await csrs().get(undefined, 'jane') as Csr;
    assert.equal(stored.spec.username, 'csr-requester');
    assert.deepEqual(stored.spec.groups, ['system:authenticated']);

    assert.match((await k(['certificate', 'approve', 'jane'])).stdout, /certificatesigningrequest.certificates.k8s.io\/jane approved/);
    const done = await issued('jane');
    assert.match((await k(['get', 'csr', 'jane'])).stdout, /Approved,Issued/);
    const certPem = Buffer.from(done.status!.certificate!, 'base64').toString('utf8');
    const cert = new X509Certificate(certPem);
    const lifetime = Date.parse(cert.validTo) - Date.now();
    assert.ok(lifetime > 50 * 60_000 && lifetime <= 3600_000 + 5_000, `expirationSeconds honoured (${cert.validTo})`);

    const janeConfig = await userKubeconfig('jane', certPem, jane.keyPem);
    const who = (await k(['auth', 'whoami'], { kubeconfig: janeConfig })).stdout;
    assert.match(who, /Username\s+jane\n/);
    assert.match(who, /Groups\s+\[devs system:authenticated\]\n/);

    // The approval is only through /approval: an update of the main resource keeps conditions and certificate.
    const updated = await csrs().update(undefined, { ...done, status: {} }) as Csr;
    assert.equal(updated.status?.certificate, done.status!.certificate);
  });

  test('kubectl 1.27 certificate deny; denied requests are never signed; Approved and Denied are exclusive', async () => {
    const bob = await createCsr('bob', []);
    await k(['create', '-f', '-'], { input: csrYaml('bob', bob.csrPem, 'kubernetes.io/kube-apiserver-client', ['client auth']) });
    assert.match((await k(['certificate', 'deny', 'bob'], { version: '1.27' })).stdout, /certificatesigningrequest.certificates.k8s.io\/bob denied/);
    assert.match((await k(['get', 'csr', 'bob'])).stdout, /\sDenied\n/);
    const denied = await csrs().get(undefined, 'bob') as Csr;
    const both = { ...denied, status: { conditions: [...(denied.status?.conditions ?? []), { type: 'Approved', status: 'True', reason: 'Sneaky' }] } };
    await assert.rejects(csrs().update(undefined, both, { subresource: 'approval' }), /Approved and Denied conditions are mutually exclusive/);
    assert.equal((await csrs().get(undefined, 'bob') as Csr).status?.certificate, undefined);
  });

  test('the signer refuses usages its signer does not allow (Failed condition)', async () => {
    const srv = await createCsr('server-ish', []);
    await k(['create', '-f', '-'], { input: csrYaml('server-ish', srv.csrPem, 'kubernetes.io/kube-apiserver-client', ['server auth', 'client auth']) });
    await k(['certificate', 'approve', 'server-ish'], { version: '1.27' });
    const failed = await issued('server-ish');
    const cond = failed.status?.conditions?.find((c) => c.type === 'Failed');
    assert.deepEqual([cond?.reason, cond?.message], ['SignerValidationFailure', 'invalid usage for client certificate: server auth']);
    assert.match((await k(['get', 'csr', 'server-ish'])).stdout, /Approved,Failed/);
  });

  test('invalid requests are refused with upstream\'s messages', async () => {
    const r = await k(['create', '-f', '-'], { ok: false, input: csrYaml('bad', 'not a pem', 'nodomain', ['client auth'], '  expirationSeconds: 60\n') });
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /spec.request: Invalid value: .*PEM block type must be CERTIFICATE REQUEST/);
    assert.match(r.stderr, /spec.signerName: Invalid value: "nodomain": must be a fully qualified domain and path of the form 'example.com\/signer-name'/);
    assert.match(r.stderr, /spec.expirationSeconds: Invalid value: 60: may not specify a duration less than 600 seconds \(10 minutes\)/);
  });

  test('a kubelet client request from a bootstrap token is approved automatically and signed', async () => {
    const token = (await skiff(['token', 'create', '--data-dir', server.dataDir])).trim();
    const node = await createCsr('system:node:joiner', ['system:nodes']);
    const body = JSON.stringify({
      apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'node-joiner' },
      spec: { request: Buffer.from(node.csrPem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] },
    });
    const res = await post(`${server.url}/apis/certificates.k8s.io/v1/certificatesigningrequests`, token, body);
    assert.equal(res.status, 201, res.body);
    const done = await issued('node-joiner');
    const approved = done.status?.conditions?.find((c) => c.type === 'Approved');
    assert.deepEqual([approved?.reason, approved?.message], ['AutoApproved', 'Auto approving kubelet client certificate after SubjectAccessReview.']);
    assert.match(new X509Certificate(Buffer.from(done.status!.certificate!, 'base64')).subject, /CN=system:node:joiner/);
  });
});

describe('skiff kubeconfig, access reviews, impersonation', () => {
  test('skiff kubeconfig --user jane --group devs works with kubectl 1.33 and 1.27 (auth whoami)', async () => {
    const path = join(server.dataDir, 'jane-cli.kubeconfig');
    await skiff(['kubeconfig', '--user', 'jane', '--group', 'devs', '--data-dir', server.dataDir, '-o', path, '--expiration', '24h']);
    for (const version of ['1.33', '1.27']) {
      const out = (await k(['auth', 'whoami'], { kubeconfig: path, version })).stdout;
      assert.equal(out, 'ATTRIBUTE   VALUE\nUsername    jane\nGroups      [devs system:authenticated]\n', version);
    }
  });

  test('kubectl auth can-i, --as, --as-group and --list', async () => {
    assert.equal((await k(['auth', 'can-i', 'create', 'pods'])).stdout, 'yes\n');
    const list = (await k(['auth', 'can-i', '--list'])).stdout;
    assert.match(list, /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs\n/);
    assert.match(list, /\n\*\.\*\s+\[\]\s+\[\]\s+\[\*\]\n/);
    if (!(await rbacServed())) return;
    await k(['create', 'namespace', 'prod']);
    const no = await k(['auth', 'can-i', 'get', 'pods', '-n', 'prod', '--as', 'jane'], { ok: false });
    assert.deepEqual([no.code, no.stdout], [1, 'no\n']);
    await k(['create', 'role', 'pod-reader', '-n', 'prod', '--verb=get,list', '--resource=pods']);
    await k(['create', 'rolebinding', 'devs-read', '-n', 'prod', '--role=pod-reader', '--group=devs']);
    assert.equal((await k(['auth', 'can-i', 'get', 'pods', '-n', 'prod', '--as', 'jane', '--as-group', 'devs'])).stdout, 'yes\n');
    assert.equal((await k(['auth', 'can-i', 'delete', 'pods', '-n', 'prod', '--as', 'jane', '--as-group', 'devs'], { ok: false })).stdout, 'no\n');
    const janeList = (await k(['auth', 'can-i', '--list', '-n', 'prod', '--as', 'jane', '--as-group', 'devs'])).stdout;
    assert.match(janeList, /\npods\s+\[\]\s+\[\]\s+\[get list\]\n/);
  });

  test('SubjectReview, API Operations: a SubjectAccessReview and a LocalSubjectAccessReview for a service account agree with its impersonated client', async () => {
    await k(['create', 'namespace', 'reviews']);
    await k(['create', 'serviceaccount', 'bot', '-n', 'reviews']);
    const sa = 'system:serviceaccount:reviews:bot';
    const asSa = await k(['get', 'configmaps', '-n', 'reviews', '--as', sa], { ok: false });
    const expected = asSa.code === 0;
    // --validate=false: kubectl checks the reviews (which have no PATCH) against the CRD list,
    // which this cluster serves only once apiextensions is in.
    const sar = JSON.parse((await k(['create', '--validate=false', '-o', 'json', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec: { user: sa, groups: ['system:serviceaccounts', 'system:serviceaccounts:reviews', 'system:authenticated'], resourceAttributes: { verb: 'list', resource: 'configmaps', namespace: 'reviews' } } }),
    })).stdout) as { status: { allowed: boolean } };
    assert.equal(sar.status.allowed, expected);
    const local = JSON.parse((await k(['create', '--validate=false', '-o', 'json', '-n', 'reviews', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', metadata: { namespace: 'reviews' }, spec: { user: sa, resourceAttributes: { verb: 'list', resource: 'configmaps', namespace: 'reviews' } } }),
    })).stdout) as { status: { allowed: boolean } };
    assert.equal(local.status.allowed, expected);
    const mismatch = await k(['create', '--validate=false', '-n', 'reviews', '-f', '-'], {
      ok: false,
      input: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'LocalSubjectAccessReview', metadata: { namespace: 'reviews' }, spec: { user: sa, resourceAttributes: { verb: 'list', resource: 'configmaps', namespace: 'other' } } }),
    });
    assert.match(mismatch.stderr, /spec.resourceAttributes.namespace: Invalid value: "other": must match metadata.namespace/);
  });

  test('impersonation: the impersonated user is what the server sees; refused without the impersonate verb', async () => {
    const who = (await k(['auth', 'whoami', '--as', 'system:serviceaccount:reviews:bot'])).stdout;
    assert.match(who, /Username\s+system:serviceaccount:reviews:bot\n/);
    assert.match(who, /Groups\s+\[system:serviceaccounts system:serviceaccounts:reviews system:authenticated\]\n/);
    if (!(await rbacServed())) return;
    const path = join(server.dataDir, 'jane-cli.kubeconfig');
    const r = await k(['get', 'pods', '--as', 'skiff-admin'], { kubeconfig: path, ok: false });
    assert.match(r.stderr, /users "skiff-admin" is forbidden: User "jane" cannot impersonate resource "users" in API group "" at the cluster scope/);
  });
});
