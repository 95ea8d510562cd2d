// Malformed whole-object bodies (create and update), made from each kind's schema: a wrong type at
// a field path, deep nesting, huge arrays, maps and strings, unknown fields, bad names and labels.
import type { FuzzCase } from './case.ts';
import { clone, nested, raw } from './json-text.ts';
import { KINDS, NS, pathOf, type FuzzKind } from './kinds.ts';
import type { Rng } from './prng.ts';
import { writeCase, type Verb } from './requests.ts';
import { fieldPaths, pathString, setAt, typeOf, wrongValues, type FieldPath } from './schema-walk.ts';

const pathsCache = new Map<string, FieldPath[]>();
export function pathsOf(k: FuzzKind): FieldPath[] {
  let p = pathsCache.get(k.defName);
  if (!p) { p = fieldPaths(k.defName); pathsCache.set(k.defName, p); }
  return p;
}

function verbFor(rng: Rng): Verb {
  const x = rng.next();
  return x < 0.6 ? 'create' : x < 0.85 ? 'update' : 'create-yaml';
}

const VALIDATION = [undefined, 'Strict', 'Warn', 'Ignore'];

/** A wrong type at a random schema path of a random kind, every wrong type of that path in turn. */
export function wrongTypeCases(rng: Rng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let i = 0; out.length < n; i++) {
    const k = KINDS[i % KINDS.length]!;
    const fp = rng.pick(pathsOf(k));
    for (const wv of wrongValues(fp.schema)) {
      if (out.length >= n) break;
      const obj = k.valid(`fz-wt-${out.length}`, NS);
      setAt(obj, fp.steps, clone(wv.value), rng);
      const fv = rng.pick(VALIDATION);
      out.push(writeCase('bodies: wrong types', k, verbFor(rng), obj, `${pathString(fp.steps)} = ${wv.label}${fv ? ` (fieldValidation=${fv})` : ''}`, { fieldValidation: fv }));
    }
  }
  return out;
}

const DEPTHS = [1_000, 5_000, 10_000, 20_000];

/** Nesting 1,000 to 20,000 levels deep: at a field, in an unknown field, in free-form fields, as the whole body. */
export function deepNestingCases(rng: Rng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const group = 'bodies: deep nesting';
  for (let i = 0; out.length < n; i++) {
    const k = KINDS[i % KINDS.length]!;
    const depth = DEPTHS[i % DEPTHS.length]!;
    const shape = rng.chance(0.5) ? 'array' : 'object';
    const deep = nested(depth, shape);
    const name = `fz-deep-${i}`;
    const variant = i % 6;
    const obj = k.valid(name, NS);
    let what: string;
    if (variant === 0) {
      const fp = rng.pick(pathsOf(k));
      setAt(obj, fp.steps, deep, rng);
      what = `${pathString(fp.steps)} nested ${depth} ${shape}s deep`;
    } else if (variant === 1) {
      obj.unknownDeep = deep;
      what = `unknown field nested ${depth} deep`;
    } else if (variant === 2) {
      obj.metadata.managedFields = [{ manager: 'fuzz', operation: 'Update', apiVersion: k.apiVersion, fieldsType: 'FieldsV1', fieldsV1: nested(depth, 'object') }];
      what = `managedFields[0].fieldsV1 nested ${depth} deep`;
    } else if (variant === 3) {
      obj.metadata.annotations = { deep: nested(depth, shape) };
      what = `annotation value nested ${depth} deep`;
    } else if (variant === 4) {
      out.push({ group, method: 'POST', path: pathOf(k, NS), body: Buffer.from('['.repeat(depth) + ']'.repeat(depth)), contentType: 'application/json', what: `${k.info.kind} create: whole body nested ${depth} arrays deep`, defName: k.defName });
      continue;
    } else {
      // YAML reads flow collections recursively too.
      const yaml = `apiVersion: ${k.apiVersion}\nkind: ${k.info.kind}\nmetadata:\n  name: ${name}\nspec: ${'['.repeat(depth)}1${']'.repeat(depth)}\n`;
      out.push({ group, method: 'POST', path: pathOf(k, NS), body: Buffer.from(yaml), contentType: 'application/yaml', what: `${k.info.kind} create: YAML spec nested ${depth} flow lists deep`, defName: k.defName });
      continue;
    }
    out.push(writeCase(group, k, rng.chance(0.3) ? 'update' : 'create', obj, what, { fieldValidation: rng.pick(VALIDATION) }));
  }
  return out;
}

const MB = 1 << 20;

/** 100,000-element arrays, 100,000-key maps and 1 MB strings at schema paths of the matching type. */
export function hugeCases(rng: Rng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let i = 0; out.length < n; i++) {
    const k = KINDS[i % KINDS.length]!;
    const paths = pathsOf(k);
    const want = i % 3 === 0 ? 'array' : i % 3 === 1 ? 'map' : 'string';
    const fits = paths.filter((p) => (want === 'array' ? typeOf(p.schema) === 'array' : want === 'map' ? typeOf(p.schema) === 'object' && typeof p.schema.additionalProperties === 'object' : typeOf(p.schema) === 'string'));
    if (fits.length === 0) continue;
    const fp = rng.pick(fits);
    const obj = k.valid(`fz-huge-${i}`, NS);
    let value: unknown;
    let what: string;
    if (want === 'array') {
      const item = fp.schema.items ? typeOf(fp.schema.items) : 'string';
      const one = item === 'string' ? '"x"' : item === 'int32' || item === 'int64' ? '1' : item === 'object' ? '{"name":"x"}' : '"x"';
      value = raw(`[${Array(100_000).fill(one).join(',')}]`);
      what = `${pathString(fp.steps)} with 100,000 items`;
    } else if (want === 'map') {
      value = raw(`{${Array.from({ length: 100_000 }, (_, j) => `"k${j}":"v"`).join(',')}}`);
      what = `${pathString(fp.steps)} with 100,000 keys`;
    } else {
      value = 'x'.repeat(MB);
      what = `${pathString(fp.steps)} = a 1 MB string`;
    }
    setAt(obj, fp.steps, value, rng);
    out.push(writeCase('bodies: huge arrays and strings', k, verbFor(rng), obj, what));
  }
  return out;
}

