import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ConfigMap, Container, Pod, Secret } from '../../api/types/core-v1.ts';
import { ContainerConfigError, SourceNotFoundError } from './errors.ts';
import { resolveContainerEnv } from './resolve-env.ts';
import type { NodeFacts, ObjectSources } from './types.ts';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

function sources(configMaps: ConfigMap[], secrets: Secret[]): ObjectSources & { reads: string[] } {
  const reads: string[] = [];
  return {
    reads,
    async getConfigMap(ns, name) {
      reads.push(`cm ${ns}/${name}`);
      return configMaps.find((c) => c.metadata.name === name && c.metadata.namespace === ns);
    },
    async getSecret(ns, name) {
      reads.push(`secret ${ns}/${name}`);
      return secrets.find((s) => s.metadata.name === name && s.metadata.namespace === ns);
    },
  };
}

const cm: ConfigMap = { metadata: { name: 'cfg', namespace: 'ns' }, data: { mode: 'fast', 'bad key': 'x', '1digit': 'y', 'dot.ok': 'z' } };
const secret: Secret = { metadata: { name: 'sec', namespace: 'ns' }, data: { password: b64('s3cr3t'), 'ünicode': b64('q') } };
const node: NodeFacts = { nodeName: 'node-a', hostIPs: ['192.168.1.5'], allocatable: { cpu: '2', memory: '4Gi' } };

function podWith(container: Container): Pod {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'uid-1', labels: { app: 'web' } },
    spec: { containers: [container], nodeName: 'node-a', serviceAccountName: 'default' },
  };
}

async function resolve(container: Container, src = sources([cm], [secret])) {
  return resolveContainerEnv({ pod: podWith(container), container, sources: src, node, podIPs: ['10.42.0.9'] });
}

test('Environment variables, expansion: values compose earlier variables, order kept', async () => {
  const r = await resolve({
    name: 'c',
    env: [
      { name: 'FOO', value: 'foo-value' },
      { name: 'BAR', value: 'bar-value' },
      { name: 'FOOBAR', value: '$(FOO);;$(BAR)' },
      { name: 'LATER', value: '$(NOT_YET)' },
      { name: 'NOT_YET', value: 'x' },
      { name: 'ESCAPED', value: '$$(FOO)' },
      { name: 'EMPTY' },
    ],
  });
  assert.deepEqual(r.env, ['FOO=foo-value', 'BAR=bar-value', 'FOOBAR=foo-value;;bar-value', 'LATER=$(NOT_YET)', 'NOT_YET=x', 'ESCAPED=$(FOO)', 'EMPTY=']);
  assert.equal(r.command, undefined);
});

test('Environment variables, command expansion and command argument expansion', async () => {
  const r = await resolve({
    name: 'c',
    command: ['/bin/sh', '-c', 'echo $(MESSAGE) $(UNKNOWN) $$(MESSAGE)'],
    args: ['$(MESSAGE)', 'x$(POD)'],
    env: [{ name: 'MESSAGE', value: 'hello' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
  });
  assert.deepEqual(r.command, ['/bin/sh', '-c', 'echo hello $(UNKNOWN) $(MESSAGE)']);
  assert.deepEqual(r.args, ['hello', 'xweb']);
});

test('DownwardAPI, environment for name, namespace and ip; host ip; Pod UID', async () => {
  const f = (fieldPath: string) => ({ fieldRef: { apiVersion: 'v1', fieldPath } });
  const r = await resolve({
    name: 'c',
    env: [
      { name: 'NAME', valueFrom: f('metadata.name') },
      { name: 'NS', valueFrom: f('metadata.namespace') },
      { name: 'UID', valueFrom: f('metadata.uid') },
      { name: 'APP', valueFrom: f("metadata.labels['app']") },
      { name: 'NODE', valueFrom: f('spec.nodeName') },
      { name: 'SA', valueFrom: f('spec.serviceAccountName') },
      { name: 'HOST_IP', valueFrom: f('status.hostIP') },
      { name: 'POD_IP', valueFrom: f('status.podIP') },
      { name: 'POD_IPS', valueFrom: f('status.podIPs') },
    ],
  });
  assert.deepEqual(r.env, ['NAME=web', 'NS=ns', 'UID=uid-1', 'APP=web', 'NODE=node-a', 'SA=default', 'HOST_IP=192.168.1.5', 'POD_IP=10.42.0.9', 'POD_IPS=10.42.0.9']);
});

test('DownwardAPI, environment for default CPU and memory limits and requests', async () => {
  const r = await resolve({
    name: 'c',
    resources: { requests: { cpu: '250m', memory: '32Mi' }, limits: { memory: '64Mi' } },
    env: [
      { name: 'CPU_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } },
      { name: 'MEMORY_LIMIT', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } },
      { name: 'CPU_REQUEST', valueFrom: { resourceFieldRef: { resource: 'requests.cpu', divisor: '1m' } } },
      { name: 'MEMORY_REQUEST', valueFrom: { resourceFieldRef: { resource: 'requests.memory' } } },
    ],
  });
  assert.deepEqual(r.env, ['CPU_LIMIT=2', 'MEMORY_LIMIT=64', 'CPU_REQUEST=250', `MEMORY_REQUEST=${32 * 2 ** 20}`]);
});

test('ConfigMap, from environment field; Secrets, pod environment field (base64 decoded)', async () => {
  const src = sources([cm], [secret]);
  const r = await resolve(
    {
      name: 'c',
      env: [
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'mode' } } },
        { name: 'PASS', valueFrom: { secretKeyRef: { name: 'sec', key: 'password' } } },
        { name: 'MODE2', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'dot.ok' } } },
        { name: 'OPT_KEY', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'absent', optional: true } } },
        { name: 'OPT_OBJ', valueFrom: { secretKeyRef: { name: 'absent', key: 'k', optional: true } } },
      ],
    },
    src,
  );
  assert.deepEqual(r.env, ['MODE=fast', 'PASS=s3cr3t', 'MODE2=z']);
  assert.deepEqual(src.reads, ['cm ns/cfg', 'secret ns/sec', 'secret ns/absent'], 'each object is read once per resolution');
});

