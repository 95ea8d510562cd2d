// Decoding a YAML request body in time linear in its size, as sigs.k8s.io/yaml (go-yaml v2 in
// YAML 1.1 mode, then JSON) does upstream. The `yaml` package's own unique-key check compares
// every key with all earlier ones (13 s for 40,000 keys), its composer and toJS recurse once per
// level, and aliases or merge keys can expand a small document into a huge or circular value. So:
// the CST's depth is measured iteratively before composing; duplicate keys, alias expansion and
// cycles are checked in one pass over the composed nodes; only then is the value built.
import { Composer, isAlias, isMap, isPair, isScalar, isSeq, LineCounter, Parser } from 'yaml';
import type { CST, DocumentOptions, Node as YamlNode, ParseOptions, SchemaOptions } from 'yaml';
import { badRequest, type StatusError } from '../api/errors.ts';
import { checkJsonDepth, MAX_NESTING_DEPTH } from './json-bounds.ts';

const OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = {
  version: '1.1',
  uniqueKeys: false,
  logLevel: 'error',
  // go-yaml v2 keeps untagged timestamps (2024-01-01) and sexagesimal numbers (1:20) as strings
  // when decoding into interface{}, as sigs.k8s.io/yaml does.
  customTags: (tags) => tags.filter((t) => typeof t === 'string' || (t.tag !== 'tag:yaml.org,2002:timestamp' && t.format !== 'TIME')),
};

/** Alias expansions (as counted by the `yaml` package) allowed in one document. */
export const MAX_ALIAS_COUNT = 100;

export interface YamlLimits {
  maxDepth?: number;
  /** Most nodes the value may expand to through aliases and merge keys; default: twice the text's length plus 10,000. */
  maxNodes?: number;
}

function invalidYaml(what: string, detail: string): StatusError {
  return badRequest(`${what} is not valid YAML: ${detail}`);
}

function cstDepthExceeds(tokens: CST.Token[], max: number): boolean {
  const stack: Array<{ t: CST.Token | null | undefined; d: number }> = tokens.map((t) => ({ t, d: 0 }));
  for (let top = stack.pop(); top; top = stack.pop()) {
    const { t, d } = top;
    if (!t) continue;
    if (t.type === 'document') {
      stack.push({ t: t.value, d });
    } else if (t.type === 'block-map' || t.type === 'block-seq' || t.type === 'flow-collection') {
      if (d + 1 > max) return true;
      for (const item of t.items as CST.CollectionItem[]) {
        stack.push({ t: item.key, d: d + 1 }, { t: item.value, d: d + 1 });
      }
    }
  }
  return false;
}

const isMergeKey = (key: unknown): boolean =>
  isScalar(key) && (typeof key.value === 'symbol' || (key.type === 'PLAIN' && key.value === '<<'));

interface Frame { node: YamlNode; path: string; exit: boolean }

/**
 * One pass over the composed document: duplicate keys, keys that are collections, aliases to an
 * enclosing node (a cycle), and what the value expands to (nodes and depth, following aliases).
 */
