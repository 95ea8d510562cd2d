// Bad patches of all four kinds against each kind's target object: JSON Patch copy bombs and bad
// pointers, deep and wrongly typed merge patches, strategic merge directives of the wrong type,
// server-side apply with duplicate or missing list-map keys and YAML alias bombs.
import { stringify } from 'yaml';
import type { FuzzCase } from './case.ts';
import { clone, nested, toJson } from './json-text.ts';
import { KINDS, NS, type FuzzKind } from './kinds.ts';
import type { Rng } from './prng.ts';
import { patchCase } from './requests.ts';
import { pathsOf } from './body-cases.ts';
import { pathString, setAt, wrongValues } from './schema-walk.ts';

const MB = 1 << 20;

/** A sparse object holding one wrong value at a random schema path of `k`. */
function wrongTypePatch(k: FuzzKind, rng: Rng): { patch: Record<string, any>; what: string } {
  const fp = rng.pick(pathsOf(k));
  const wv = rng.pick(wrongValues(fp.schema));
  const patch: Record<string, any> = {};
  setAt(patch, fp.steps, clone(wv.value), rng);
  return { patch, what: `${pathString(fp.steps)} = ${wv.label}` };
}

const pod = (): FuzzKind => KINDS.find((k) => k.info.kind === 'Pod')!;

function jsonPatchBodies(rng: Rng): Array<{ body: string; what: string }> {
  const copies = 14 + rng.int(16);
  const bomb = Array.from({ length: copies }, (_, i) => ({ op: 'copy', from: '/metadata/annotations', path: `/metadata/annotations/c${i}` }));
  const labelBomb = Array.from({ length: copies }, () => ({ op: 'copy', from: '/metadata', path: '/metadata/labels' }));
  const manyAdds = Array.from({ length: 20_000 }, (_, i) => ({ op: 'add', path: `/metadata/annotations/a${i}`, value: 'v' }));
  const pick = rng.pick([
    { body: JSON.stringify(bomb), what: `${copies} copies of /metadata/annotations into itself` },
    { body: JSON.stringify([{ op: 'add', path: '/metadata/annotations/big', value: 'x'.repeat(256) }, ...bomb]), what: `a 256 B annotation copied ${copies} times` },
    { body: JSON.stringify(labelBomb), what: `${copies} copies of /metadata into /metadata/labels` },
    { body: JSON.stringify([{ op: 'move', from: '/metadata', path: '/metadata/labels/x' }]), what: 'move a parent into its child' },
    { body: JSON.stringify(manyAdds), what: '20,000 add operations' },
    { body: JSON.stringify([{ op: 'add', path: '/metadata/annotations/big', value: 'x'.repeat(MB) }, { op: 'copy', from: '/metadata/annotations/big', path: '/metadata/annotations/b2' }, { op: 'copy', from: '/metadata/annotations', path: '/metadata/labels' }]), what: '1 MB value copied around' },
  ]);
  const badPointer = rng.pick(['', 'no-slash', '/', '/metadata/labels/', '/metadata/~2x', '/metadata/finalizers/-1', '/metadata/finalizers/01', '/metadata/finalizers/99999999999999999999', '/spec/containers/1e3', `/${'a/'.repeat(10_000)}`, `/metadata/labels/${'k'.repeat(MB)}`, '/metadata/annotations/~', '/spec/containers/-/name']);
  const op = rng.pick(['add', 'remove', 'replace', 'move', 'copy', 'test']);
  return [pick, ...[
    { body: JSON.stringify([{ op, path: badPointer, from: badPointer, value: 'x' }]), what: `${op} at bad pointer ${JSON.stringify(badPointer.slice(0, 30))} (${badPointer.length} chars)` },
    { body: JSON.stringify([{ op: rng.pick([5, null, 'bogus', ['add'], {}]), path: '/metadata/labels/x', value: 'y' }]), what: 'op of the wrong type' },
    { body: JSON.stringify([{ op: 'add', path: rng.pick([5, null, ['/a'], {}, true]), value: 'y' }]), what: 'path of the wrong type' },
    { body: JSON.stringify([{ op: 'add', path: '/metadata/labels/x' }]), what: 'add without a value' },
    { body: JSON.stringify([{ op: 'copy', path: '/metadata/labels/x' }]), what: 'copy without from' },
    { body: rng.pick(['{}', 'null', '5', '"x"', '[5]', '[null]', '[[]]', '']), what: 'body not a list of operations' },
    { body: `[{"op":"add","path":"/metadata/annotations/d","value":${toJson(nested(rng.pick([1_000, 10_000, 20_000]), 'array'))}}]`, what: 'add a deeply nested value' },
    { body: JSON.stringify([{ op: 'replace', path: '/metadata', value: rng.pick([5, null, 'x', []]) }]), what: 'replace metadata with a non-object' },
    { body: JSON.stringify([{ op: 'add', path: '/metadata/finalizers', value: 5 }]), what: 'finalizers: 5' },
    { body: JSON.stringify([{ op: 'test', path: '/metadata/name', value: { a: {} } }]), what: 'test with an object value' },
  ]];
}

