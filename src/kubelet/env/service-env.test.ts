import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from '../../api/types/core-v1.ts';
import { linkedServices, serviceEnvVars } from './service-env.ts';

const svc = (name: string, namespace: string, spec: Service['spec']): Service => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace }, ...(spec ? { spec } : {}) });

test('service link variables: host, ports by name and the Docker-link variables of every port', () => {
  const vars = serviceEnvVars([
    svc('foo-bar', 'ns', { clusterIP: '10.43.0.20', ports: [{ name: 'http', port: 8083, protocol: 'TCP' }, { name: 'dns-udp', port: 53, protocol: 'UDP' }] }),
    svc('plain', 'ns', { clusterIP: '10.43.0.21', ports: [{ port: 80 }] }),
  ]);
  assert.deepEqual(vars, [
    ['FOO_BAR_SERVICE_HOST', '10.43.0.20'], ['FOO_BAR_SERVICE_PORT', '8083'],
    ['FOO_BAR_SERVICE_PORT_HTTP', '8083'], ['FOO_BAR_SERVICE_PORT_DNS_UDP', '53'],
    ['FOO_BAR_PORT', 'tcp://10.43.0.20:8083'],
    ['FOO_BAR_PORT_8083_TCP', 'tcp://10.43.0.20:8083'], ['FOO_BAR_PORT_8083_TCP_PROTO', 'tcp'], ['FOO_BAR_PORT_8083_TCP_PORT', '8083'], ['FOO_BAR_PORT_8083_TCP_ADDR', '10.43.0.20'],
    ['FOO_BAR_PORT_53_UDP', 'udp://10.43.0.20:53'], ['FOO_BAR_PORT_53_UDP_PROTO', 'udp'], ['FOO_BAR_PORT_53_UDP_PORT', '53'], ['FOO_BAR_PORT_53_UDP_ADDR', '10.43.0.20'],
    ['PLAIN_SERVICE_HOST', '10.43.0.21'], ['PLAIN_SERVICE_PORT', '80'], ['PLAIN_PORT', 'tcp://10.43.0.21:80'],
    ['PLAIN_PORT_80_TCP', 'tcp://10.43.0.21:80'], ['PLAIN_PORT_80_TCP_PROTO', 'tcp'], ['PLAIN_PORT_80_TCP_PORT', '80'], ['PLAIN_PORT_80_TCP_ADDR', '10.43.0.21'],
  ]);
});

test('headless and ExternalName Services, and Services without ports, give no variables', () => {
  assert.deepEqual(serviceEnvVars([
    svc('headless', 'ns', { clusterIP: 'None', ports: [{ port: 80 }] }),
    svc('external', 'ns', { type: 'ExternalName', externalName: 'example.org', ports: [{ port: 80 }] }),
    svc('portless', 'ns', { clusterIP: '10.43.0.5' }),
  ]), []);
});

test('a pod gets its namespace\'s Services when enableServiceLinks, and default/kubernetes always', () => {
  const master = svc('kubernetes', 'default', { clusterIP: '10.43.0.1', ports: [{ name: 'https', port: 443 }] });
  const own = [svc('web', 'shop', { clusterIP: '10.43.0.30', ports: [{ port: 80 }] }), svc('api', 'shop', { clusterIP: '10.43.0.31', ports: [{ port: 80 }] })];
  assert.deepEqual(linkedServices('shop', true, own, master).map((s) => s.metadata.name), ['api', 'kubernetes', 'web']);
  assert.deepEqual(linkedServices('shop', false, own, master).map((s) => s.metadata.name), ['kubernetes']);
  // A Service named kubernetes in the pod's own namespace takes the name's place.
  const shadow = svc('kubernetes', 'shop', { clusterIP: '10.43.0.99', ports: [{ port: 1 }] });
  assert.equal(linkedServices('shop', true, [shadow], master)[0]!.spec!.clusterIP, '10.43.0.99');
});
