import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { endpointPortsForPod, findPort, portsKey } from './endpoint-ports.ts';
import { pod, service } from './test-fixtures.ts';

describe('port resolution (FindPort)', () => {
  test('a numeric targetPort is used as it is, even if no container declares it', () => {
    assert.equal(findPort(pod('a'), { port: 80, targetPort: 9376 }), 9376);
    assert.equal(findPort(pod('a'), { port: 80 }), 80);
  });
  test('a named targetPort is looked up among the container ports of the same protocol', () => {
    const p = pod('a', { containers: [{ name: 'c', ports: [{ name: 'dns', containerPort: 53, protocol: 'UDP' }, { name: 'http', containerPort: 8080 }] }] });
    assert.equal(findPort(p, { port: 80, targetPort: 'http', protocol: 'TCP' }), 8080);
    assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'UDP' }), 53);
    assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'TCP' }), undefined);
    assert.equal(findPort(p, { port: 80, targetPort: 'nope' }), undefined);
  });
  test('sidecar init containers (restartPolicy Always) count, plain init containers do not', () => {
    const p = pod('a', { containers: [{ name: 'c' }] });
    p.spec!.initContainers = [{ name: 'i', ports: [{ name: 'm', containerPort: 1 }] }, { name: 's', restartPolicy: 'Always', ports: [{ name: 'side', containerPort: 2 }] }];
    assert.equal(findPort(p, { port: 1, targetPort: 'm' }), undefined);
    assert.equal(findPort(p, { port: 2, targetPort: 'side' }), 2);
  });
});

describe('endpoint ports of a pod', () => {
  test('one per service port the pod resolves, in the service order, names and protocols kept', () => {
    const svc = service([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }, { name: 'metrics', port: 9090, targetPort: 9090, protocol: 'TCP', appProtocol: 'http' }]);
    assert.deepEqual(endpointPortsForPod(svc, pod('a')), [
      { name: 'http', port: 8080, protocol: 'TCP' }, { name: 'metrics', port: 9090, protocol: 'TCP', appProtocol: 'http' },
    ]);
    const without = pod('b', { containers: [{ name: 'c' }] });
    assert.deepEqual(endpointPortsForPod(svc, without), [{ name: 'metrics', port: 9090, protocol: 'TCP', appProtocol: 'http' }]);
  });
  test('the port-set key ignores order and fills defaults', () => {
    assert.equal(portsKey([{ name: 'a', port: 1 }, { name: 'b', port: 2, protocol: 'TCP' }]), portsKey([{ name: 'b', port: 2 }, { name: 'a', port: 1, protocol: 'TCP' }]));
    assert.notEqual(portsKey([{ name: 'a', port: 1 }]), portsKey([{ name: 'a', port: 2 }]));
    assert.equal(portsKey(undefined), portsKey([]));
  });
});