function mergeBodies(k: FuzzKind, rng: Rng): Array<{ body: string; what: string }> {
  const w = wrongTypePatch(k, rng);
  const depth = rng.pick([1_000, 10_000, 20_000]);
  return [
    { body: toJson(w.patch), what: w.what },
    { body: toJson({ metadata: { annotations: { d: nested(depth, 'object') } } }), what: `annotation nested ${depth} deep` },
    { body: toJson({ spec: nested(depth, 'object') }), what: `spec nested ${depth} objects deep` },
    { body: '{"a":'.repeat(depth) + '1' + '}'.repeat(depth), what: `whole patch nested ${depth} deep` },
    { body: JSON.stringify({ metadata: rng.pick([null, 5, 'x', [], true]) }), what: 'metadata of the wrong type' },
    { body: rng.pick(['[]', '"x"', '5', 'null', '[{}]', 'true']), what: 'patch not an object' },
    { body: JSON.stringify({ metadata: { finalizers: 5 } }), what: 'finalizers: 5' },
    { body: JSON.stringify({ metadata: { labels: { [rng.pick(['bad key', 'ü', 'k'.repeat(300)])]: 'v' } } }), what: 'bad label key' },
  ];
}

function strategicBodies(k: FuzzKind, rng: Rng): Array<{ body: string; what: string }> {
  const w = wrongTypePatch(k, rng);
  const containersAt = (v: unknown): unknown => {
    if (k.info.kind === 'Pod') return { spec: { containers: v } };
    if (k.info.kind === 'CronJob') return { spec: { jobTemplate: { spec: { template: { spec: { containers: v } } } } } };
    if (['Deployment', 'Job', 'StatefulSet'].includes(k.info.kind)) return { spec: { template: { spec: { containers: v } } } };
    return { metadata: { ownerReferences: v } };
  };
  const directive = rng.pick<unknown>([5, 'bogus', null, ['delete'], {}, true]);
  const listVal = rng.pick<unknown>([{}, [null], [5], 'x', [{ image: 'no-name' }], [{ $patch: 'delete' }], [{ name: 'c', $patch: directive }], [{ name: 'c', ports: 'x' }], [{ name: 'c', ports: [5] }], [{ name: { x: 1 } }]]);
  return [
    { body: toJson(w.patch), what: w.what },
    { body: JSON.stringify(containersAt(listVal)), what: `list = ${JSON.stringify(listVal).slice(0, 50)}` },
    { body: JSON.stringify({ $patch: directive }), what: `$patch: ${JSON.stringify(directive)}` },
    { body: JSON.stringify({ metadata: { $retainKeys: rng.pick([5, 'x', [5], {}, null]) } }), what: '$retainKeys of the wrong type' },
    { body: JSON.stringify({ metadata: { '$setElementOrder/finalizers': rng.pick([5, 'x', [5], [{}], {}, null]), '$setElementOrder/ownerReferences': rng.pick([5, 'x', [5], [{}], [{ uid: 5 }]]) } }), what: '$setElementOrder of the wrong type' },
    { body: JSON.stringify({ metadata: { '$deleteFromPrimitiveList/finalizers': rng.pick([5, 'x', {}, [{}], null]) } }), what: '$deleteFromPrimitiveList of the wrong type' },
    { body: JSON.stringify({ metadata: { labels: { $patch: rng.pick(['replace', 'delete', 'bogus', 5]) }, finalizers: [{ $patch: 'delete' }] } }), what: '$patch inside a map and a primitive list' },
    { body: toJson({ metadata: { annotations: nested(rng.pick([1_000, 10_000]), 'object') } }), what: 'annotations nested deep' },
    { body: JSON.stringify({ metadata: rng.pick([null, 5, 'x']) }), what: 'metadata of the wrong type' },
    { body: rng.pick(['[]', '"x"', '5', 'null']), what: 'patch not an object' },
  ];
}