test('ConfigMap, from environment variables; Secrets, pod environment from source: prefix, invalid keys skipped', async () => {
  const r = await resolve({
    name: 'c',
    envFrom: [{ configMapRef: { name: 'cfg' }, prefix: 'P_' }, { secretRef: { name: 'sec' } }, { configMapRef: { name: 'gone', optional: true } }],
    env: [{ name: 'P_mode', value: 'override:$(P_mode)' }],
  });
  assert.deepEqual(r.env, ['P_1digit=y', 'P_dot.ok=z', 'P_mode=override:fast', 'password=s3cr3t']);
  assert.deepEqual(r.warnings, [
    'Keys [P_bad key] from the EnvFrom configMap ns/cfg were skipped since they are considered invalid environment variable names.',
    'Keys [ünicode] from the EnvFrom secret ns/sec were skipped since they are considered invalid environment variable names.',
  ]);
  const unprefixed = await resolve({ name: 'c', envFrom: [{ configMapRef: { name: 'cfg' } }] });
  assert.match(unprefixed.warnings[0] ?? '', /^Keys \[1digit, bad key\] /);
});

test('missing sources and keys fail with kubelet messages (CreateContainerConfigError)', async () => {
  const cases: Array<[Container, string, boolean]> = [
    [{ name: 'c', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] }, 'configmap "nope" not found', true],
    [{ name: 'c', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] }, 'secret "nope" not found', true],
    [{ name: 'c', env: [{ name: 'A', valueFrom: { configMapKeyRef: { name: 'cfg', key: 'k' } } }] }, "couldn't find key k in ConfigMap ns/cfg", false],
    [{ name: 'c', env: [{ name: 'A', valueFrom: { secretKeyRef: { name: 'sec', key: 'k' } } }] }, "couldn't find key k in Secret ns/sec", false],
    [{ name: 'c', envFrom: [{ configMapRef: { name: 'nope' } }] }, 'configmap "nope" not found', true],
    [{ name: 'c', envFrom: [{ secretRef: { name: 'nope' } }] }, 'secret "nope" not found', true],
    [{ name: 'c', env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'spec.bogus' } } }] }, 'unsupported fieldPath: spec.bogus', false],
  ];
  for (const [container, message, notFound] of cases) {
    await assert.rejects(resolve(container), (err) => {
      assert.ok(err instanceof ContainerConfigError);
      assert.equal(err.message, message);
      assert.equal(err instanceof SourceNotFoundError, notFound);
      return true;
    });
  }
});

test('Pods, service environment variables: service variables follow the pod\'s own and feed $(VAR) expansion', async () => {
  const src = {
    ...sources([cm], [secret]),
    linkedServices: async (ns: string, links: boolean) => (links ? [{ apiVersion: 'v1', kind: 'Service', metadata: { name: 'fooservice', namespace: ns }, spec: { clusterIP: '10.43.0.40', ports: [{ port: 8765, protocol: 'TCP' as const }] } }] : []),
  };
  const container: Container = {
    name: 'c', image: 'busybox',
    env: [{ name: 'URL', value: 'http://$(FOOSERVICE_SERVICE_HOST):$(FOOSERVICE_SERVICE_PORT)/' }, { name: 'FOOSERVICE_PORT', value: 'mine' }],
    command: ['echo', '$(FOOSERVICE_PORT_8765_TCP_ADDR)'],
  };
  const out = await resolve(container, src);
  assert.deepEqual(out.env.slice(0, 2), ['URL=http://10.43.0.40:8765/', 'FOOSERVICE_PORT=mine']);
  assert.ok(out.env.includes('FOOSERVICE_SERVICE_HOST=10.43.0.40'));
  assert.ok(out.env.includes('FOOSERVICE_PORT_8765_TCP=tcp://10.43.0.40:8765'));
  assert.equal(out.env.filter((e) => e.startsWith('FOOSERVICE_PORT=')).length, 1, 'the pod\'s own FOOSERVICE_PORT is kept, the service\'s skipped');
  assert.deepEqual(out.command, ['echo', '10.43.0.40']);
});
