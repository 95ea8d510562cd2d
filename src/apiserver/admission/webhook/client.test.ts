import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KubeObject } from '../../../api/meta.ts';
import { resolveTarget, WebhookCallError, type ServiceLookup } from './client.ts';

const svc = (ports: Array<{ name?: string; port: number }>, type = 'ClusterIP'): KubeObject => ({ metadata: { name: 'hook', namespace: 'ns' }, spec: { type, ports } });
const slice = (ready: boolean | undefined, ip: string, ports: Array<{ name?: string; port: number }>): KubeObject =>
  ({ metadata: { name: 's', namespace: 'ns' }, endpoints: [{ addresses: [ip], conditions: ready === undefined ? {} : { ready } }], ports });
const lookup = (service: KubeObject | undefined, slices: KubeObject[]): ServiceLookup => ({ service: () => service, endpointSlices: () => slices });
const cc = { service: { namespace: 'ns', name: 'hook', path: '/mutate', port: 443 }, caBundle: Buffer.from('PEM').toString('base64') };

test('a Service reference resolves to a ready endpoint on the target port, verified as <svc>.<ns>.svc', () => {
  const t = resolveTarget(cc, lookup(svc([{ name: 'metrics', port: 9090 }, { name: 'https', port: 443 }]), [
    slice(false, '10.42.0.9', [{ name: 'https', port: 8443 }]),
    slice(true, '10.42.0.7', [{ name: 'https', port: 8443 }, { name: 'metrics', port: 9100 }]),
  ]), 10);
  assert.deepEqual(t, { url: 'https://hook.ns.svc:443/mutate?timeout=10s', host: '10.42.0.7', port: 8443, path: '/mutate?timeout=10s', servername: 'hook.ns.svc', ca: 'PEM' });
});

test('no Service, no such port, no ready endpoint: call failures with upstream\'s reasons', () => {
  const reason = (l: ServiceLookup): string => {
    try {
      resolveTarget(cc, l, 10);
    } catch (err) {
      assert.ok(err instanceof WebhookCallError);
      return err.message;
    }
    return 'resolved';
  };
  const post = 'failed to call webhook: Post "https://hook.ns.svc:443/mutate?timeout=10s": ';
  assert.equal(reason(lookup(undefined, [])), `${post}service "hook" not found`);
  assert.equal(reason(lookup(svc([{ port: 80 }]), [])), `${post}no service port 443 found for service "hook"`);
  assert.equal(reason(lookup(svc([{ port: 443 }]), [slice(false, '10.42.0.9', [{ port: 8443 }])])), `${post}no endpoints available for service "hook"`);
});

test('a URL is called as written; an IP host gets no SNI name', () => {
  assert.deepEqual(resolveTarget({ url: 'https://127.0.0.1:9443/hook' }, lookup(undefined, []), 5), { url: 'https://127.0.0.1:9443/hook?timeout=5s', host: '127.0.0.1', port: 9443, path: '/hook?timeout=5s', servername: undefined, ca: undefined });
  assert.equal(resolveTarget({ url: 'https://hooks.example.com/x' }, lookup(undefined, []), 5).servername, 'hooks.example.com');
});
