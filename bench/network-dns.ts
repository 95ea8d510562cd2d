// Cluster DNS benchmark (issue 9): queries/s and p99 latency of skiff's DnsServer against Debian's
// dnsmasq serving the same records, on the same machine, under the same load generator: a
// dns-packet UDP client on 127.0.0.1 keeping IN_FLIGHT queries outstanding for DURATION_MS,
// cycling over A and SRV questions for SERVICES Services. Each server runs in its own process
// (skiff's: this file with `serve`), the load generator in this one. The load comes from the
// host over loopback, not from a pod: both servers see the same path, and a pod-side generator
// would add the pod's veth and the service proxy to both sides alike.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import dnsPacket from 'dns-packet';
import type { RecordType } from 'dns-packet';
import { ClusterZone } from '../src/proxy/dns/cluster-zone.ts';
import { DnsServer } from '../src/proxy/dns/dns-server.ts';
import { RecordIndex } from '../src/proxy/dns/record-index.ts';
import { freePort } from '../test/e2e/harness.ts';

const SERVICES = Number(process.env.BENCH_DNS_SERVICES ?? 100);
const IN_FLIGHT = Number(process.env.BENCH_DNS_IN_FLIGHT ?? 32);
const DURATION_MS = Number(process.env.BENCH_DNS_DURATION_MS ?? 3000);
const WARMUP_MS = 1000;
const ROUNDS = Number(process.env.BENCH_DNS_ROUNDS ?? 3);
const DNSMASQ = '/usr/sbin/dnsmasq';
const NS = 'bench';

function svcName(i: number): string { return `svc-${i}.${NS}.svc.cluster.local`; }
function svcIP(i: number): string { return `10.43.${200 + Math.floor(i / 250)}.${(i % 250) + 1}`; }

function print(name: string, value: number, unit: string): void {
  console.log(`${name}: ${Number.isInteger(value) ? value : value.toFixed(value < 10 ? 3 : 0)} ${unit}`);
}

/** The records both servers hold: an A and a `_http._tcp` SRV per Service. */
function buildIndex(): RecordIndex {
  const index = new RecordIndex();
  index.upsertNamespace(NS);
  for (let i = 0; i < SERVICES; i++) {
    index.upsertService({ metadata: { namespace: NS, name: `svc-${i}` }, spec: { clusterIP: svcIP(i), ports: [{ name: 'http', protocol: 'TCP', port: 80 }] } });
  }
  return index;
}

function dnsmasqArgs(port: number): string[] {
  const args = ['--no-daemon', '--port', String(port), '--listen-address', '127.0.0.1', '--bind-interfaces', '--no-resolv', '--no-hosts', '--log-facility=-', '--quiet-dhcp', '--cache-size=10000'];
  for (let i = 0; i < SERVICES; i++) {
    args.push(`--host-record=${svcName(i)},${svcIP(i)}`, `--srv-host=_http._tcp.${svcName(i)},${svcName(i)},80,0,100`);
  }
  return args;
}

interface LoadResult { answered: number; lost: number; wrong: number; elapsedMs: number; qps: number; p50: number; p99: number; latencies: number[] }

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** Keep `inFlight` queries outstanding for `ms`; a query unanswered after 1 s counts as lost and is replaced. */
export async function load(port: number, ms: number, inFlight: number): Promise<LoadResult> {
  const questions: Array<{ name: string; type: RecordType }> = [];
  for (let i = 0; i < SERVICES; i++) questions.push({ name: svcName(i), type: 'A' }, { name: `_http._tcp.${svcName(i)}`, type: 'SRV' });
  const encoded = questions.map((q) => dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ ...q, class: 'IN' }] }));
  const sock = createSocket('udp4');
  // ICMP port unreachable (the server not up yet) surfaces as an error on a connected socket.
  sock.on('error', () => undefined);
  try { sock.setRecvBufferSize(4 << 20); sock.setSendBufferSize(4 << 20); } catch { /* default sizes */ }
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  sock.connect(port, '127.0.0.1');
  await once(sock, 'connect');
  const sentAt = new Float64Array(65536);
  const outstanding = new Uint8Array(65536);
  const latencies: number[] = [];
  let nextId = 1;
  let nextQ = 0;
  let answered = 0;
  let lost = 0;
  let wrong = 0;
  let running = true;
  const send = (): void => {
    let id = nextId;
    // Skip ids still outstanding (a lost query's id is retired by the sweep).
    while (outstanding[id]) id = (id + 1) & 0xffff || 1;
    nextId = (id + 1) & 0xffff || 1;
    const q = encoded[nextQ]!;
    nextQ = (nextQ + 1) % encoded.length;
    q.writeUInt16BE(id, 0);
    outstanding[id] = 1;
    sentAt[id] = performance.now();
    sock.send(q);
  };
  sock.on('message', (msg: Buffer) => {
    const id = msg.readUInt16BE(0);
    if (!outstanding[id]) return;
    outstanding[id] = 0;
    latencies.push(performance.now() - sentAt[id]!);
    answered++;
    // NOERROR with one answer (the A, or the SRV) is what both servers owe.
    if ((msg.readUInt16BE(2) & 0xf) !== 0 || msg.readUInt16BE(6) !== 1) wrong++;
    if (running) send();
  });
  const sweep = setInterval(() => {
    const now = performance.now();
    for (let id = 1; id < 65536; id++) {
      if (outstanding[id] && now - sentAt[id]! > 1000) {
        outstanding[id] = 0;
        lost++;
        if (running) send();
      }
    }
  }, 250);
  const start = performance.now();
  for (let i = 0; i < inFlight; i++) send();
  await new Promise((r) => setTimeout(r, ms));
  running = false;
  const elapsed = performance.now() - start;
  clearInterval(sweep);
  await new Promise((r) => setTimeout(r, 100));
  sock.close();
  latencies.sort((a, b) => a - b);
  return { answered, lost, wrong, elapsedMs: elapsed, qps: answered / (elapsed / 1000), p50: pct(latencies, 50), p99: pct(latencies, 99), latencies };
}

