import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from '../../api/types/core-v1.ts';
import { SKIFF_ROUTE_PROTOCOL, type RouteEntry } from '../../cni/routes.ts';
import { planRoutes, wantedRoute } from './route-sync.ts';

const SELF = { nodeName: 'a', podCIDR: '10.42.50.0/24', clusterCIDR: '10.42.0.0/16' };
const P = String(SKIFF_ROUTE_PROTOCOL);

function node(name: string, podCIDR?: string, ip?: string): Node {
  return {
    apiVersion: 'v1', kind: 'Node', metadata: { name },
    spec: podCIDR ? { podCIDR } : {},
    status: ip ? { addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] } : {},
  };
}

const TABLE: RouteEntry[] = [
  { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
  { dst: '10.42.64.0/30', dev: 'veth0', protocol: 'kernel', scope: 'link' },
  { dst: '10.42.50.0/24', dev: 'skiffm1', protocol: 'kernel', scope: 'link' },
  { dst: '10.42.49.0/24', dev: 'skiffother', protocol: 'kernel', scope: 'link' },
  { type: 'local', dst: '10.42.64.1', dev: 'veth0', table: 'local', protocol: 'kernel', scope: 'host' },
];

test('wantedRoute: another node\'s pod CIDR via its InternalIP, or why not', () => {
  assert.deepEqual(wantedRoute(node('b', '10.42.51.0/24', '10.42.64.2'), SELF), { dst: '10.42.51.0/24', via: '10.42.64.2' });
  assert.equal(wantedRoute(node('b', undefined, '10.42.64.2'), SELF), 'no spec.podCIDR yet');
  assert.equal(wantedRoute(node('b', '10.42.51.0/24'), SELF), 'no InternalIP');
  assert.match(wantedRoute(node('b', '10.99.0.0/24', '10.42.64.2'), SELF) as string, /outside the cluster CIDR/);
  assert.match(wantedRoute(node('b', '10.42.50.0/24', '10.42.64.2'), SELF) as string, /this node's/);
});

test('planRoutes: routes reachable nodes, skips simulated and conflicting ones, never itself', () => {
  const plan = planRoutes([
    node('a', '10.42.50.0/24', '10.42.64.1'),
    node('b', '10.42.51.0/24', '10.42.64.2'),
    node('sim-0', '10.42.0.0/24', '198.18.0.1'),
    node('c', '10.42.49.0/24', '10.42.64.2'),
    node('d', '10.42.51.0/24', '10.42.64.2'),
    node('e', '10.42.52.0/24', '10.42.64.1'),
  ], TABLE, SELF, new Set());
  assert.deepEqual([...plan.desired], [['10.42.51.0/24', '10.42.64.2']]);
  assert.deepEqual([...plan.routed], ['b']);
  assert.match(plan.skipped.get('sim-0')!, /198\.18\.0\.1 cannot be a next hop: not on a directly connected link/);
  assert.match(plan.skipped.get('c')!, /held by another route \(10\.42\.49\.0\/24 dev skiffother proto kernel\)/);
  assert.match(plan.skipped.get('d')!, /another node already has the pod CIDR/);
  assert.match(plan.skipped.get('e')!, /address of this host/);
  assert.equal(plan.skipped.has('a'), false);
  assert.deepEqual(plan.diff, { replace: [{ dst: '10.42.51.0/24', via: '10.42.64.2' }], remove: [] });
});

test('planRoutes: removes its own stale routes and those to its nodes\' subnets, never another cluster\'s', () => {
  const table: RouteEntry[] = [
    ...TABLE,
    { dst: '10.42.51.0/24', gateway: '10.42.64.2', dev: 'veth0', protocol: P }, // right
    { dst: '10.42.53.0/24', gateway: '10.42.64.2', dev: 'veth0', protocol: P }, // this process added it; its node went
    { dst: '10.42.54.0/24', gateway: '10.42.64.2', dev: 'veth0', protocol: P }, // a node of this cluster moved away
    { dst: '10.42.55.0/24', gateway: '10.42.64.2', dev: 'veth0', protocol: P }, // another cluster's
  ];
  const plan = planRoutes([
    node('b', '10.42.51.0/24', '10.42.64.2'),
    node('f', '10.42.54.0/24', '198.18.0.9'),
  ], table, SELF, new Set(['10.42.53.0/24']));
  assert.deepEqual(plan.diff, {
    replace: [],
    remove: [{ dst: '10.42.53.0/24', via: '10.42.64.2' }, { dst: '10.42.54.0/24', via: '10.42.64.2' }],
  });
});
