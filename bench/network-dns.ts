// Cluster DNS benchmark (issue 9): queries/s and p99 latency of skiff's DnsServer against Debian's
// dnsmasq serving the same records, on the same machine, under the same load generator: a
// dns-packet UDP client keeping IN_FLIGHT queries outstanding for DURATION_MS, cycling over A and
// SRV questions for SERVICES Services. Each server runs in its own process (skiff's: this file with
// `serve`). The load comes from a client "pod" of the benchmark's own — a network namespace joined
// to the host by a veth pair, as a pod's is, running this file with `load` — and, for reference,
// from the host itself over loopback. Runs alternate between the two servers, ROUNDS times, so the
// shared machine's noise falls on both.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import dnsPacket from 'dns-packet';
import type { RecordType } from 'dns-packet';
import { ClusterZone } from '../src/proxy/dns/cluster-zone.ts';
import { DnsServer } from '../src/proxy/dns/dns-server.ts';
import { RecordIndex } from '../src/proxy/dns/record-index.ts';
import { runCommand } from '../src/runtime/netns/run-command.ts';
import { freePort } from '../test/e2e/harness.ts';

const SERVICES = Number(process.env.BENCH_DNS_SERVICES ?? 100);
const IN_FLIGHT = Number(process.env.BENCH_DNS_IN_FLIGHT ?? 32);
const DURATION_MS = Number(process.env.BENCH_DNS_DURATION_MS ?? 3000);
const ROUNDS = Number(process.env.BENCH_DNS_ROUNDS ?? 3);
const WARMUP_MS = 1000;
const DNSMASQ = '/usr/sbin/dnsmasq';
const NS = 'bench';
// The client namespace's /30, from the pod addresses reserved for the DNS work's tests (10.42.32-47.x).
const HOST_ADDR = '10.42.47.249';
const CLIENT_ADDR = '10.42.47.250';

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

function dnsmasqArgs(address: string, port: number): string[] {
  const args = ['--no-daemon', '--port', String(port), '--listen-address', address, '--bind-interfaces', '--no-resolv', '--no-hosts', '--cache-size=10000'];
  for (let i = 0; i < SERVICES; i++) {
    args.push(`--host-record=${svcName(i)},${svcIP(i)}`, `--srv-host=_http._tcp.${svcName(i)},${svcName(i)},80,0,100`);
  }
  return args;
}

export interface LoadResult { answered: number; lost: number; wrong: number; elapsedMs: number; latencies: number[] }

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] ?? NaN;
}

/** Keep `inFlight` queries outstanding for `ms`; a query unanswered after 1 s counts as lost and is replaced. */
export async function load(address: string, port: number, ms: number, inFlight: number): Promise<LoadResult> {
  const questions: Array<{ name: string; type: RecordType }> = [];
  for (let i = 0; i < SERVICES; i++) questions.push({ name: svcName(i), type: 'A' }, { name: `_http._tcp.${svcName(i)}`, type: 'SRV' });
  const encoded = questions.map((q) => dnsPacket.encode({ type: 'query', id: 0, flags: dnsPacket.RECURSION_DESIRED, questions: [{ ...q, class: 'IN' }] }));
  const sock = createSocket('udp4');
  // ICMP port unreachable (the server not up yet) surfaces as an error on a connected socket.
  sock.on('error', () => undefined);
  await new Promise<void>((r) => sock.bind(0, () => r()));
  try { sock.setRecvBufferSize(4 << 20); sock.setSendBufferSize(4 << 20); } catch { /* default sizes */ }
  sock.connect(port, address);
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
  const elapsedMs = performance.now() - start;
  clearInterval(sweep);
  await new Promise((r) => setTimeout(r, 100));
  sock.close();
  return { answered, lost, wrong, elapsedMs, latencies };
}

/** `load` in the client namespace: this file in a process of its own there, its result as JSON. */
async function loadIn(netns: string, address: string, port: number, ms: number, inFlight: number): Promise<LoadResult> {
  const r = await runCommand('nsenter', [`--net=/run/netns/${netns}`, process.execPath, '--import', 'tsx', import.meta.filename, 'load', address, String(port), String(ms), String(inFlight)]);
  if (r.code !== 0) throw new Error(`load generator in ${netns}: ${r.stderr}`);
  return JSON.parse(r.stdout) as LoadResult;
}

