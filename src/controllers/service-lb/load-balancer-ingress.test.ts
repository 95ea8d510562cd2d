import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node, Service } from '../../api/types/core-v1.ts';
import { isServedLoadBalancer, loadBalancerIngress } from './load-balancer-ingress.ts';

const node = (name: string, ip: string, ready: boolean, unschedulable = false): Node => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name },
  spec: unschedulable ? { unschedulable } : {},
  status: { addresses: [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

test('load balancer addresses are the Ready, schedulable nodes\' InternalIPs, sorted and unique', () => {
  const nodes = [node('b', '10.42.250.2', true), node('a', '10.42.250.1', true), node('c', '10.42.250.3', false), node('d', '10.42.250.4', true, true), node('e', '10.42.250.1', true)];
  assert.deepEqual(loadBalancerIngress(nodes), [{ ip: '10.42.250.1', ipMode: 'VIP' }, { ip: '10.42.250.2', ipMode: 'VIP' }]);
  assert.deepEqual(loadBalancerIngress([]), []);
});

test('only LoadBalancer Services without another loadBalancerClass are served', () => {
  const svc = (spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, ...(spec ? { spec } : {}) });
  assert.equal(isServedLoadBalancer(svc({ type: 'LoadBalancer' })), true);
  assert.equal(isServedLoadBalancer(svc({ type: 'LoadBalancer', loadBalancerClass: 'example.com/lb' })), false);
  assert.equal(isServedLoadBalancer(svc({ type: 'NodePort' })), false);
});
