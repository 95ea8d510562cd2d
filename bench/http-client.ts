// A minimal keep-alive HTTPS client for load generation, with the admin certificate.
import { Agent, request } from 'node:https';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface BenchClient {
  req(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: string }>;
  agent: Agent;
  /** Another agent with the same credentials (e.g. one socket per watcher). */
  newAgent(maxSockets: number): Agent;
  host: string;
  port: number;
  close(): void;
}

export function clientFromKubeconfig(path: string, maxSockets = 128): BenchClient {
  const kc = parse(readFileSync(path, 'utf8'));
  const cluster = kc.clusters[0].cluster;
  const user = kc.users[0].user;
  const url = new URL(cluster.server);
  const tls = {
    ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
    cert: Buffer.from(user['client-certificate-data'], 'base64'),
    key: Buffer.from(user['client-key-data'], 'base64'),
  };
  const agent = new Agent({ keepAlive: true, maxSockets, ...tls });
  const host = url.hostname;
  const port = Number(url.port);
  return {
    agent, host, port,
    newAgent: (n) => new Agent({ keepAlive: true, maxSockets: n, ...tls }),
    close: () => agent.destroy(),
    req(method, path, body, headers = {}) {
      const data = body === undefined ? undefined : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const r = request({ method, host, port, path, agent, headers: { Accept: 'application/json', ...(data ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(data) } : {}), ...headers } }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }));
          res.on('error', reject);
        });
        r.on('error', reject);
        if (data) r.write(data);
        r.end();
      });
    },
  };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}
