import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Node } from '../../api/types/core-v1.ts';
import { podToEndpoint, shouldPodBeInEndpoints, shouldSetHostname } from './pod-endpoint.ts';
import { pod, service } from './test-fixtures.ts';

const node = (zone?: string): Node => ({ metadata: { name: 'n1', ...(zone ? { labels: { 'topology.kubernetes.io/zone': zone } } : {}) } });

describe('endpoint conditions (podToEndpoint)', () => {
  test('a ready pod is ready and serving, not terminating', () => {
    assert.deepEqual(podToEndpoint(pod('a'), service(), undefined).conditions, { ready: true, serving: true, terminating: false });
  });
  test('a pod whose Ready condition is False is neither ready nor serving', () => {
    assert.deepEqual(podToEndpoint(pod('a', { ready: false }), service(), undefined).conditions, { ready: false, serving: false, terminating: false });
  });
  test('a terminating pod that still passes its probe serves but is not ready', () => {
    assert.deepEqual(podToEndpoint(pod('a', { terminating: true }), service(), undefined).conditions, { ready: false, serving: true, terminating: true });
  });
  test('publishNotReadyAddresses makes every endpoint ready, serving still follows the pod', () => {
    const svc = service(undefined, { publishNotReadyAddresses: true });
    assert.deepEqual(podToEndpoint(pod('a', { ready: false }), svc, undefined).conditions, { ready: true, serving: false, terminating: false });
    assert.deepEqual(podToEndpoint(pod('a', { terminating: true, ready: false }), svc, undefined).conditions, { ready: true, serving: false, terminating: true });
  });
  test('addresses, targetRef, nodeName, and zone only when the node has one', () => {
    const ep = podToEndpoint(pod('a', { ip: '10.1.2.3', node: 'n1' }), service(), node('z1'));
    assert.deepEqual(ep.addresses, ['10.1.2.3']);
    assert.deepEqual(ep.targetRef, { kind: 'Pod', namespace: 'ns', name: 'a', uid: 'uid-a' });
    assert.equal(ep.nodeName, 'n1');
    assert.equal(ep.zone, 'z1');
    assert.equal('zone' in podToEndpoint(pod('a', { node: 'n1' }), service(), node()), false);
  });
  test('hostname only for a pod whose subdomain is the service name', () => {
    assert.equal(podToEndpoint(pod('a', { hostname: 'h', subdomain: 'web' }), service(), undefined).hostname, 'h');
    assert.equal(podToEndpoint(pod('a', { hostname: 'h', subdomain: 'other' }), service(), undefined).hostname, undefined);
    assert.equal(shouldSetHostname(pod('a', { subdomain: 'web' }), service()), false);
  });
});

describe('which pods back a service (shouldPodBeInEndpoints)', () => {
  test('pods without an IP or finished are left out', () => {
    assert.equal(shouldPodBeInEndpoints(pod('a', { ip: '' }), true), false);
    assert.equal(shouldPodBeInEndpoints(pod('a', { phase: 'Succeeded' }), true), false);
    assert.equal(shouldPodBeInEndpoints(pod('a', { phase: 'Failed' }), true), false);
    assert.equal(shouldPodBeInEndpoints(pod('a', { ready: false }), true), true);
  });
  test('terminating pods only where terminating endpoints are wanted', () => {
    assert.equal(shouldPodBeInEndpoints(pod('a', { terminating: true }), true), true);
    assert.equal(shouldPodBeInEndpoints(pod('a', { terminating: true }), false), false);
  });
});
