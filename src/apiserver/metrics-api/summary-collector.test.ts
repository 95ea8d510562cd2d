import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { test } from 'node:test';
import pino from 'pino';
import type { Node } from '../../api/types/core-v1.ts';
import type { Summary } from '../../api/types/stats-v1alpha1.ts';
import { SummaryCollector } from './summary-collector.ts';

const node = (name: string, ready: string): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name },
  status: { conditions: [{ type: 'Ready', status: ready }], addresses: [{ type: 'InternalIP', address: '127.0.0.1' }] },
} as Node);

const summaryOf = (name: string): Summary => ({ node: { nodeName: name, startTime: '2026-01-01T00:00:00Z' }, pods: [] });

test('asks only Ready nodes, concurrently; a node that fails is skipped and logged', async () => {
  const lines: string[] = [];
  const log = pino({ level: 'warn' }, { write: (s: string) => { lines.push(s); } });
  const asked: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const collector = new SummaryCollector({
    kubeletClient: undefined, log,
    fetchSummary: async (n) => {
      asked.push(n.metadata.name!);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setImmediate(r));
      inFlight--;
      if (n.metadata.name === 'broken') throw new Error('connect ECONNREFUSED');
      if (n.metadata.name === 'odd') return { hello: 1 } as unknown as Summary;
      return summaryOf(n.metadata.name!);
    },
  });
  const got = await collector.collect([node('a', 'True'), node('broken', 'True'), node('down', 'False'), node('odd', 'True'), node('b', 'True')], new AbortController().signal);
  assert.deepEqual([...got.keys()].sort(), ['a', 'b']);
  assert.deepEqual(asked.sort(), ['a', 'b', 'broken', 'odd']);
  assert.equal(maxInFlight, 4);
  assert.ok(lines.some((l) => l.includes('"node":"broken"') && l.includes('ECONNREFUSED')), lines.join(''));
  assert.ok(lines.some((l) => l.includes('"node":"odd"')), lines.join(''));
});

test('the kubelet client gives up on a kubelet that accepts but never answers', async () => {
  const sockets = new Set<Socket>();
  const silent = createServer((sock) => { sockets.add(sock); sock.on('error', () => undefined); });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
  try {
    const collector = new SummaryCollector({ kubeletClient: undefined, log: pino({ level: 'silent' }), timeoutMs: 300 });
    const hung = node('hung', 'True');
    hung.status!.daemonEndpoints = { kubeletEndpoint: { Port: (silent.address() as AddressInfo).port } };
    const got = await collector.collect([hung], new AbortController().signal);
    assert.equal(got.size, 0);
    assert.equal(sockets.size, 1, 'the kubelet was asked');
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => silent.close(() => r()));
  }
});
