import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { any, arr, bool, int, kind, mapOf, obj, ref, str, strMap, type Definitions } from '../schema/dsl.ts';
import { unknownFields } from './unknown-fields.ts';

const defs: Definitions = {
  'test.ObjectMeta': obj({ name: str(), labels: strMap(), annotations: strMap() }),
  'test.Container': obj({ name: str(), image: str(), ports: arr(ref('test.Port')) }),
  'test.Port': obj({ containerPort: int(), protocol: str() }),
  'test.Volume': obj({ name: str(), emptyDir: obj({ medium: str() }) }),
  'test.PodSpec': obj({
    containers: arr(ref('test.Container')),
    volumes: arr(ref('test.Volume')),
    hostNetwork: bool(),
    overhead: mapOf(ref('test.Quantity')),
    extra: mapOf(obj({ a: str() })),
    raw: any(),
    later: ref('test.NotRegisteredYet'),
  }),
  'test.Quantity': str(),
  'test.Pod': { ...kind([{ group: '', version: 'v1', kind: 'Pod' }], { spec: ref('test.PodSpec') }), properties: { apiVersion: str(), kind: str(), metadata: ref('test.ObjectMeta'), spec: ref('test.PodSpec') } },
};
const lookup = (name: string) => defs[name];

describe('unknownFields', () => {
  it('accepts a conforming object', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'a', labels: { x: 'y' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80 }] }], hostNetwork: false } };
    assert.deepEqual(unknownFields('test.Pod', pod, lookup), []);
  });

  it('reports unknown fields with their paths', () => {
    const pod = {
      kind: 'Pod', bogus: 1, metadata: { name: 'a', nmae: 'b' },
      spec: { containers: [{ name: 'c', image: 'i' }, { name: 'd', imagee: 'x', ports: [{ containerPort: 1, hostPort: 2 }] }], volumes: [{ name: 'v', emptyDir: { size: 1 } }] },
    };
    assert.deepEqual(unknownFields('test.Pod', pod, lookup), [
      'bogus', 'metadata.nmae', 'spec.containers[1].imagee', 'spec.containers[1].ports[0].hostPort', 'spec.volumes[0].emptyDir.size',
    ]);
  });

  it('walks map values and accepts anything where the schema preserves unknown fields', () => {
    const pod = { spec: { overhead: { cpu: '1' }, extra: { k: { a: 'x', b: 'y' } }, raw: { any: { thing: 1 } }, later: { whatever: true } } };
    assert.deepEqual(unknownFields('test.Pod', pod, lookup), ['spec.extra.k.b']);
  });

  it('accepts anything for unknown definitions', () => {
    assert.deepEqual(unknownFields('test.Missing', { a: 1 }, lookup), []);
  });

  it('uses the built-in registry by default', () => {
    assert.ok(Array.isArray(unknownFields('io.k8s.api.core.v1.Pod', { metadata: {} })));
  });
});
