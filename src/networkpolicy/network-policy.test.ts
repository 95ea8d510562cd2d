// The enforcer's loop against a small in-process API server (lists and watches of policies, pods
// and namespaces) with a recording `apply` instead of nft: what it sends, when it renders in full
// and when only sets, how bursts coalesce, that a failed apply is retried in full, and that the
// table goes when it stops.
import assert from 'node:assert/strict';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import pino from 'pino';
import type { KubeObject } from '../api/meta.ts';
import type { Pod } from '../api/types/core-v1.ts';
import type { NetworkPolicy } from '../api/types/networking-v1-network-policy.ts';
import { Clientset } from '../client/clientset.ts';
import { NetworkPolicyEnforcer } from './network-policy.ts';

const PATHS = {
  policies: '/apis/networking.k8s.io/v1/networkpolicies',
  pods: '/api/v1/pods',
  namespaces: '/api/v1/namespaces',
} as const;
type Kind = keyof typeof PATHS;

let server: Server;
let url = '';
let rv = 1;
const objects: Record<Kind, Map<string, KubeObject>> = { policies: new Map(), pods: new Map(), namespaces: new Map() };
const watchers: Record<Kind, Set<ServerResponse>> = { policies: new Set(), pods: new Set(), namespaces: new Set() };

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name ?? ''}`;
}

/** Stores the object and sends the event to open watches. */
function put(kind: Kind, o: KubeObject, type: 'ADDED' | 'MODIFIED' | 'DELETED' = objects[kind].has(keyOf(o)) ? 'MODIFIED' : 'ADDED'): void {
  const obj = { ...o, metadata: { ...o.metadata, resourceVersion: String(++rv) } };
  if (type === 'DELETED') objects[kind].delete(keyOf(o));
  else objects[kind].set(keyOf(o), obj);
  for (const w of watchers[kind]) w.write(`${JSON.stringify({ type, object: obj })}\n`);
}

before(async () => {
  server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const kind = (Object.keys(PATHS) as Kind[]).find((k) => PATHS[k] === u.pathname);
    res.writeHead(kind ? 200 : 404, { 'Content-Type': 'application/json' });
    if (!kind) { res.end('{}'); return; }
    if (u.searchParams.get('watch') === 'true') {
      watchers[kind].add(res);
      res.on('close', () => watchers[kind].delete(res));
      res.flushHeaders();
      return;
    }
    res.end(JSON.stringify({ kind: 'List', apiVersion: 'v1', metadata: { resourceVersion: String(rv) }, items: [...objects[kind].values()] }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  for (const set of Object.values(watchers)) for (const w of set) w.destroy();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

function pod(name: string, ip: string, labels: Record<string, string>, node = 'n1'): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'app', labels }, spec: { nodeName: node, containers: [{ name: 'c', image: 'x' }] }, status: { phase: 'Running', podIP: ip } };
}

const DENY: NetworkPolicy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny', namespace: 'app' }, spec: { podSelector: { matchLabels: { role: 'server' } }, policyTypes: ['Ingress'] } };
const ALLOW: NetworkPolicy = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'allow', namespace: 'app' }, spec: { podSelector: { matchLabels: { role: 'server' } }, ingress: [{ from: [{ podSelector: { matchLabels: { role: 'client' } } }] }] } };

async function until(cond: () => boolean, what: string): Promise<void> {
  const end = Date.now() + 10_000;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

test('renders on start, updates sets only for pods, re-renders for policies, coalesces bursts, retries in full, removes the table', async () => {
  put('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'app', labels: { 'kubernetes.io/metadata.name': 'app' } } });
  put('pods', pod('server', '10.42.0.10', { role: 'server' }));
  put('pods', pod('client', '10.42.0.11', { role: 'client' }));
  put('policies', DENY);
  const scripts: string[] = [];
  let failNext = false;
  const cs = new Clientset({ server: url, namespace: 'default' });
  const enforcer = new NetworkPolicyEnforcer({
    clientset: cs, nodeName: 'n1', nftPrefix: 'skifftest', log: pino({ level: 'silent' }), coalesceMs: 50,
    apply: async (s) => {
      if (failNext) { failNext = false; throw new Error('nft: no'); }
      scripts.push(s);
    },
  });
  const ac = new AbortController();
  const running = enforcer.run(ac.signal);

  await until(() => scripts.length === 1, 'the first render');
  assert.match(scripts[0]!, /^table ip skifftest-netpol\ndelete table ip skifftest-netpol\ntable ip skifftest-netpol \{/);
  assert.match(scripts[0]!, /add element ip skifftest-netpol ingress-isolated \{ 10\.42\.0\.10 \}/);

  // A policy: rules change, so the table is rendered in full.
  put('policies', ALLOW);
  await until(() => scripts.length === 2, 'the render for the new policy');
  assert.match(scripts[1]!, /^table ip skifftest-netpol\n/);
  assert.match(scripts[1]!, /comment "app\/allow"/);
  assert.deepEqual(enforcer.syncs, { full: 2, incremental: 0 });

  // Pods of another node arrive in a burst: coalesced, and sets only.
  for (let i = 0; i < 30; i++) put('pods', pod(`c${i}`, `10.42.1.${i + 1}`, { role: 'client' }, 'n2'));
  await until(() => scripts.at(-1)!.includes('10.42.1.30 }'), 'the burst applied');
  const burst = scripts.slice(2);
  assert.ok(burst.length < 30, `${burst.length} transactions for 30 events`);
  for (const b of burst) assert.match(b, /^flush set ip skifftest-netpol p0-in0-peer0\nadd element ip skifftest-netpol p0-in0-peer0 \{ 10\.42\.0\.11, 10\.42\.1\.1, /);
  assert.deepEqual(enforcer.syncs, { full: 2, incremental: burst.length });

  // Status churn that policies do not read changes nothing.
  put('pods', { ...pod('client', '10.42.0.11', { role: 'client' }), status: { phase: 'Running', podIP: '10.42.0.11', conditions: [{ type: 'Ready', status: 'True' }] } });
  // A failed apply is retried, and in full: the kernel's state is unknown after it.
  failNext = true;
  const before = scripts.length;
  put('pods', pod('late', '10.42.0.12', { role: 'client' }));
  await until(() => scripts.length > before, 'the retry');
  assert.equal(scripts.length, before + 1, 'the status-only update applied nothing');
  assert.match(scripts.at(-1)!, /^table ip skifftest-netpol\n/);
  assert.match(scripts.at(-1)!, /10\.42\.0\.12/);

  // The last policy gone: nobody isolated.
  put('policies', DENY, 'DELETED');
  put('policies', ALLOW, 'DELETED');
  await until(() => scripts.at(-1)!.includes('chain ingress {\n    drop\n  }'), 'the empty table');
  assert.doesNotMatch(scripts.at(-1)!, /ingress-isolated \{ 10/);

  // Stopping leaves the rules in force (no further script, no deletion: the test's apply is the only way out).
  const rendered = scripts.length;
  ac.abort();
  await running;
  assert.equal(scripts.length, rendered);
});
