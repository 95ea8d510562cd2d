// Admission webhooks end to end under `skiff up` (seed scenario C10): a mutating webhook served by
// a pod behind a Service injects a sidecar into every pod of the namespaces labelled for it, and the
// sidecar runs; with the webhook down, failurePolicy Fail refuses pods with upstream's message and
// Ignore lets them through. Also a validating webhook refusing ConfigMaps, a webhook reached by URL
// (a server this test runs on 127.0.0.1) whose warnings kubectl prints, dry-run requests, and the
// checks on the configurations themselves. The webhook server is test/e2e/fixtures/webhook-server.mjs,
// run by the host's node binary mounted read-only into a busybox pod.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubeObject } from '../../src/api/meta.ts';
import type { Pod } from '../../src/api/types/core-v1.ts';
import { createCa, issueCert, type CertKeyPem } from '../../src/apiserver/auth/certs.ts';
import { Clientset } from '../../src/client/clientset.ts';
import type { Informer } from '../../src/client/informer.ts';
import { freePort, kubectl, type RunningServer } from './harness.ts';
import { startUpCluster, type UpCluster } from './up-cluster.ts';

const hex = randomBytes(3).toString('hex');
const WH_NS = 'wh-system';
const INJECT_NS = 'inject-me';
const PLAIN_NS = 'plain';
const FIXTURE = join(import.meta.dirname, 'fixtures', 'webhook-server.mjs');
const NODE_BIN = process.execPath;
const LIB_DIR = '/usr/lib/x86_64-linux-gnu';
const LIB64_DIR = '/usr/lib64';

let cluster: UpCluster;
let server: RunningServer;
let cs: Clientset;
const ac = new AbortController();
let pods: Informer<Pod>;
let slices: Informer;
let ca: CertKeyPem;
let caBundle = '';
let urlServer: ChildProcess | undefined;
let urlPort = 0;
let urlLog = '';
const waiters: Array<() => void> = [];
const wake = (): void => { for (const w of waiters.splice(0)) w(); };

async function run(args: string[], o: { input?: string; version?: string } = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return await kubectl(o.version ?? '1.33', server, args, { ...(o.input === undefined ? {} : { input: o.input }), timeoutMs: 60_000 });
}

async function k(args: string[], o: { input?: string; version?: string } = {}): Promise<string> {
  const r = await run(args, o);
  assert.equal(r.code, 0, `kubectl ${args.join(' ')}: ${r.stdout}\n${r.stderr}\n${server.logs().slice(-3000)}`);
  return r.stdout;
}

async function until(cond: () => boolean, what: string, timeoutMs = 120_000, poll?: () => Promise<void>): Promise<void> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    await poll?.();
    if (cond()) return;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${server.logs().slice(-4000)}`);
    await new Promise<void>((r) => { waiters.push(r); setTimeout(r, 1000); });
  }
}

const pod = (ns: string, name: string): Pod | undefined => pods.get(`${ns}/${name}`);
const allRunning = (p: Pod | undefined): boolean =>
  (p?.status?.containerStatuses?.length ?? 0) === (p?.spec?.containers.length ?? -1) && (p?.status?.containerStatuses ?? []).every((c) => c.state?.running !== undefined);
const readyEndpoints = (): number => [...slices.values()]
  .filter((s) => s.metadata.namespace === WH_NS && s.metadata.labels?.['kubernetes.io/service-name'] === 'webhook')
  .flatMap((s) => (s as KubeObject & { endpoints?: Array<{ conditions?: { ready?: boolean } }> }).endpoints ?? [])
  .filter((e) => e.conditions?.ready !== false).length;

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/**
 * Until a server-side dry run of a pod in the injected namespace comes back with its sidecar: the
 * webhook pod's endpoint can be published ready a moment before its server listens.
 */
async function webhookAnswering(): Promise<void> {
  let last = '';
  await until(() => last.includes('"sidecar"'), 'the webhook answering', 60_000, async () => {
    const r = await run(['create', '--dry-run=server', '-o', 'json', '-f', '-'], { input: podYaml(INJECT_NS, 'probe') });
    last = r.stdout + r.stderr;
  });
}

function podYaml(ns: string, name: string, annotations = ''): string {
  return `apiVersion: v1
