import { test } from 'node:test';
import assert from 'node:assert/strict';
import { servicePrinter } from './print-service.ts';
import { HOUR, NOW, obj } from './test-helpers.ts';

const svc = (spec: Record<string, unknown>, status: Record<string, unknown> = {}) =>
  servicePrinter.cells(obj('web', 5 * HOUR, { spec, status }), NOW);

test('ClusterIP service', () => {
  assert.deepEqual(
    svc({ type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], selector: { tier: 'web', app: 'shop' }, ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }] }),
    ['web', 'ClusterIP', '10.96.0.10', '<none>', '80/TCP,53/UDP', '5h', 'app=shop,tier=web'],
  );
});

test('headless service with no ports or selector', () => {
  assert.deepEqual(svc({ type: 'ClusterIP', clusterIP: 'None', clusterIPs: ['None'] }), ['web', 'ClusterIP', 'None', '<none>', '<none>', '5h', '<none>']);
});

test('NodePort service shows node ports and external IPs', () => {
  assert.deepEqual(
    svc({ type: 'NodePort', clusterIPs: ['10.96.1.1'], externalIPs: ['192.168.1.5'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }).slice(1, 5),
    ['NodePort', '10.96.1.1', '192.168.1.5', '80:30080/TCP'],
  );
});

test('LoadBalancer: pending, then addresses sorted, then with external IPs', () => {
  const spec = { type: 'LoadBalancer', clusterIPs: ['10.96.2.2'], ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] };
  assert.deepEqual(svc(spec).slice(1, 5), ['LoadBalancer', '10.96.2.2', '<pending>', '443:31443/TCP']);
  const lb = { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'a-very-long-load-balancer-name.example.com' }, { ip: '203.0.113.9' }] } };
  assert.equal(svc(spec, lb)[3], '203.0.113.9,a-very-long-load-balancer-name.example.com');
  assert.equal(svc({ ...spec, externalIPs: ['198.51.100.1'] }, lb)[3], '203.0.113.9,a-very-long-load-balancer-name.example.com,198.51.100.1');
  assert.equal(svc({ ...spec, externalIPs: ['198.51.100.1'] })[3], '198.51.100.1');
});

test('ExternalName service', () => {
  assert.deepEqual(svc({ type: 'ExternalName', externalName: 'db.example.com' }), ['web', 'ExternalName', '<none>', 'db.example.com', '<none>', '5h', '<none>']);
});
