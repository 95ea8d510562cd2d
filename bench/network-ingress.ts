// Ingress benchmark (issue 9): requests/s and p99 latency through skiff's Ingress proxy against
// the same requests sent straight to the backend, with the same load generator (wrk, one thread,
// kept-alive connections) in the same run. The backend is a small node:http server on 127.0.0.1
// standing in for the pod (the proxy forwards to endpoints exactly as it would to a pod IP); the
// proxy runs in a process of its own, with a Router fed the Ingress, Service and EndpointSlice
// objects directly, so no cluster takes a share of the two cores while wrk runs.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';

const HOST = 'bench.example';
const BODY = 'hello from the backend\n';
const SECONDS = Number(process.env.BENCH_INGRESS_SECONDS ?? 10);
const CONNECTIONS = 32;

function line(name: string, value: number, unit: string): void {
  console.log(`${name}: ${Number.isInteger(value) ? value : value.toFixed(2)} ${unit}`);
}

interface WrkResult { rps: number; p99ms: number; errors: number }

function toMs(v: string, unit: string): number {
  const n = Number(v);
  return unit === 'us' ? n / 1000 : unit === 's' ? n * 1000 : unit === 'm' ? n * 60_000 : n;
}

function wrk(url: string, seconds: number): WrkResult {
  const out = execFileSync('wrk', ['-t1', `-c${CONNECTIONS}`, `-d${seconds}s`, '--latency', '-H', `Host: ${HOST}`, url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const p99 = /\s99%\s+([\d.]+)(us|ms|s|m)\b/.exec(out);
  const errors = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0) + Number(/Socket errors:.*?timeout (\d+)/.exec(out)?.[1] ?? 0);
  if (errors > 0) process.stderr.write(out);
  return { rps, p99ms: p99 ? toMs(p99[1]!, p99[2]!) : NaN, errors };
}

/** Runs this file in a child process in `role`, resolving with the port it prints. */
function child(role: string, env: Record<string, string> = {}): Promise<{ proc: ChildProcess; ports: number[] }> {
  const proc = spawn(process.execPath, ['--import', 'tsx', import.meta.filename, role], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  return new Promise((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /^ports (\d+(?: \d+)*)\n/m.exec(out);
      if (m) resolve({ proc, ports: m[1]!.split(' ').map(Number) });
    });
    proc.on('exit', (code) => reject(new Error(`bench ${role} exited with ${code}`)));
  });
}

async function stop(proc: ChildProcess): Promise<void> {
  if (proc.exitCode !== null) return;
  proc.removeAllListeners('exit');
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

export async function benchNetworkIngress(): Promise<void> {
  const backend = await child('backend');
  let ingress: { proc: ChildProcess; ports: number[] } | undefined;
  try {
    const backendPort = backend.ports[0]!;
    ingress = await child('ingress', { BENCH_BACKEND_PORT: String(backendPort) });
    const [httpPort, httpsPort] = ingress.ports;
    const direct = `http://127.0.0.1:${backendPort}/`;
    const through = `http://127.0.0.1:${httpPort}/`;
    // Warm both paths (JIT, kept-alive connections), then measure each in turn.
    wrk(direct, 1);
    wrk(through, 1);
    const d = wrk(direct, SECONDS);
    const i = wrk(through, SECONDS);
    const s = wrk(`https://127.0.0.1:${httpsPort}/`, SECONDS);
    line('ingress_direct_backend_requests_per_second (peer: straight to the backend)', d.rps, 'req/s');
    line('ingress_requests_per_second', i.rps, 'req/s');
    line('ingress_https_requests_per_second', s.rps, 'req/s');
    line('ingress_throughput_vs_direct', (i.rps / d.rps) * 100, '%');
    line('ingress_direct_backend_p99_latency (peer)', d.p99ms, 'ms');
    line('ingress_p99_latency', i.p99ms, 'ms');
    line('ingress_https_p99_latency', s.p99ms, 'ms');
    line('ingress_errors', d.errors + i.errors + s.errors, 'responses');
  } finally {
    if (ingress) await stop(ingress.proc);
    await stop(backend.proc);
  }
}

async function runBackend(): Promise<void> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(BODY) }).end(BODY));
  });
  server.keepAliveTimeout = 60_000;
  server.listen(0, '127.0.0.1', () => process.stdout.write(`ports ${(server.address() as AddressInfo).port}\n`));
  process.once('SIGTERM', () => { server.closeAllConnections(); server.close(() => process.exit(0)); });
}

async function runIngressProxy(): Promise<void> {
  const [{ Router }, { IngressProxy }, { selfSignedServingCert }] = await Promise.all([
    import('../src/ingress/router.ts'), import('../src/ingress/proxy.ts'), import('../src/pki/serving-cert.ts'),
  ]);
  const port = Number(process.env.BENCH_BACKEND_PORT);
  const router = new Router();
  router.update({
    ingresses: [{
      metadata: { name: 'bench', namespace: 'default', creationTimestamp: '2025-01-01T00:00:00Z' },
      spec: { ingressClassName: 'skiff', rules: [{ host: HOST, http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } }] },
    }],
    ingressClasses: [],
    services: [{ metadata: { name: 'web', namespace: 'default' }, spec: { ports: [{ name: 'http', port: 80, targetPort: port }] } }],
    endpointSlices: [{
      metadata: { name: 'web-a', namespace: 'default', labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4', ports: [{ name: 'http', port, protocol: 'TCP' }], endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true } }],
    }],
    secrets: [],
  });
  const proxy = new IngressProxy({ router, defaultCert: await selfSignedServingCert('skiff-ingress-default') });
  const http = await proxy.listenHttp('127.0.0.1', 0);
  const https = await proxy.listenHttps('127.0.0.1', 0);
  process.stdout.write(`ports ${http.port} ${https.port}\n`);
  process.once('SIGTERM', () => { void proxy.close().then(() => process.exit(0)); });
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const role = process.argv[2];
  if (role === 'backend') await runBackend();
  else if (role === 'ingress') await runIngressProxy();
  else await benchNetworkIngress();
}