kind: Pod
metadata: { name: ${name}, namespace: ${ns}${annotations ? `, annotations: { ${annotations} }` : ''} }
spec:
  terminationGracePeriodSeconds: 0
  containers:
  - name: app
    image: busybox
    command: ["sh", "-c", "exec sleep 3600"]
`;
}

function injectorYaml(failurePolicy: 'Fail' | 'Ignore'): string {
  return `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: { name: sidecar-injector }
webhooks:
- name: sidecar.skiff.test
  clientConfig:
    service: { namespace: ${WH_NS}, name: webhook, path: /inject }
    caBundle: ${caBundle}
  rules:
  - { operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [pods] }
  namespaceSelector: { matchLabels: { sidecar-injection: enabled } }
  matchConditions:
  - name: not-opted-out
    expression: "!has(object.metadata.annotations) || !('sidecar.skiff.test/skip' in object.metadata.annotations)"
  failurePolicy: ${failurePolicy}
  sideEffects: None
  admissionReviewVersions: [v1]
  timeoutSeconds: 5
`;
}

async function webhookServerYaml(tls: CertKeyPem): Promise<string> {
  const script = await readFile(FIXTURE, 'utf8');
  const indented = script.split('\n').map((l) => (l ? `    ${l}` : '')).join('\n');
  return `apiVersion: v1
kind: ConfigMap
metadata: { name: webhook-script, namespace: ${WH_NS} }
data:
  webhook-server.mjs: |
${indented}
---
apiVersion: v1
kind: Secret
metadata: { name: webhook-tls, namespace: ${WH_NS} }
type: kubernetes.io/tls
data:
  tls.crt: ${b64(tls.certPem)}
  tls.key: ${b64(tls.keyPem)}
---
apiVersion: v1
kind: Service
metadata: { name: webhook, namespace: ${WH_NS} }
spec:
  selector: { app: webhook }
  ports: [{ name: https, port: 443, targetPort: 8443 }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: webhook, namespace: ${WH_NS} }
spec:
  replicas: 1
  selector: { matchLabels: { app: webhook } }
  template:
    metadata: { labels: { app: webhook } }
    spec:
      terminationGracePeriodSeconds: 1
      containers:
      - name: server
        image: busybox
        command: ["/opt/node/node", "/script/webhook-server.mjs", "8443", "/tls/tls.crt", "/tls/tls.key"]
        ports: [{ name: https, containerPort: 8443 }]
        readinessProbe: { tcpSocket: { port: 8443 }, periodSeconds: 1 }
        volumeMounts:
        - { name: node, mountPath: /opt/node/node, readOnly: true }
        - { name: lib, mountPath: /lib/x86_64-linux-gnu, readOnly: true }
        - { name: lib64, mountPath: /lib64, readOnly: true }
        - { name: script, mountPath: /script, readOnly: true }
        - { name: tls, mountPath: /tls, readOnly: true }
      volumes:
      - { name: node, hostPath: { path: ${NODE_BIN}, type: File } }
      - { name: lib, hostPath: { path: ${LIB_DIR}, type: Directory } }
      - { name: lib64, hostPath: { path: ${LIB64_DIR}, type: Directory } }
      - { name: script, configMap: { name: webhook-script } }
      - { name: tls, secret: { secretName: webhook-tls } }