function checkNodes(root: YamlNode, what: string, maxDepth: number, maxNodes: number): void {
  const anchors = new Map<string, YamlNode>();
  const size = new Map<YamlNode, { nodes: number; depth: number }>();
  const stack: Frame[] = [{ node: root, path: '', exit: false }];
  const measure = (n: unknown): { nodes: number; depth: number } => {
    if (isAlias(n)) {
      const target = anchors.get(n.source);
      if (!target) return { nodes: 1, depth: 0 }; // composing already reported it
      const m = size.get(target);
      if (!m) throw invalidYaml(what, `alias *${n.source.slice(0, 64)} refers to a node that contains it`);
      return m;
    }
    return (n ? size.get(n as YamlNode) : undefined) ?? { nodes: 1, depth: 0 };
  };
  const children = (node: YamlNode): unknown[] => {
    if (isMap(node)) return node.items.flatMap((p) => [p.key, p.value]);
    if (isSeq(node)) return node.items.flatMap((i) => (isPair(i) ? [i.key, i.value] : [i]));
    return [];
  };
  for (let f = stack.pop(); f; f = stack.pop()) {
    const { node, path } = f;
    if (f.exit) {
      let nodes = 1;
      let deepest = 0;
      for (const c of children(node)) {
        const m = measure(c);
        nodes += m.nodes;
        deepest = Math.max(deepest, m.depth);
      }
      const m = { nodes, depth: deepest + 1 };
      if (m.nodes > maxNodes) throw invalidYaml(what, `aliases expand it to more than ${maxNodes} values`);
      if (m.depth > maxDepth) throw badRequest(`${what} is nested too deeply: more than ${maxDepth} levels of arrays and objects`);
      size.set(node, m);
      continue;
    }
    if (node.anchor) anchors.set(node.anchor, node);
    if (!isMap(node) && !isSeq(node)) {
      size.set(node, { nodes: 1, depth: 0 });
      continue;
    }
    stack.push({ ...f, exit: true });
    const kids: Frame[] = [];
    // Plain scalars need no frame (they measure 1); anchored ones do, to be found by their aliases.
    const visit = (n: YamlNode, p: string | (() => string)): void => {
      if (isMap(n) || isSeq(n) || n.anchor) kids.push({ node: n, path: typeof p === 'string' ? p : p(), exit: false });
    };
    if (isMap(node)) {
      const seen = new Set<unknown>();
      for (const p of node.items) {
        const key = p.key as YamlNode | null;
        let childPath = path;
        if (isScalar(key) && !isMergeKey(key)) {
          if (seen.has(key.value)) throw invalidYaml(what, `duplicate key "${joinPath(path, String(key.value))}"`);
          seen.add(key.value);
          childPath = joinPath(path, String(key.value));
        } else if (key && !isScalar(key) && !isAlias(key)) {
          throw invalidYaml(what, `the key of a mapping at "${path.slice(0, 256) || '.'}" is not a scalar`);
        }
        if (key) visit(key, path);
        if (p.value) visit(p.value as YamlNode, childPath);
      }
    } else {
      node.items.forEach((item, i) => {
        if (isPair(item)) {
          if (item.key) visit(item.key as YamlNode, () => `${path}[${i}]`);
          if (item.value) visit(item.value as YamlNode, () => `${path}[${i}]`);
        } else if (item) {
          visit(item as YamlNode, () => `${path}[${i}]`);
        }
      });
    }
    // Reversed so that nodes are entered in document order: an anchor is seen before its aliases.
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
}

function joinPath(path: string, key: string): string {
  const p = path ? `${path}.${key}` : key;
  return p.length > 256 ? `${p.slice(0, 256)}...` : p;
}

/** A built value may hold only what JSON can: YAML 1.1's !!set, !!omap, !!binary and the like cannot be sent. */
function checkPlain(value: unknown, what: string): void {
  const stack: unknown[] = [value];
  for (let v = stack.pop(); v !== undefined; v = stack.pop()) {
    if (v === null || typeof v !== 'object') {
      if (typeof v === 'number' && !Number.isFinite(v)) throw invalidYaml(what, `${String(v)} is not a JSON number`);
      continue;
    }
    const proto = Object.getPrototypeOf(v) as unknown;
    if (Array.isArray(v) || proto === Object.prototype || proto === null) {
      for (const c of Object.values(v)) stack.push(c);
    } else throw invalidYaml(what, `a value of type ${(v).constructor?.name ?? 'unknown'} cannot be represented as JSON`);
  }
}

/**
 * Decode one YAML (1.1) document to plain JSON values. Text that is a JSON object is parsed as JSON
 * (what kubectl sends as an apply patch), after the same depth check. Every failure is a 400.
 */
export function decodeYaml(text: string, what = 'the request body', limits: YamlLimits = {}): unknown {
  const maxDepth = limits.maxDepth ?? MAX_NESTING_DEPTH;
  const maxNodes = limits.maxNodes ?? 2 * text.length + 10_000;
  if (/^\s*\{/.test(text)) {
    checkJsonDepth(text, what, maxDepth);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      // Not JSON after all: YAML's flow syntax is wider (unquoted keys, comments).
    }
  }
  const lines = new LineCounter();
  const tokens: CST.Token[] = [];
  let documents = 0;
  for (const token of new Parser(lines.addNewLine).parse(text)) {
    // Stop lexing at the second document rather than after a million of them.
    if (token.type === 'document' && ++documents > 1) throw invalidYaml(what, 'it holds more than one document');
    tokens.push(token);
  }
  if (cstDepthExceeds(tokens, maxDepth)) {
    throw badRequest(`${what} is nested too deeply: more than ${maxDepth} levels of arrays and objects`);
  }
  const docs = Array.from(new Composer(OPTIONS).compose(tokens, true, text.length));
  if (docs.length > 1) throw invalidYaml(what, 'it holds more than one document');
  const doc = docs[0];
  if (!doc) return null;
  const first = doc.errors[0];
  if (first) {
    const pos = lines.linePos(first.pos[0]);
    throw invalidYaml(what, `${first.message.split('\n')[0]!.slice(0, 256)} (line ${pos.line}, column ${pos.col})`);
  }
  if (doc.contents) checkNodes(doc.contents, what, maxDepth, maxNodes);
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    throw invalidYaml(what, (err as Error).message.split('\n')[0]!.slice(0, 256));
  }
  checkPlain(value, what);
  return value;
}
