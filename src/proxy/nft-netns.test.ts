// The rendered ruleset in the kernel: a network namespace of the test's own stands in for the
// node (a bridge, two "pods" in namespaces of their own behind veth pairs, each running a tiny
// TCP and UDP server), the table is applied there with nsenter, and real packets go through it.
// Nothing touches the host's namespace.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { runCommand } from '../runtime/netns/run-command.ts';
import { netTools } from '../runtime/netns/net-tools.ts';
import { service, slice } from './fixtures.ts';
import { renderService, type Fragment, type ProxyLayout } from './nft-rules.ts';
import { AppliedTable, parseTableListing } from './nft-sync.ts';
import { portEndpoints, servicePorts } from './service-model.ts';
import { cleanupServiceProxy } from './service-proxy.ts';
import type { EndpointSlice, Service } from './types.ts';

const id = randomBytes(3).toString('hex');
const NODE = `skifftest${id}n`;
const PODS = [{ ns: `skifftest${id}a`, ip: '10.42.16.2', name: 'a' }, { ns: `skifftest${id}b`, ip: '10.42.16.3', name: 'b' }];
const layout: ProxyLayout = { table: `skifftest${id}`, clusterCIDR: '10.42.0.0/16', serviceCIDR: '10.43.16.0/24', nodeIPs: ['10.42.16.1', '127.0.0.1'], masqueradeMark: 0x4000 };
const tools = netTools(NODE);
const servers: ChildProcess[] = [];

async function sh(...args: string[]): Promise<void> {
  const r = await runCommand(args[0]!, args.slice(1));
  if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
}

const SERVER = `
const net = require('node:net'), dgram = require('node:dgram');
const name = process.argv[1];
net.createServer((s) => s.end(name + '\\n')).listen(8080, () => {
  const u = dgram.createSocket('udp4');
  u.on('message', (m, r) => u.send(name, r.port, r.address));
  u.bind(5353, () => console.log('ready'));
});`;

const CLIENT = `
const net = require('node:net'), dgram = require('node:dgram');
const [proto, host, port, n] = process.argv.slice(1);
function once() {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { resolve('timeout'); s.destroy?.(); s.close?.(); }, 1500);
    let s;
    if (proto === 'udp') {
      s = dgram.createSocket('udp4');
      s.on('message', (m) => { clearTimeout(timer); s.close(); resolve(String(m)); });
      s.on('error', (e) => { clearTimeout(timer); resolve(e.code === 'ECONNREFUSED' ? 'refused' : e.code); });
      s.send('hi', Number(port), host);
    } else {
      let data = '';
      s = net.connect(Number(port), host);
      s.on('data', (d) => { data += d; });
      s.on('end', () => { clearTimeout(timer); resolve(data.trim()); });
      s.on('error', (e) => { clearTimeout(timer); resolve(e.code === 'ECONNREFUSED' ? 'refused' : e.code); });
    }
  });
}
(async () => { const out = []; for (let i = 0; i < Number(n); i++) out.push(await once()); console.log(JSON.stringify(out)); })();`;

/** `n` requests from namespace `ns`, each on a new connection (or socket); their answers. */
async function probe(ns: string, proto: 'tcp' | 'udp', host: string, port: number, n: number): Promise<string[]> {
  const r = await runCommand('nsenter', [`--net=/run/netns/${ns}`, process.execPath, '-e', CLIENT, proto, host, String(port), String(n)]);
  if (r.code !== 0) throw new Error(`client: ${r.stderr}`);
  return JSON.parse(r.stdout) as string[];
}

const table = new AppliedTable();
const desired = new Map<string, Fragment>();

function put(svc: Service, slices: EndpointSlice[]): Fragment {
  const f = renderService(portEndpoints(servicePorts(svc), slices, 'n1'), layout);
  desired.set(`${svc.metadata.namespace}/${svc.metadata.name}`, f);
  return f;
}