/** Resolves once a query for the first Service is answered. */
async function waitServing(port: number): Promise<void> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const r = await load(port, 50, 1).catch(() => undefined);
    if (r && r.answered > 0 && r.wrong === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`no DNS answers on 127.0.0.1:${port}`);
}

/** CPU time (user + system, ms) a process has used so far, from /proc/PID/stat (clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  await exited;
}

/** Both servers run side by side; their load runs alternate ROUNDS times so machine noise falls on both. */
export async function benchNetworkDns(): Promise<void> {
  console.log(`# dns: ${SERVICES} Services (A + SRV each), ${IN_FLIGHT} queries in flight, ${ROUNDS} x ${DURATION_MS} ms per server, UDP over loopback from the host`);
  const skiffPort = await freePort();
  const dnsmasqPort = await freePort();
  const children: ChildProcess[] = [];
  try {
    children.push(spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'serve', String(skiffPort)], { stdio: ['ignore', 'inherit', 'inherit'] }));
    children.push(spawn(DNSMASQ, dnsmasqArgs(dnsmasqPort), { stdio: ['ignore', 'ignore', 'ignore'] }));
    const peers = [['skiff', skiffPort, children[0]!.pid], ['dnsmasq', dnsmasqPort, children[1]!.pid]] as const;
    for (const [, port] of peers) {
      await waitServing(port);
      await load(port, WARMUP_MS, IN_FLIGHT);
    }
    const runs = new Map<string, LoadResult[]>(peers.map(([name]) => [name, []]));
    const cpu = new Map<string, number>(peers.map(([name]) => [name, 0]));
    for (let round = 0; round < ROUNDS; round++) {
      for (const [name, port, pid] of peers) {
        const before = cpuMs(pid);
        runs.get(name)!.push(await load(port, DURATION_MS, IN_FLIGHT));
        cpu.set(name, cpu.get(name)! + cpuMs(pid) - before);
      }
    }
    const qps = new Map<string, number>();
    for (const [name, rs] of runs) {
      const answered = rs.reduce((a, r) => a + r.answered, 0);
      const q = answered / (rs.reduce((a, r) => a + r.elapsedMs, 0) / 1000);
      const lat = rs.flatMap((r) => r.latencies).sort((a, b) => a - b);
      qps.set(name, q);
      print(`dns_${name}_qps`, Math.round(q), 'queries/s');
      print(`dns_${name}_p50`, pct(lat, 50), 'ms');
      print(`dns_${name}_p99`, pct(lat, 99), 'ms');
      // What the server itself spends per answer, whatever the load generator could drive.
      print(`dns_${name}_cpu_per_query`, (cpu.get(name)! * 1000) / answered, 'µs');
      const lost = rs.reduce((a, r) => a + r.lost, 0);
      const wrong = rs.reduce((a, r) => a + r.wrong, 0);
      if (lost > 0 || wrong > 0) console.log(`dns_${name}_lost_or_wrong: ${lost} lost, ${wrong} wrong of ${answered + lost}`);
    }
    const ratio = qps.get('skiff')! / qps.get('dnsmasq')!;
    print('ratio dns_skiff_qps/dns_dnsmasq_qps', ratio, '');
    console.log(`target dns_skiff_qps >= dns_dnsmasq_qps: ${ratio >= 1 ? 'met' : 'missed'}`);
  } finally {
    for (const c of children) await stop(c);
  }
}

/** `node --import tsx bench/network-dns.ts serve PORT`: skiff's DnsServer alone in its process. */
async function serve(port: number): Promise<void> {
  const ac = new AbortController();
  process.once('SIGTERM', () => ac.abort());
  const server = new DnsServer({ zone: new ClusterZone(buildIndex()), address: '127.0.0.1', port });
  await server.run(ac.signal);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  if (process.argv[2] === 'serve') await serve(Number(process.argv[3]));
  else await benchNetworkDns();
}