const ODD_NAMES = ['unknownField', 'ünknöwn', '名前', 'emoji😀', 'line\u2028sep', '', 'nul\u0000byte', 'ctl\r\nX-Injected: 1', 'x'.repeat(300), 'lone\ud800surrogate', '$patch', '__proto__'];

/** Fields the schema does not know, named in ASCII, Latin-1 and beyond, under every fieldValidation. */
export function unknownFieldCases(rng: Rng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  for (let i = 0; out.length < n; i++) {
    const k = KINDS[i % KINDS.length]!;
    const objects = pathsOf(k).filter((p) => typeOf(p.schema) === 'object' && p.schema.properties);
    const fieldName = ODD_NAMES[i % ODD_NAMES.length]!;
    const obj = k.valid(`fz-unk-${i}`, NS);
    let where = '(root)';
    if (rng.chance(0.7) && objects.length) {
      const fp = rng.pick(objects);
      setAt(obj, [...fp.steps, { key: fieldName }], 1, rng);
      where = pathString(fp.steps);
    } else {
      obj[fieldName] = 1;
    }
    const fv = VALIDATION[i % VALIDATION.length];
    out.push(writeCase('bodies: unknown fields', k, verbFor(rng), obj, `unknown field ${JSON.stringify(fieldName.slice(0, 40))} under ${where}${fv ? ` (fieldValidation=${fv})` : ''}`, { fieldValidation: fv }));
  }
  // Duplicate keys: upstream's strict decoding rejects them, the others keep the last.
  for (const fv of VALIDATION) {
    const k = KINDS[1]!;
    const text = `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"fz-dup","name":"fz-dup2"},"data":{"a":"1","a":"2"}}`;
    out.push({ group: 'bodies: unknown fields', method: 'POST', path: pathOf(k, NS) + (fv ? `?fieldValidation=${fv}` : ''), body: Buffer.from(text), contentType: 'application/json', what: `ConfigMap create: duplicate keys${fv ? ` (fieldValidation=${fv})` : ''}`, defName: k.defName });
  }
  return out;
}

const BAD_NAMES = ['', 'UPPER', '-lead', 'trail-', 'a'.repeat(254), 'x'.repeat(MB), '.', '..', 'a/b', 'a%2Fb', 'ü', 'a b', 'nul\u0000', 'a..b', '😀'];
const BAD_LABEL_KEYS = ['a'.repeat(64), 'bad key', 'x/'.repeat(100), '/', 'a/', '/a', 'ü', 'k'.repeat(MB), `${'d'.repeat(254)}/k`];
const BAD_LABEL_VALUES = ['v'.repeat(64), 'bad value!', '-lead', 'ü', 'v'.repeat(MB)];

/** Bad names, generated names, label keys and values, namespaces, finalizers and owner references. */
export function badMetadataCases(rng: Rng, n: number): FuzzCase[] {
  const out: FuzzCase[] = [];
  const group = 'bodies: bad names and labels';
  for (let i = 0; out.length < n; i++) {
    const k = KINDS[i % KINDS.length]!;
    const obj = k.valid(`fz-meta-${i}`, NS);
    const variant = i % 8;
    let what: string;
    if (variant === 0) { const v = BAD_NAMES[(i >> 3) % BAD_NAMES.length]!; obj.metadata.name = v; what = `metadata.name = ${JSON.stringify(v.slice(0, 20))} (${v.length} chars)`; }
    else if (variant === 1) { const v = rng.pick(BAD_NAMES); delete obj.metadata.name; obj.metadata.generateName = v; what = `metadata.generateName = ${JSON.stringify(v.slice(0, 20))} (${v.length} chars)`; }
    else if (variant === 2) { const v = BAD_LABEL_KEYS[(i >> 3) % BAD_LABEL_KEYS.length]!; obj.metadata.labels = { [v]: 'x' }; what = `label key ${JSON.stringify(v.slice(0, 20))} (${v.length} chars)`; }
    else if (variant === 3) { const v = rng.pick(BAD_LABEL_VALUES); obj.metadata.labels = { k: v }; what = `label value ${JSON.stringify(v.slice(0, 20))} (${v.length} chars)`; }
    else if (variant === 4) { obj.metadata.namespace = rng.pick(['other', '', 'UPPER', 'x'.repeat(MB)]); what = `metadata.namespace ${JSON.stringify(String(obj.metadata.namespace).slice(0, 20))}`; }
    else if (variant === 5) { obj.metadata.finalizers = rng.pick([['bad finalizer'], ['x'.repeat(MB)], ['a/b', 'a/b'], Array(10_000).fill('example.com/f')]); what = `finalizers ${JSON.stringify(obj.metadata.finalizers).slice(0, 40)}`; }
    else if (variant === 6) { obj.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'ConfigMap', name: rng.pick(['', 'x'.repeat(MB), 'o']), uid: rng.pick(['', 'not-a-uid', 'u'.repeat(MB)]), controller: true }]; what = 'ownerReferences with bad name/uid'; }
    else { obj.metadata.annotations = { big: 'a'.repeat(300 * 1024) }; what = 'annotations over 256 KiB'; }
    out.push(writeCase(group, k, rng.chance(0.75) ? 'create' : 'update', obj, what));
  }
  return out;
}
