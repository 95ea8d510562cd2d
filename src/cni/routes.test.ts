import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { runCommand } from '../runtime/netns/run-command.ts';
import {
  cidrContains, deleteAllPodRoutes, deletePodRoute, diffRoutes, listPodRoutes, nextHopProblem, otherRouteTo, readRouteTable,
  replacePodRoute, skiffRoutes, SKIFF_ROUTE_PROTOCOL, type RouteEntry,
} from './routes.ts';

const P = String(SKIFF_ROUTE_PROTOCOL);

// A table as `ip -j -4 route show table all` prints it.
const TABLE: RouteEntry[] = [
  { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
  { dst: '192.0.2.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link' },
  { dst: '10.42.64.0/30', dev: 'skvh1', protocol: 'kernel', scope: 'link' },
  { dst: '10.42.50.0/24', dev: 'skiffm1', protocol: 'kernel', scope: 'link' },
  { dst: '10.42.51.0/24', gateway: '10.42.64.2', dev: 'skvh1', protocol: P },
  { dst: '10.42.52.5', gateway: '10.42.64.2', dev: 'skvh1', protocol: P },
  { dst: '10.99.0.0/24', gateway: '10.42.64.2', dev: 'skvh1', protocol: P },
  { dst: '10.42.53.0/24', gateway: '10.42.64.2', dev: 'skvh1', protocol: P, table: '7' },
  { type: 'local', dst: '10.42.64.1', dev: 'skvh1', table: 'local', protocol: 'kernel', scope: 'host' },
  { type: 'broadcast', dst: '10.42.64.3', dev: 'skvh1', table: 'local', protocol: 'kernel', scope: 'link' },
  { type: 'local', dst: '127.0.0.0/8', dev: 'lo', table: 'local', protocol: 'kernel', scope: 'host' },
];

describe('reading the table', () => {
  test('skiff routes are the main table\'s of skiff\'s protocol inside the cluster CIDR; a /32 gets its prefix', () => {
    assert.deepEqual(skiffRoutes(TABLE, '10.42.0.0/16'), [
      { dst: '10.42.51.0/24', via: '10.42.64.2' },
      { dst: '10.42.52.5/32', via: '10.42.64.2' },
    ]);
  });

  test('a next hop must be on a directly connected link and not this host\'s own address', () => {
    assert.equal(nextHopProblem(TABLE, '10.42.64.2'), undefined);
    assert.equal(nextHopProblem(TABLE, '192.0.2.7'), undefined);
    assert.match(nextHopProblem(TABLE, '10.42.64.1')!, /address of this host/);
    assert.match(nextHopProblem(TABLE, '127.0.0.5')!, /address of this host/);
    // A simulated node's made-up address is reached through the default route, not on a link.
    assert.match(nextHopProblem(TABLE, '198.18.0.3')!, /not on a directly connected link/);
    assert.match(nextHopProblem(TABLE, 'fe80::1')!, /not an IPv4 address/);
  });

  test('another owner of the same subnet (a bridge\'s connected route) is found, skiff\'s own routes are not', () => {
    assert.equal(otherRouteTo(TABLE, '10.42.50.0/24'), '10.42.50.0/24 dev skiffm1 proto kernel');
    assert.equal(otherRouteTo(TABLE, '10.42.51.0/24'), undefined);
    assert.equal(otherRouteTo(TABLE, '10.42.60.0/24'), undefined);
  });

  test('cidrContains', () => {
    assert.equal(cidrContains('10.42.0.0/16', '10.42.7.0/24'), true);
    assert.equal(cidrContains('10.42.0.0/16', '10.42.0.0/16'), true);
    assert.equal(cidrContains('10.42.0.0/16', '10.0.0.0/8'), false);
    assert.equal(cidrContains('10.42.0.0/16', '10.43.1.0/24'), false);
    assert.equal(cidrContains('10.42.0.0/16', 'junk'), false);
  });
});

describe('diffRoutes', () => {
  test('adds missing routes, changes moved ones, removes unwanted ones, leaves correct ones alone', () => {
    const desired = new Map([['10.42.1.0/24', '10.0.0.1'], ['10.42.2.0/24', '10.0.0.2'], ['10.42.3.0/24', '10.0.0.9']]);
    const current = [
      { dst: '10.42.1.0/24', via: '10.0.0.1' },
      { dst: '10.42.3.0/24', via: '10.0.0.3' },
      { dst: '10.42.4.0/24', via: '10.0.0.4' },
    ];
    assert.deepEqual(diffRoutes(desired, current), {
      replace: [{ dst: '10.42.2.0/24', via: '10.0.0.2' }, { dst: '10.42.3.0/24', via: '10.0.0.9' }],
      remove: [{ dst: '10.42.4.0/24', via: '10.0.0.4' }],
    });
  });

  test('nothing to do when the table is right; everything goes when nothing is wanted', () => {
    const routes = [{ dst: '10.42.1.0/24', via: '10.0.0.1' }];
    assert.deepEqual(diffRoutes(new Map([['10.42.1.0/24', '10.0.0.1']]), routes), { replace: [], remove: [] });
    assert.deepEqual(diffRoutes(new Map(), routes), { replace: [], remove: routes });
  });

  test('two routes to one subnet: the wanted next hop is set again and the other goes', () => {
    const current = [{ dst: '10.42.1.0/24', via: '10.0.0.1' }, { dst: '10.42.1.0/24', via: '10.0.0.2' }];
    assert.deepEqual(diffRoutes(new Map([['10.42.1.0/24', '10.0.0.1']]), current), {
      replace: [{ dst: '10.42.1.0/24', via: '10.0.0.1' }],
      remove: [{ dst: '10.42.1.0/24', via: '10.0.0.2' }],
    });
  });
});

// The plumbing against the kernel, inside a network namespace of the test's own.
describe('ip route plumbing in a network namespace', { skip: process.getuid?.() !== 0 ? 'needs root' : false }, () => {
  const hex = randomBytes(3).toString('hex');
  const ns = `skiffrt${hex}`;
  const sh = async (args: string[]): Promise<void> => {
    const r = await runCommand('ip', args);
    if (r.code !== 0) throw new Error(`ip ${args.join(' ')}: ${r.stderr}`);
  };
  before(async () => {
    await sh(['netns', 'add', ns]);
    await sh(['-n', ns, 'link', 'add', 'a0', 'type', 'veth', 'peer', 'name', 'a1']);
    await sh(['-n', ns, 'link', 'set', 'a0', 'up']);
    await sh(['-n', ns, 'link', 'set', 'a1', 'up']);
    await sh(['-n', ns, 'addr', 'add', '10.42.64.1/30', 'dev', 'a0']);
    await sh(['-n', ns, 'addr', 'add', '10.42.50.1/24', 'dev', 'a1']);
  });
  after(async () => {
    await sh(['netns', 'del', ns]);
  });

  test('replace, list, change, delete and clean up only skiff\'s routes', async () => {
    const o = { netns: ns };
    await replacePodRoute({ dst: '10.42.51.0/24', via: '10.42.64.2' }, o);
    await replacePodRoute({ dst: '10.42.52.0/24', via: '10.42.64.2' }, o);
    await replacePodRoute({ dst: '10.42.52.0/24', via: '10.42.64.2' }, o); // idempotent
    assert.deepEqual(await listPodRoutes('10.42.0.0/16', o), [{ dst: '10.42.51.0/24', via: '10.42.64.2' }, { dst: '10.42.52.0/24', via: '10.42.64.2' }]);
    const table = await readRouteTable(o);
    assert.equal(nextHopProblem(table, '10.42.64.2'), undefined);
    assert.match(nextHopProblem(table, '198.18.0.1')!, /not on a directly connected link/);
    assert.match(otherRouteTo(table, '10.42.50.0/24')!, /dev a1 proto kernel/);
    await assert.rejects(replacePodRoute({ dst: '10.42.53.0/24', via: '198.18.0.1' }, o), { code: 'HOST_COMMAND_FAILED' });
    await deletePodRoute({ dst: '10.42.51.0/24', via: '10.42.64.2' }, o);
    await deletePodRoute({ dst: '10.42.51.0/24', via: '10.42.64.2' }, o); // already gone: fine
    assert.deepEqual(await deleteAllPodRoutes('10.42.0.0/16', o), [{ dst: '10.42.52.0/24', via: '10.42.64.2' }]);
    assert.deepEqual(await listPodRoutes('10.42.0.0/16', o), []);
    // The connected routes are still there.
    assert.match(otherRouteTo(await readRouteTable(o), '10.42.64.0/30')!, /dev a0/);
  });
});