`;
}

before(async () => {
  cluster = await startUpCluster({ label: 'webhook', nodeName: `wh-${hex}`, cgroupRoot: `/skiff-e2e-webhook-${hex}`, bridge: 'sk11wh0', subnetBase: 48 });
  server = cluster.server;
  cs = await Clientset.fromKubeconfig(server.kubeconfig, 'e2e-webhooks');
  pods = cs.informer<Pod>({ group: '', version: 'v1', resource: 'pods', namespaced: true });
  slices = cs.informer({ group: 'discovery.k8s.io', version: 'v1', resource: 'endpointslices', namespaced: true });
  for (const i of [pods, slices] as Array<Informer<KubeObject>>) i.addHandlers({ add: wake, update: wake, delete: wake });
  cs.start(ac.signal);
  await cs.waitForSync(ac.signal);
  ca = await createCa('skiff-e2e-webhook-ca', 1);
  caBundle = b64(ca.certPem);
  for (const ns of [WH_NS, INJECT_NS, PLAIN_NS]) await k(['create', 'namespace', ns]);
  await k(['label', 'namespace', INJECT_NS, 'sidecar-injection=enabled']);
});

after(async () => {
  // Pods go before the cluster stops, so the kubelet unmounts their volumes (secrets are tmpfs mounts).
  if (server) await run(['delete', 'namespace', WH_NS, INJECT_NS, PLAIN_NS, '--wait=true', '--timeout=120s']).catch(() => undefined);
  ac.abort();
  if (urlServer?.pid !== undefined && urlServer.exitCode === null) {
    const exited = new Promise((r) => urlServer!.once('exit', r));
    process.kill(urlServer.pid, 'SIGKILL');
    await exited;
  }
  await cluster?.stop();
});

describe('admission webhooks', () => {
  test('[Admission webhook, mutation with defaulting] a mutating webhook in a pod behind a Service injects a sidecar that runs, in labelled namespaces only', async () => {
    const tls = await issueCert(ca, { cn: `webhook.${WH_NS}.svc`, usage: 'server', dnsNames: [`webhook.${WH_NS}.svc`, `webhook.${WH_NS}.svc.cluster.local`], days: 1 });
    await k(['apply', '-f', '-'], { input: await webhookServerYaml(tls) });
    await until(() => readyEndpoints() > 0, 'a ready endpoint of the webhook Service');
    await k(['apply', '-f', '-'], { input: injectorYaml('Fail') });
    await webhookAnswering();
    assert.match(await k(['get', 'mutatingwebhookconfigurations']), /^sidecar-injector\s+1\s+\S+$/m);

    const created = JSON.parse(await k(['create', '-o', 'json', '-f', '-'], { input: podYaml(INJECT_NS, 'app') })) as Pod;
    assert.deepEqual(created.spec?.containers.map((c) => c.name), ['app', 'sidecar']);
    assert.equal(created.metadata.labels?.['sidecar-injected'], 'true');
    assert.equal(created.spec?.containers[1]?.imagePullPolicy, 'Always', 'what the webhook added is defaulted');
    assert.equal(created.spec?.containers[1]?.terminationMessagePolicy, 'File');
    await until(() => allRunning(pod(INJECT_NS, 'app')), 'both containers of the injected pod running');
    assert.match(await k(['get', 'pod', '-n', INJECT_NS, 'app']), /^app\s+2\/2\s+Running\s/m);
    assert.match(await k(['exec', '-n', INJECT_NS, 'app', '-c', 'sidecar', '--', 'echo', 'sidecar-alive']), /sidecar-alive/);

    const plain = JSON.parse(await k(['create', '-o', 'json', '-f', '-'], { input: podYaml(PLAIN_NS, 'app') })) as Pod;
    assert.deepEqual(plain.spec?.containers.map((c) => c.name), ['app'], 'a namespace without the label is left alone');
    const optedOut = JSON.parse(await k(['create', '-o', 'json', '-f', '-'], { input: podYaml(INJECT_NS, 'opted-out', '"sidecar.skiff.test/skip": "yes"') })) as Pod;
    assert.deepEqual(optedOut.spec?.containers.map((c) => c.name), ['app'], 'a false matchCondition skips the webhook');
    // The webhook saw the requests it was sent (and only those).
    const logs = await k(['logs', '-n', WH_NS, 'deploy/webhook']);
    assert.match(logs, new RegExp(`/inject CREATE pods ${INJECT_NS}/app`));
    assert.doesNotMatch(logs, new RegExp(`${PLAIN_NS}/|/opted-out`));
  });

  test('[Admission webhook, deny create] a validating webhook refuses with its own status and upstream\'s message (kubectl 1.33 and 1.27)', async () => {
    await k(['apply', '-f', '-'], { input: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: no-forbidden-keys }
webhooks:
- name: deny.skiff.test
  clientConfig:
    service: { namespace: ${WH_NS}, name: webhook, path: /validate }
    caBundle: ${caBundle}
  rules:
  - { operations: [CREATE, UPDATE], apiGroups: [""], apiVersions: ["*"], resources: [configmaps] }
  namespaceSelector: { matchLabels: { sidecar-injection: enabled } }
  sideEffects: None
  admissionReviewVersions: [v1, v1beta1]
` });
    for (const version of ['1.33', '1.27']) {
      const name = `bad-${version.replace('.', '')}`;
      const r = await run(['create', '-f', '-'], { input: `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}, namespace: ${INJECT_NS} }\ndata: { forbidden: "1" }\n`, version });
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Error from server \(Forbidden\): error when creating "STDIN": admission webhook "deny\.skiff\.test" denied the request: the key "forbidden" is not allowed/, r.stderr);
    }
    await k(['create', 'configmap', 'good', '-n', INJECT_NS, '--from-literal=fine=1']);
    // A namespace the selector leaves out may hold the key.
    await k(['create', 'configmap', 'elsewhere', '-n', PLAIN_NS, '--from-literal=forbidden=1']);
  });

  test('[Admission webhook, fail closed] with the webhook down, failurePolicy Fail refuses pods with upstream\'s message and Ignore lets them through', async () => {
    await k(['delete', 'validatingwebhookconfiguration', 'no-forbidden-keys']);
    await k(['scale', 'deployment', '-n', WH_NS, 'webhook', '--replicas=0']);
    await until(() => readyEndpoints() === 0 && ![...pods.values()].some((p) => p.metadata.namespace === WH_NS), 'the webhook pod gone');
    for (const version of ['1.33', '1.27']) {
      const r = await run(['create', '-f', '-'], { input: podYaml(INJECT_NS, 'refused'), version });
      assert.notEqual(r.code, 0, r.stdout);
      assert.match(r.stderr, new RegExp(`Error from server \\(InternalError\\): error when creating "STDIN": Internal error occurred: failed calling webhook "sidecar\\.skiff\\.test": failed to call webhook: Post "https://webhook\\.${WH_NS}\\.svc:443/inject\\?timeout=5s": no endpoints available for service "webhook"`), r.stderr);
    }
    assert.equal(pod(INJECT_NS, 'refused'), undefined);

    await k(['apply', '-f', '-'], { input: injectorYaml('Ignore') });
    const through = JSON.parse(await k(['create', '-o', 'json', '-f', '-'], { input: podYaml(INJECT_NS, 'through') })) as Pod;
    assert.deepEqual(through.spec?.containers.map((c) => c.name), ['app'], 'admitted without the sidecar');
    await until(() => allRunning(pod(INJECT_NS, 'through')), 'the pod admitted without its webhook running');

    // The webhook back: injection resumes.
    await k(['scale', 'deployment', '-n', WH_NS, 'webhook', '--replicas=1']);
    await until(() => readyEndpoints() > 0, 'the webhook ready again');
    await webhookAnswering();
    const again = JSON.parse(await k(['create', '-o', 'json', '-f', '-'], { input: podYaml(INJECT_NS, 'again') })) as Pod;
    assert.deepEqual(again.spec?.containers.map((c) => c.name), ['app', 'sidecar']);
    await k(['delete', 'mutatingwebhookconfiguration', 'sidecar-injector']);
  });

  test('a webhook reached by URL: its warnings are printed by kubectl, dry-run requests reach it marked as such', async () => {
    const tls = await issueCert(ca, { cn: '127.0.0.1', usage: 'server', ips: ['127.0.0.1'], days: 1 });
    await writeFile(join(server.dataDir, 'url-webhook.crt'), tls.certPem);
    await writeFile(join(server.dataDir, 'url-webhook.key'), tls.keyPem);
    urlPort = await freePort();
    urlServer = spawn(NODE_BIN, [FIXTURE, String(urlPort), join(server.dataDir, 'url-webhook.crt'), join(server.dataDir, 'url-webhook.key'), '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    urlServer.stdout!.on('data', (d: Buffer) => { urlLog += d.toString(); wake(); });
    urlServer.stderr!.on('data', (d: Buffer) => { urlLog += d.toString(); });
    await until(() => urlLog.includes('webhook listening'), 'the URL webhook listening', 20_000);
    await k(['apply', '-f', '-'], { input: `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: { name: url-warner }
webhooks:
- name: warn.skiff.test
  clientConfig:
    url: https://127.0.0.1:${urlPort}/warn
    caBundle: ${caBundle}
  rules:
  - { operations: [CREATE], apiGroups: [""], apiVersions: [v1], resources: [configmaps], scope: Namespaced }
  objectSelector: { matchLabels: { watched: "yes" } }
  sideEffects: NoneOnDryRun
  admissionReviewVersions: [v1]
` });
    const cm = (name: string): string => `apiVersion: v1\nkind: ConfigMap\nmetadata: { name: ${name}, namespace: ${PLAIN_NS}, labels: { watched: "yes" } }\ndata: { a: b }\n`;
    for (const version of ['1.33', '1.27']) {
      const name = `w${version.replace('.', '')}`;
      const r = await run(['create', '-f', '-'], { input: cm(name), version });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stderr, new RegExp(`Warning: configmap ${name} was seen by the url webhook\\n`), r.stderr);
    }
    const dry = await run(['create', '--dry-run=server', '-f', '-'], { input: cm('dry') });
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stderr, /Warning: configmap dry was seen by the url webhook \(dry run\)/);
    assert.match(urlLog, new RegExp(`/warn CREATE configmaps ${PLAIN_NS}/dry dry-run`));
    const unwatched = await run(['create', 'configmap', 'unwatched', '-n', PLAIN_NS]);
    assert.equal(unwatched.code, 0);
    assert.doesNotMatch(unwatched.stderr, /Warning/, 'the objectSelector leaves unlabelled objects alone');
    await k(['delete', 'validatingwebhookconfiguration', 'url-warner']);
  });

  test('[Mutating Admission webhook, reject mutating webhook configurations with invalid matchConditions] configurations are checked as upstream checks them: sideEffects, admissionReviewVersions, clientConfig, timeoutSeconds', async () => {
    const r = await run(['apply', '-f', '-'], { input: `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: { name: invalid }
webhooks:
- name: bad
  clientConfig: { url: "http://127.0.0.1/x" }
  rules: [{ operations: [CREATE, "*"], apiGroups: [""], apiVersions: [v1], resources: [pods] }]
  sideEffects: Unknown
  admissionReviewVersions: [v1beta2]
  timeoutSeconds: 31
` });
    assert.notEqual(r.code, 0);
    for (const m of [
      'webhooks[0].name: Invalid value: "bad": should be a domain with at least three segments separated by dots',
      // Lists are echoed as JSON (upstream prints Go syntax there).
      'webhooks[0].rules[0].operations: Invalid value: ["CREATE","*"]: if \'*\' is present, must not specify other operations',
      'webhooks[0].sideEffects: Unsupported value: "Unknown": supported values: "None", "NoneOnDryRun"',
      'webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds',
      'webhooks[0].clientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]',
      'webhooks[0].admissionReviewVersions: Invalid value: ["v1beta2"]: must include at least one of v1, v1beta1',
    ]) assert.ok(r.stderr.includes(m), `${m}\nnot in\n${r.stderr}`);
    const cel = await run(['apply', '-f', '-'], { input: `apiVersion: admissionregistration.k8s.io/v1
kind: MutatingWebhookConfiguration
metadata: { name: invalid-cel }
webhooks:
- name: cel.skiff.test
  clientConfig: { url: "https://127.0.0.1:1/x" }
  sideEffects: None
  admissionReviewVersions: [v1]
  matchConditions: [{ name: broken, expression: "object.metadata.name ==" }]
` });
    assert.notEqual(cel.code, 0);
    assert.match(cel.stderr, /webhooks\[0\]\.matchConditions\[0\]\.expression: Invalid value: "object\.metadata\.name ==": compilation failed: ERROR: <input>:1:\d+: Syntax error/, cel.stderr);
  });
});