/** Resolves once a query for the first Service is answered. */
async function waitServing(address: string, port: number): Promise<void> {
  const end = Date.now() + 10_000;
  while (Date.now() < end) {
    const r = await load(address, port, 50, 1).catch(() => undefined);
    if (r && r.answered > 0 && r.wrong === 0) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`no DNS answers on ${address}:${port}`);
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

async function sh(file: string, args: string[]): Promise<void> {
  const r = await runCommand(file, args);
  if (r.code !== 0) throw new Error(`${file} ${args.join(' ')}: ${r.stderr.trim()}`);
}

/** A client "pod": a network namespace whose eth0 is a veth pair's end, the other on the host. */
async function makeClientNetns(hex: string): Promise<{ netns: string; remove: () => Promise<void> }> {
  const netns = `skiffdns${hex}`;
  const hostIf = `skdns${hex}`;
  const remove = async (): Promise<void> => {
    await runCommand('ip', ['link', 'del', hostIf]);
    await runCommand('ip', ['netns', 'del', netns]);
  };
  try {
    await sh('ip', ['netns', 'add', netns]);
    await sh('ip', ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', netns]);
    await sh('ip', ['addr', 'add', `${HOST_ADDR}/30`, 'dev', hostIf]);
    await sh('ip', ['link', 'set', hostIf, 'up']);
    await sh('ip', ['-n', netns, 'addr', 'add', `${CLIENT_ADDR}/30`, 'dev', 'eth0']);
    await sh('ip', ['-n', netns, 'link', 'set', 'eth0', 'up']);
    await sh('ip', ['-n', netns, 'link', 'set', 'lo', 'up']);
  } catch (err) {
    await remove();
    throw err;
  }
  return { netns, remove };
}

type Peer = readonly [name: string, port: number, pid: number | undefined];

async function rounds(peers: Peer[], run: (port: number) => Promise<LoadResult>, suffix: string): Promise<void> {
  const results = new Map<string, LoadResult[]>(peers.map(([name]) => [name, []]));
  const cpu = new Map<string, number>(peers.map(([name]) => [name, 0]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, port, pid] of peers) {
      const before = cpuMs(pid);
      results.get(name)!.push(await run(port));
      cpu.set(name, cpu.get(name)! + cpuMs(pid) - before);
    }
  }
  const qps = new Map<string, number>();
  for (const [name, rs] of results) {
    const answered = rs.reduce((a, r) => a + r.answered, 0);
    const q = answered / (rs.reduce((a, r) => a + r.elapsedMs, 0) / 1000);
    const lat = rs.flatMap((r) => r.latencies).sort((a, b) => a - b);
    qps.set(name, q);
    print(`dns_${name}_qps${suffix}`, Math.round(q), 'queries/s');
    print(`dns_${name}_p50${suffix}`, pct(lat, 50), 'ms');
    print(`dns_${name}_p99${suffix}`, pct(lat, 99), 'ms');
    // What the server itself spends per answer, whatever the load generator could drive.
    print(`dns_${name}_cpu_per_query${suffix}`, (cpu.get(name)! * 1000) / answered, 'µs');
    const lost = rs.reduce((a, r) => a + r.lost, 0);
    const wrong = rs.reduce((a, r) => a + r.wrong, 0);
    if (lost > 0 || wrong > 0) console.log(`dns_${name}_lost_or_wrong${suffix}: ${lost} lost, ${wrong} wrong of ${answered + lost}`);
  }
  const ratio = qps.get('skiff')! / qps.get('dnsmasq')!;
  print(`ratio dns_skiff_qps${suffix}/dns_dnsmasq_qps${suffix}`, ratio, '');
  console.log(`target dns_skiff_qps${suffix} >= dns_dnsmasq_qps${suffix}: ${ratio >= 1 ? 'met' : 'missed'}`);
}

export async function benchNetworkDns(): Promise<void> {
  console.log(`# dns: ${SERVICES} Services (A + SRV each), ${IN_FLIGHT} queries in flight, ${ROUNDS} x ${DURATION_MS} ms per server and client, UDP`);
  const hex = randomBytes(3).toString('hex');
  const client = await makeClientNetns(hex);
  const children: ChildProcess[] = [];
  try {
    const skiffPort = await freePort();
    const dnsmasqPort = await freePort();
    children.push(spawn(process.execPath, ['--import', 'tsx', import.meta.filename, 'serve', HOST_ADDR, String(skiffPort)], { stdio: ['ignore', 'inherit', 'inherit'] }));
    children.push(spawn(DNSMASQ, dnsmasqArgs(HOST_ADDR, dnsmasqPort), { stdio: ['ignore', 'ignore', 'ignore'] }));
    const peers: Peer[] = [['skiff', skiffPort, children[0]!.pid], ['dnsmasq', dnsmasqPort, children[1]!.pid]];
    for (const [, port] of peers) {
      await waitServing(HOST_ADDR, port);
      await load(HOST_ADDR, port, WARMUP_MS, IN_FLIGHT);
    }
    console.log(`# from a client network namespace (a pod's veth path) to ${HOST_ADDR}`);
    await rounds(peers, (port) => loadIn(client.netns, HOST_ADDR, port, DURATION_MS, IN_FLIGHT), '');
    console.log('# from the host (loopback)');
    await rounds(peers, (port) => load(HOST_ADDR, port, DURATION_MS, IN_FLIGHT), '_host');
  } finally {
    for (const c of children) await stop(c);
    await client.remove();
  }
}

/** `node --import tsx bench/network-dns.ts serve ADDRESS PORT`: skiff's DnsServer alone in its process. */
async function serve(address: string, port: number): Promise<void> {
  const ac = new AbortController();
  process.once('SIGTERM', () => ac.abort());
  const server = new DnsServer({ zone: new ClusterZone(buildIndex()), address, port });
  await server.run(ac.signal);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [mode, address, port, ms, inFlight] = process.argv.slice(2);
  if (mode === 'serve') await serve(address!, Number(port));
  else if (mode === 'load') console.log(JSON.stringify(await load(address!, Number(port), Number(ms), Number(inFlight))));
  else await benchNetworkDns();
}
