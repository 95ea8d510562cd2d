import assert from 'node:assert/strict';
import { test } from 'node:test';
import { selfSignedServingCert } from '../pki/serving-cert.ts';
import type { Ingress, IngressClass } from '../api/types/networking-v1-ingress.ts';
import type { EndpointSlice, Secret, Service } from './objects.ts';
import { Router, type RouterInputs } from './router.ts';
import { backend, classes, ingress, path, service, slice, tlsSecret } from './test-fixtures.ts';

function inputs(o: Partial<RouterInputs> & { ingresses: Ingress[] }): RouterInputs {
  return { ingressClasses: classes(), services: [], endpointSlices: [], secrets: [], ...o };
}

/** Services a..z, each on port 80 named http, with one endpoint. */
function svcs(...names: string[]): { services: Service[]; endpointSlices: EndpointSlice[] } {
  return {
    services: names.map((n) => service(n, [{ name: 'http', port: 80, targetPort: 8080 }])),
    endpointSlices: names.map((n, i) => slice(n, [{ name: 'http', port: 8080 }], [`10.42.0.${i + 10}`])),
  };
}

function target(r: Router, host: string, p: string): string | undefined {
  return r.table.lookup(host, p)?.key.replace(/^default\//, '').replace(/:80$/, '');
}

test('several paths: the longest match wins, Exact before Prefix at equal length (Ingress API examples)', () => {
  const rows: Array<[Array<[string, 'Prefix' | 'Exact']>, string, number | undefined]> = [
    [[['/', 'Prefix'], ['/aaa', 'Prefix']], '/aaa/ccc', 1],
    [[['/', 'Prefix'], ['/aaa', 'Prefix'], ['/aaa/bbb', 'Prefix']], '/aaa/bbb', 2],
    [[['/', 'Prefix'], ['/aaa', 'Prefix'], ['/aaa/bbb', 'Prefix']], '/ccc', 0],
    [[['/aaa', 'Prefix']], '/ccc', undefined],
    [[['/foo', 'Prefix'], ['/foo', 'Exact']], '/foo', 1],
    [[['/foo', 'Exact'], ['/foo', 'Prefix']], '/foo', 0],
    [[['/foo', 'Exact'], ['/foo', 'Prefix']], '/foo/x', 1],
    [[['/foo/', 'Prefix'], ['/foo', 'Exact']], '/foo', 1],
  ];
  for (const [paths, req, want] of rows) {
    const names = paths.map((_, i) => `s${i}`);
    const r = new Router();
    r.update(inputs({ ...svcs(...names), ingresses: [ingress('i', { rules: [{ http: { paths: paths.map(([p, t], i) => path(p, t, `s${i}`)) } }] })] }));
    assert.equal(target(r, 'any.example', req), want === undefined ? undefined : `s${want}`, `${JSON.stringify(paths)} ${req}`);
  }
});

test('hosts: exact before wildcard before any host, then the default backend', () => {
  const r = new Router();
  r.update(inputs({
    ...svcs('exact', 'wild', 'any', 'def', 'other'),
    ingresses: [
      ingress('a', { rules: [{ host: 'foo.bar.com', http: { paths: [path('/api', 'Prefix', 'exact')] } }] }),
      ingress('b', { rules: [{ host: '*.bar.com', http: { paths: [path('/', 'Prefix', 'wild')] } }] }),
      ingress('c', { rules: [{ http: { paths: [path('/static', 'Prefix', 'any')] } }], defaultBackend: backend('def', 80) }),
      ingress('d', { rules: [{ host: 'Other.Example', http: { paths: [path('/', 'Prefix', 'other')] } }] }),
    ],
  }));
  assert.equal(target(r, 'foo.bar.com', '/api/v1'), 'exact');
  // foo.bar.com's own rule has no /x: the wildcard rule one level up routes it.
  assert.equal(target(r, 'foo.bar.com', '/x'), 'wild');
  assert.equal(target(r, 'baz.bar.com', '/api'), 'wild');
  // The wildcard stands for one label only.
  assert.equal(target(r, 'a.b.bar.com', '/static/x.css'), 'any');
  assert.equal(target(r, 'bar.com', '/'), 'def');
  assert.equal(target(r, 'other.example', '/'), 'other');
  assert.equal(target(r, 'nothing.example', '/none'), 'def');
  // The rows of the Ingress API's hostname wildcard table.
  const w = new Router();
  w.update(inputs({ ...svcs('foo'), ingresses: [ingress('w', { rules: [{ host: '*.foo.com', http: { paths: [path('/', 'Prefix', 'foo')] } }] })] }));
  assert.equal(target(w, 'bar.foo.com', '/'), 'foo');
  assert.equal(target(w, 'baz.bar.foo.com', '/'), undefined);
  assert.equal(target(w, 'foo.com', '/'), undefined);
});

test('without a default backend what no rule routes is not found', () => {
  const r = new Router();
  r.update(inputs({ ...svcs('a'), ingresses: [ingress('i', { rules: [{ host: 'a.example', http: { paths: [path('/', 'Prefix', 'a')] } }] })] }));
  assert.deepEqual(r.route('b.example', '/'), { kind: 'not-found' });
});

test('the older Ingress keeps a host and path both declare, and its default backend', () => {
  const r = new Router();
  const older = ingress('older', { rules: [{ host: 'x.example', http: { paths: [path('/', 'Prefix', 'a')] } }], defaultBackend: backend('a', 80) });
  const newer = ingress('newer', { rules: [{ host: 'x.example', http: { paths: [path('/', 'Prefix', 'b'), path('/b', 'Prefix', 'b')] } }], defaultBackend: backend('b', 80) });
  r.update(inputs({ ...svcs('a', 'b'), ingresses: [newer, older] }));
  assert.equal(target(r, 'x.example', '/'), 'a');
  assert.equal(target(r, 'x.example', '/b'), 'b');
  assert.equal(target(r, 'y.example', '/'), 'a');
});

test('backends resolve by port number or name to the ready endpoints, in turn', () => {
  const r = new Router();
  const svc = service('web', [{ name: 'http', port: 80, targetPort: 'web' }, { name: 'admin', port: 9000, targetPort: 9000 }]);
  const slices = [
    slice('web', [{ name: 'http', port: 8080 }, { name: 'admin', port: 9000 }], ['10.42.0.2', { ip: '10.42.0.3', ready: false }, '10.42.0.4']),
    slice('web', [{ name: 'http', port: 8080 }, { name: 'admin', port: 9000 }], ['10.42.0.5', '10.42.0.2'], 'default', 'b'),
  ];
  r.update(inputs({
    services: [svc], endpointSlices: slices,
    ingresses: [ingress('i', { rules: [{ http: { paths: [path('/admin', 'Prefix', 'web', 'admin'), path('/', 'Prefix', 'web', 80)] } }] })],
  }));
  const seen: string[] = [];
  for (let i = 0; i < 6; i++) {
    const res = r.route('h', '/');
    assert.equal(res.kind, 'upstream');
    if (res.kind === 'upstream') seen.push(`${res.endpoint?.ip}:${res.endpoint?.port}`);
  }
  assert.deepEqual(seen, ['10.42.0.2:8080', '10.42.0.4:8080', '10.42.0.5:8080', '10.42.0.2:8080', '10.42.0.4:8080', '10.42.0.5:8080']);
  const admin = r.route('h', '/admin/x');
  assert.equal(admin.kind === 'upstream' && `${admin.endpoint?.ip}:${admin.endpoint?.port}`, '10.42.0.2:9000');
});

test('no endpoints: an upstream without any and the reason why', () => {
  const r = new Router();
  r.update(inputs({
    services: [service('web', [{ port: 80 }]), service('udp', [{ port: 53, protocol: 'UDP' }])],
    endpointSlices: [slice('web', [{ port: 80 }], [{ ip: '10.42.0.9', ready: false }])],
    ingresses: [ingress('i', { rules: [{ http: { paths: [
      path('/web', 'Prefix', 'web'), path('/missing', 'Prefix', 'nope'), path('/port', 'Prefix', 'web', 81), path('/udp', 'Prefix', 'udp', 53),
    ] } }] })],
  }));
  const reason = (p: string): string | undefined => {
    const res = r.route('h', p);
    assert.equal(res.kind, 'upstream');
    return res.kind === 'upstream' && res.endpoint === undefined ? res.upstream.reason : 'has an endpoint';
  };
  assert.match(reason('/web') ?? '', /no ready endpoints/);
  assert.match(reason('/missing') ?? '', /not found/);
  assert.match(reason('/port') ?? '', /has no port 81/);
  assert.match(reason('/udp') ?? '', /not TCP/);
});

test('only Ingresses of a class skiff handles, or of none while skiff is the default', () => {
  const other: IngressClass = { metadata: { name: 'nginx', creationTimestamp: '2025-01-01T00:00:00Z' }, spec: { controller: 'k8s.io/ingress-nginx' } };
  const mk = (): Ingress[] => [
    ingress('mine', { rules: [{ host: 'mine', http: { paths: [path('/', 'Prefix', 'a')] } }] }),
    ingress('theirs', { className: 'nginx', rules: [{ host: 'theirs', http: { paths: [path('/', 'Prefix', 'a')] } }] }),
    ingress('classless', { className: null, rules: [{ host: 'classless', http: { paths: [path('/', 'Prefix', 'a')] } }] }),
    ingress('annotated', { className: null, annotations: { 'kubernetes.io/ingress.class': 'skiff' }, rules: [{ host: 'annotated', http: { paths: [path('/', 'Prefix', 'a')] } }] }),
  ];
  const served = (cls: IngressClass[]): string[] => {
    const r = new Router();
    return r.update({ ...svcs('a'), secrets: [], ingressClasses: cls, ingresses: mk() }).served.map((i) => i.metadata.name ?? '').sort();
  };
  assert.deepEqual(served([...classes(), other]), ['annotated', 'classless', 'mine']);
  // Before the informer has seen skiff's class, skiff's name and default are assumed.
  assert.deepEqual(served([other]), ['annotated', 'classless', 'mine']);
  // Another default class takes the classless Ingresses.
  const otherDefault = { ...other, metadata: { ...other.metadata, annotations: { 'ingressclass.kubernetes.io/is-default-class': 'true' } } };
  const notDefault = classes().map((c) => ({ ...c, metadata: { ...c.metadata, annotations: {} } }));
  assert.deepEqual(served([...notDefault, otherDefault]), ['annotated', 'mine']);
  assert.deepEqual(served(notDefault), ['annotated', 'mine']);
});

test('TLS: a certificate per host by SNI, wildcards, a host-less entry as fallback; bad secrets skipped', async () => {
  const [a, w, f] = await Promise.all([selfSignedServingCert('a.example'), selfSignedServingCert('*.wild.example'), selfSignedServingCert('fallback')]);
  const errors: string[] = [];
  const r = new Router((m) => errors.push(m));
  const secrets: Secret[] = [
    tlsSecret('a', a.certPem, a.keyPem), tlsSecret('w', w.certPem, w.keyPem), tlsSecret('f', f.certPem, f.keyPem),
    tlsSecret('broken', a.certPem, w.keyPem),
  ];
  const build = (): void => {
    r.update(inputs({
      ...svcs('s'), secrets,
      ingresses: [
        ingress('one', { tls: [{ hosts: ['a.example', 'broken.example'], secretName: 'a' }, { hosts: ['*.wild.example'], secretName: 'w' }], rules: [{ http: { paths: [path('/', 'Prefix', 's')] } }] }),
        ingress('two', { tls: [{ hosts: ['b.example'], secretName: 'broken' }, { secretName: 'f' }, { hosts: ['c.example'], secretName: 'missing' }] }),
      ],
    }));
  };
  build();
  const ctxA = r.secureContext('A.example');
  assert.ok(ctxA);
  const ctxW = r.secureContext('x.wild.example');
  assert.ok(ctxW && ctxW !== ctxA);
  const ctxF = r.secureContext('b.example');
  assert.ok(ctxF && ctxF !== ctxA && ctxF !== ctxW);
  assert.equal(r.secureContext('x.y.wild.example'), ctxF);
  assert.equal(errors.length, 1);
  assert.match(errors[0] ?? '', /secret "default\/broken" cannot serve TLS/);
  // An unchanged Secret keeps its context (and is not parsed again).
  build();
  assert.equal(r.secureContext('a.example'), ctxA);
  assert.equal(errors.length, 1);
});
