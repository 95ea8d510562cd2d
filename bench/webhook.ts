// Admission webhook benchmark (issue 11): pod creates/s against `skiff server` (no nodes: only
// admission and storage are measured) without webhooks, then with a no-op mutating webhook reached
// by URL on loopback (an HTTPS server in this process, trusted through caBundle), in one run.
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { createCa, issueCert } from '../src/apiserver/auth/certs.ts';
import { removeDir, startServer, tempDir } from '../test/e2e/harness.ts';
import { clientFromKubeconfig, type BenchClient } from './http-client.ts';

const PODS = Number(process.env.BENCH_WEBHOOK_PODS ?? 2000);
const CLIENTS = Number(process.env.BENCH_WEBHOOK_CLIENTS ?? 16);
const ROUNDS = 4;

function line(name: string, value: number, unit: string): void {
  console.log(`${name}: ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
}

async function must(c: BenchClient, method: string, path: string, body?: unknown): Promise<string> {
  const r = await c.req(method, path, body);
  if (r.status >= 300) throw new Error(`${method} ${path}: ${r.status} ${r.body.slice(0, 300)}`);
  return r.body;
}

const pod = (name: string): unknown => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'bench' } },
  spec: { containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }], terminationGracePeriodSeconds: 0 },
});

/** Creates/s of `n` pods from `clients` concurrent clients. */
async function createPods(c: BenchClient, prefix: string, n: number, clients: number): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    for (let i = next++; i < n; i = next++) await must(c, 'POST', '/api/v1/namespaces/bench/pods', pod(`${prefix}-${i}`));
  }));
  return n / ((performance.now() - t0) / 1000);
}

export async function benchWebhook(): Promise<void> {
  const dir = await tempDir('bench-webhook');
  const ca = await createCa('bench-webhook-ca', 1);
  const leaf = await issueCert(ca, { cn: '127.0.0.1', usage: 'server', ips: ['127.0.0.1'], days: 1 });
  let calls = 0;
  // The no-op webhook: allows everything, patches nothing.
  const hook = createServer({ cert: leaf.certPem, key: leaf.keyPem, keepAliveTimeout: 65_000 }, (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (d: Buffer) => chunks.push(d));
    req.on('end', () => {
      calls++;
      const uid = (JSON.parse(Buffer.concat(chunks).toString()) as { request: { uid: string } }).request.uid;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid, allowed: true } }));
    });
  });
  await new Promise<void>((r) => hook.listen(0, '127.0.0.1', r));
  const port = (hook.address() as AddressInfo).port;
  const srv = await startServer({ dataDir: dir, logLevel: 'error', extraArgs: ['--no-scheduler'] });
  const c = clientFromKubeconfig(srv.kubeconfig, CLIENTS);
  try {
    await must(c, 'POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
    // Pods need the namespace's default ServiceAccount (made by its controller).
    for (let i = 0; (await c.req('GET', '/api/v1/namespaces/bench/serviceaccounts/default')).status !== 200; i++) {
      if (i > 300) throw new Error('no default ServiceAccount in namespace bench after 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const config = {
      apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: 'noop' },
      webhooks: [{
        name: 'noop.bench.skiff', clientConfig: { url: `https://127.0.0.1:${port}/mutate`, caBundle: Buffer.from(ca.certPem).toString('base64') },
        rules: [{ operations: ['CREATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['pods'] }],
        sideEffects: 'None', admissionReviewVersions: ['v1'], failurePolicy: 'Fail',
      }],
    };
    let probes = 0;
    // Until the API server's cache has the configuration (or has dropped it): a pod create reaches the webhook (or does not).
    const settle = async (present: boolean): Promise<void> => {
      for (let i = 0; ; i++) {
        if (i > 100) throw new Error(`the webhook configuration did not ${present ? 'take' : 'stop taking'} effect`);
        const before = calls;
        await must(c, 'POST', '/api/v1/namespaces/bench/pods', pod(`probe-${probes++}`));
        if ((calls > before) === present) return;
      }
    };
    await createPods(c, 'warm', 200, CLIENTS);
    // The two cases alternate in rounds, so the load of the shared machine weighs on both alike.
    let withoutSecs = 0;
    let withSecs = 0;
    const perRound = Math.ceil(PODS / ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      withoutSecs += perRound / (await createPods(c, `plain-${r}`, perRound, CLIENTS));
      await must(c, 'POST', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations', config);
      await settle(true);
      const before = calls;
      withSecs += perRound / (await createPods(c, `hooked-${r}`, perRound, CLIENTS));
      if (calls - before !== perRound) throw new Error(`the webhook saw ${calls - before} of ${perRound} pod creates`);
      await must(c, 'DELETE', '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/noop');
      await settle(false);
    }
    const without = (perRound * ROUNDS) / withoutSecs;
    const withHook = (perRound * ROUNDS) / withSecs;
    line(`create_pods_${CLIENTS}_clients_no_webhook`, Math.round(without), 'creates/s');
    line(`create_pods_${CLIENTS}_clients_noop_mutating_webhook`, Math.round(withHook), 'creates/s');
    line('noop_mutating_webhook_cost', (1 - withHook / without) * 100, '%');
  } finally {
    c.close();
    await srv.stop();
    hook.closeAllConnections();
    hook.close();
    await removeDir(dir);
  }
}