/** A YAML document whose aliases expand exponentially (the "billion laughs"). */
function aliasBomb(apiVersion: string, kind: string, name: string): string {
  let s = `apiVersion: ${apiVersion}\nkind: ${kind}\nmetadata:\n  name: ${name}\n  annotations:\n    a0: &a0 "lol"\n`;
  const lines: string[] = [];
  for (let i = 1; i <= 12; i++) lines.push(`x${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
  s += `bomb:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
  return s;
}

function applyBodies(k: FuzzKind, rng: Rng, name: string): Array<{ body: string; what: string; params?: Record<string, string | undefined> }> {
  const base = k.valid(name, NS);
  const y = (v: unknown): string => stringify(v, { lineWidth: 0 });
  const dup = clone(base);
  let dupWhat = 'duplicate finalizers in a set';
  dup.metadata.finalizers = ['example.com/a', 'example.com/a'];
  const podSpec = dup.spec?.containers ? dup.spec : dup.spec?.template?.spec ?? dup.spec?.jobTemplate?.spec?.template?.spec;
  if (podSpec?.containers) {
    const which = rng.int(4);
    if (which === 0) { podSpec.containers = [podSpec.containers[0], { ...podSpec.containers[0] }]; dupWhat = 'two containers with the same name'; }
    else if (which === 1) { podSpec.containers = [{ image: 'x' }]; dupWhat = 'a container with no name (missing list-map key)'; }
    else if (which === 2) { podSpec.containers[0].ports = [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 80, protocol: 'TCP' }]; dupWhat = 'duplicate ports (containerPort, protocol)'; }
    else { podSpec.containers[0].env = [{ name: 'A', value: '1' }, { name: 'A', value: '2' }]; dupWhat = 'duplicate env names'; }
  } else if (k.info.kind === 'Service') {
    dup.spec.ports = [{ port: 80, protocol: 'TCP' }, { port: 80, protocol: 'TCP' }]; dupWhat = 'duplicate service ports';
  } else if (k.info.kind === 'Node') {
    dup.spec.taints = [{ key: 'fuzz', effect: 'NoSchedule' }, { key: 'fuzz', effect: 'NoSchedule' }]; dupWhat = 'duplicate taints';
  }
  const w = wrongTypePatch(k, rng);
  const wrong = { apiVersion: k.apiVersion, kind: k.info.kind, metadata: { name }, ...w.patch };
  if (w.patch.metadata !== undefined) wrong.metadata = w.patch.metadata;
  return [
    { body: y(dup), what: dupWhat },
    { body: toJson(wrong), what: w.what },
    { body: aliasBomb(k.apiVersion, k.info.kind, name), what: 'YAML alias bomb (10^12 expansions)' },
    { body: y({ ...base, metadata: { ...base.metadata, managedFields: [{ manager: 5, operation: 'Bogus', fieldsV1: 'x' }] } }), what: 'managedFields of the wrong types' },
    { body: `${'- '.repeat(rng.pick([1_000, 10_000]))}x\n`, what: 'YAML block sequence nested deep' },
    { body: y(base), what: 'no fieldManager', params: { fieldManager: undefined } },
    { body: y(base), what: 'fieldManager too long / bad force', params: { fieldManager: 'm'.repeat(200), force: 'maybe' } },
    { body: y({ ...base, apiVersion: 'bogus/v9', kind: 'Nope' }), what: 'apiVersion and kind not the target\'s' },
    { body: y({ ...base, metadata: { ...base.metadata, name: 'other-name' } }), what: 'name not the target\'s' },
    { body: rng.pick(['[]', '"x"', '5', 'null', ': :', '{a: [}', '']), what: 'body not an object' },
  ];
}

/** `n` bad patches spread over the four patch types and every kind (a status subresource sometimes). */
export function patchCases(rng: Rng, n: number, type: 'json' | 'merge' | 'strategic' | 'apply'): FuzzCase[] {
  const out: FuzzCase[] = [];
  const group = `patches: ${type}`;
  for (let i = 0; out.length < n; i++) {
    const k = type === 'json' && i % 4 === 0 ? pod() : KINDS[i % KINDS.length]!;
    const sub = k.info.subresources.includes('status') && rng.chance(0.2) ? 'status' : undefined;
    const name = k.info.namespaced ? `target-${k.info.singular}` : `fuzz-target-${k.info.singular}`;
    const bodies = type === 'json' ? jsonPatchBodies(rng) : type === 'merge' ? mergeBodies(k, rng) : type === 'strategic' ? strategicBodies(k, rng) : applyBodies(k, rng, name);
    const b = rng.pick(bodies);
    const params = 'params' in b && b.params ? b.params : {};
    out.push(patchCase(group, k, type, b.body, b.what, { ...params, ...(rng.chance(0.3) ? { fieldValidation: 'Strict' } : {}), ...(rng.chance(0.15) ? { dryRun: 'All' } : {}) }, sub));
  }
  return out;
}
