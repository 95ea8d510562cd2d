import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { pod, service } from '../endpointslice/test-fixtures.ts';
import type { EndpointSubset } from '../endpointslice/types.ts';
import { endpointsSubsets, subsetsEqual, truncateSubsets } from './endpoints-subsets.ts';

const ref = (name: string): object => ({ kind: 'Pod', namespace: 'ns', name, uid: `uid-${name}` });

describe('Endpoints subsets', () => {
  test('ready pods in addresses, unready in notReadyAddresses, ports resolved, sorted by IP', () => {
    const subsets = endpointsSubsets(service(), [pod('b', { ip: '10.0.0.2', node: 'n1' }), pod('a', { ip: '10.0.0.1' }), pod('c', { ip: '10.0.0.3', ready: false })]);
    assert.deepEqual(subsets, [{
      addresses: [{ ip: '10.0.0.1', targetRef: ref('a') }, { ip: '10.0.0.2', nodeName: 'n1', targetRef: ref('b') }],
      notReadyAddresses: [{ ip: '10.0.0.3', targetRef: ref('c') }],
      ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    }]);
  });

  test('terminating pods are left out unless publishNotReadyAddresses, which makes all ready', () => {
    const pods = [pod('a', { ip: '10.0.0.1', terminating: true }), pod('b', { ip: '10.0.0.2', ready: false })];
    assert.deepEqual(endpointsSubsets(service(), pods).map((s) => [s.addresses?.length ?? 0, s.notReadyAddresses?.length ?? 0]), [[0, 1]]);
    const all = endpointsSubsets(service(undefined, { publishNotReadyAddresses: true }), pods);
    assert.deepEqual(all.map((s) => [s.addresses?.length ?? 0, s.notReadyAddresses?.length ?? 0]), [[2, 0]]);
  });

  test('pods resolving different port sets land in different subsets; a pod resolving none is absent', () => {
    const svc = service([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'admin', port: 81, targetPort: 'admin', protocol: 'TCP' }]);
    const both = pod('a', { ip: '10.0.0.1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }, { name: 'admin', containerPort: 9000 }] }] });
    const httpOnly = pod('b', { ip: '10.0.0.2' });
    const none = pod('c', { ip: '10.0.0.3', containers: [{ name: 'c' }] });
    const subsets = endpointsSubsets(svc, [both, httpOnly, none]);
    assert.deepEqual(subsets.map((s) => [s.addresses?.map((a) => a.ip), s.ports?.map((p) => p.port)]), [
      [['10.0.0.1'], [9000, 8080]],
      [['10.0.0.2'], [8080]],
    ]);
  });

  test('headless services without ports list addresses alone; other portless services list nothing', () => {
    assert.deepEqual(endpointsSubsets(service([], { clusterIP: 'None' }), [pod('a')]), [{ addresses: [{ ip: '10.0.0.1', targetRef: ref('a') }] }]);
    assert.deepEqual(endpointsSubsets(service([]), [pod('a')]), []);
  });

  test('hostname for pods whose subdomain is the service', () => {
    assert.equal(endpointsSubsets(service(), [pod('a', { hostname: 'h', subdomain: 'web' })])[0]!.addresses![0]!.hostname, 'h');
  });

  test('equality ignores what the server defaults', () => {
    const a = endpointsSubsets(service(), [pod('a')]);
    const b: EndpointSubset[] = JSON.parse(JSON.stringify(a));
    delete b[0]!.ports![0]!.protocol;
    assert.equal(subsetsEqual(a, b), true);
    assert.equal(subsetsEqual(a, []), false);
  });

  test('beyond capacity: ready addresses kept first, the rest cut', () => {
    const mk = (n: number, prefix: string): Array<{ ip: string }> => Array.from({ length: n }, (_, i) => ({ ip: `${prefix}.${i}` }));
    const s: EndpointSubset[] = [{ addresses: mk(6, 'a'), notReadyAddresses: mk(6, 'b') }];
    assert.equal(truncateSubsets(s, 10), true);
    assert.deepEqual([s[0]!.addresses?.length, s[0]!.notReadyAddresses?.length], [6, 4]);
    const t: EndpointSubset[] = [{ addresses: mk(8, 'a') }, { addresses: mk(8, 'c'), notReadyAddresses: mk(3, 'd') }];
    assert.equal(truncateSubsets(t, 10), true);
    assert.deepEqual(t.map((x) => [x.addresses?.length, x.notReadyAddresses?.length]), [[5, undefined], [5, undefined]]);
    assert.equal(truncateSubsets([{ addresses: mk(3, 'a') }], 10), false);
  });
});