async function fullSync(): Promise<void> {
  const existing = parseTableListing(await tools.nft(['-j', 'list', 'table', 'ip', layout.table]).catch(() => '{"nftables":[]}'));
  const plan = table.planFull(layout, desired, existing);
  await tools.nftApply(plan.script);
  plan.commit();
}

async function partialSync(key: string, f: Fragment | undefined): Promise<number> {
  const plan = table.planPartial(layout, new Map([[key, f]]));
  if (plan.statements > 0) await tools.nftApply(plan.script);
  plan.commit();
  return plan.statements;
}

const webPorts = [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'dns', port: 53, protocol: 'UDP' as const, targetPort: 5353 }];
const web = service('web', { type: 'NodePort', clusterIP: '10.43.16.5', ports: webPorts.map((p) => ({ ...p, ...(p.name === 'http' ? { nodePort: 30080 } : {}) })) });
const webSlice = (ips: string[]): EndpointSlice => slice('web', 'web-1', [{ name: 'http', port: 8080 }, { name: 'dns', port: 5353, protocol: 'UDP' }], ips.map((ip) => ({ ip })));

describe('the proxy table in a network namespace', { timeout: 120_000 }, () => {
  before(async () => {
    await sh('ip', 'netns', 'add', NODE);
    await sh('ip', '-n', NODE, 'link', 'set', 'lo', 'up');
    await sh('ip', '-n', NODE, 'link', 'add', 'br0', 'type', 'bridge');
    await sh('ip', '-n', NODE, 'addr', 'add', '10.42.16.1/24', 'dev', 'br0');
    await sh('ip', '-n', NODE, 'link', 'set', 'br0', 'up');
    await sh('ip', '-n', NODE, 'route', 'add', '10.43.16.0/24', 'dev', 'br0');
    await tools.setSysctl('net.ipv4.ip_forward', '1');
    await tools.setSysctl('net.ipv4.conf.all.route_localnet', '1');
    for (const [i, p] of PODS.entries()) {
      await sh('ip', 'netns', 'add', p.ns);
      await sh('ip', '-n', NODE, 'link', 'add', `v${i}`, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', p.ns);
      await sh('ip', '-n', NODE, 'link', 'set', `v${i}`, 'master', 'br0', 'up');
      // As the CNI bridge plugin's hairpinMode: a pod's packet DNATed back to itself leaves by the port it came in on.
      await sh('ip', '-n', NODE, 'link', 'set', `v${i}`, 'type', 'bridge_slave', 'hairpin', 'on');
      await sh('ip', '-n', p.ns, 'addr', 'add', `${p.ip}/24`, 'dev', 'eth0');
      await sh('ip', '-n', p.ns, 'link', 'set', 'eth0', 'up');
      await sh('ip', '-n', p.ns, 'link', 'set', 'lo', 'up');
      await sh('ip', '-n', p.ns, 'route', 'add', 'default', 'via', '10.42.16.1');
      const child = spawn('nsenter', [`--net=/run/netns/${p.ns}`, process.execPath, '-e', SERVER, p.name], { stdio: ['ignore', 'pipe', 'inherit'] });
      servers.push(child);
      await new Promise<void>((resolve, reject) => {
        child.stdout.once('data', () => resolve());
        child.once('exit', (code) => reject(new Error(`server ${p.name} exited ${code}`)));
      });
    }
  });

  after(async () => {
    for (const s of servers) if (s.pid !== undefined && s.exitCode === null) process.kill(s.pid, 'SIGKILL');
    for (const p of PODS) await runCommand('ip', ['netns', 'del', p.ns]);
    await runCommand('ip', ['netns', 'del', NODE]);
  });

  test('a full sync programs the table; ClusterIP connections are spread over the endpoints', async () => {
    put(web, [webSlice(['10.42.16.2', '10.42.16.3'])]);
    put(service('empty', { clusterIP: '10.43.16.6', ports: [{ port: 80 }] }), []);
    await fullSync();
    const listing = await tools.nft(['list', 'table', 'ip', layout.table]);
    assert.match(listing, /chain service-default\/web\/tcp\/http \{/);
    assert.match(listing, /numgen random mod 2 vmap/);
    const answers = await probe(NODE, 'tcp', '10.43.16.5', 80, 24);
    assert.deepEqual(new Set(answers), new Set(['a', 'b']), `answers: ${answers.join(',')}`);
  });

  test('a pod reaches the Service, itself included (hairpin, masqueraded)', async () => {
    const answers = await probe(PODS[0]!.ns, 'tcp', '10.43.16.5', 80, 24);
    assert.deepEqual(new Set(answers), new Set(['a', 'b']), `answers: ${answers.join(',')}`);
  });

  test('UDP through the ClusterIP; a NodePort on 127.0.0.1 and on the node address', async () => {
    const udp = await probe(PODS[1]!.ns, 'udp', '10.43.16.5', 53, 3);
    for (const a of udp) assert.ok(a === 'a' || a === 'b', `udp answer ${a}`);
    for (const a of await probe(NODE, 'tcp', '127.0.0.1', 30080, 4)) assert.ok(a === 'a' || a === 'b', `localhost NodePort answer ${a}`);
    for (const a of await probe(PODS[0]!.ns, 'tcp', '10.42.16.1', 30080, 4)) assert.ok(a === 'a' || a === 'b', `NodePort answer ${a}`);
  });

  test('no endpoints, or a port the ClusterIP does not have: refused', async () => {
    assert.deepEqual(await probe(PODS[0]!.ns, 'tcp', '10.43.16.6', 80, 1), ['refused']);
    assert.deepEqual(await probe(NODE, 'tcp', '10.43.16.6', 80, 1), ['refused']);
    assert.deepEqual(await probe(PODS[0]!.ns, 'tcp', '10.43.16.5', 81, 1), ['refused']);
  });

  test('a partial sync drops one endpoint: only the other answers; the other Service is untouched', async () => {
    const before = await tools.nft(['list', 'chain', 'ip', layout.table, 'service-default/web/udp/dns']);
    const statements = await partialSync('default/web', put(web, [webSlice(['10.42.16.2'])]));
    assert.ok(statements > 0 && statements < 20, `${statements} statements`);
    assert.deepEqual(new Set(await probe(NODE, 'tcp', '10.43.16.5', 80, 12)), new Set(['a']));
    const listing = await tools.nft(['list', 'table', 'ip', layout.table]);
    assert.doesNotMatch(listing, /10\.42\.16\.3/);
    assert.notEqual(before, await tools.nft(['list', 'chain', 'ip', layout.table, 'service-default/web/udp/dns']));
    assert.match(listing, /10\.43\.16\.6 \. tcp \. 80 : goto reject-chain/);
  });

  test('ClientIP affinity: every connection of one client goes to one endpoint', async () => {
    const sticky = service('sticky', { clusterIP: '10.43.16.7', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80 }] });
    await partialSync('default/sticky', put(sticky, [slice('sticky', 's-1', [{ name: 'http', port: 8080 }], [{ ip: '10.42.16.2' }, { ip: '10.42.16.3' }])]));
    const answers = await probe(NODE, 'tcp', '10.43.16.7', 80, 12);
    assert.equal(new Set(answers).size, 1, `answers: ${answers.join(',')}`);
  });

  test('a Service removed leaves nothing; a full resync over the live table changes nothing; cleanup removes the table', async () => {
    desired.delete('default/sticky');
    await partialSync('default/sticky', undefined);
    assert.doesNotMatch(await tools.nft(['list', 'table', 'ip', layout.table]), /sticky/);
    await fullSync();
    assert.deepEqual(new Set(await probe(NODE, 'tcp', '10.43.16.5', 80, 4)), new Set(['a']));
    assert.equal(await cleanupServiceProxy(layout.table, tools), true);
    assert.doesNotMatch(await tools.nft(['list', 'tables', 'ip']), new RegExp(layout.table));
    assert.equal(await cleanupServiceProxy(layout.table, tools), false);
  });
});
