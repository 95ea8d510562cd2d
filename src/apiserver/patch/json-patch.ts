// JSON Patch (RFC 6902). The patch is checked in full before anything is applied, so a malformed
// operation anywhere is a 'malformed' error; failures against the document are 'apply' errors.
// Upstream (evanphx/json-patch v4 via apiserver/pkg/endpoints/handlers/patch.go) only rejects a
// non-array body up front (400) and reports everything else at apply time (422); it also accepts
// negative array indices and lets "replace" create a missing object key. skiff follows the RFC.
// Like upstream (json-patch's AccumulatedCopySizeLimit, which kube-apiserver sets from its request
// body limit), the values `copy` operations duplicate are counted, so a short patch cannot double
// the object once per operation until the heap runs out.
import { MAX_BODY_BYTES } from '../http-io.ts';
import { cannotApply, malformed } from './errors.ts';
import { arrayIndex, parsePointer } from './json-pointer.ts';
import { capped, clone, deepEqual, hasKey, isObject, jsonSizeWithin, setKey, typeName } from './json-value.ts';

/** The most bytes (as JSON) the `copy` operations of one patch may duplicate in total. */
export const ACCUMULATED_COPY_SIZE_LIMIT = MAX_BODY_BYTES;

export interface JsonPatchOptions {
  /** Defaults to ACCUMULATED_COPY_SIZE_LIMIT. */
  maxCopyBytes?: number;
}

const OPS = ['add', 'remove', 'replace', 'move', 'copy', 'test'] as const;
type OpName = (typeof OPS)[number];

export interface JsonPatchOperation {
  op: OpName;
  path: string;
  tokens: string[];
  from?: { path: string; tokens: string[] };
  value?: unknown;
}

/** Apply an RFC 6902 patch to a copy of `doc`; neither argument is mutated. */
export function applyJsonPatch(doc: unknown, patch: unknown, opts: JsonPatchOptions = {}): unknown {
  const ops = decodeJsonPatch(patch);
  const copies = { limit: opts.maxCopyBytes ?? ACCUMULATED_COPY_SIZE_LIMIT, total: 0 };
  let root = clone(doc);
  for (const op of ops) root = applyOperation(root, op, copies);
  return root;
}

/** Check and decode a patch document; throws a 'malformed' PatchError naming the bad operation. */
export function decodeJsonPatch(patch: unknown): JsonPatchOperation[] {
  if (!Array.isArray(patch)) throw malformed(`a JSON Patch must be an array of operations, got ${typeName(patch)}`);
  return patch.map((raw, i) => decodeOperation(raw, i));
}

function decodeOperation(raw: unknown, i: number): JsonPatchOperation {
  const where = `operation ${i}`;
  if (!isObject(raw)) throw malformed(`${where}: must be an object, got ${typeName(raw)}`);
  const op = raw.op;
  if (typeof op !== 'string') throw malformed(`${where}: missing "op"`);
  if (!(OPS as readonly string[]).includes(op)) throw malformed(`${where}: unknown op "${capped(op, 64)}"`);
  const name = op as OpName;
  if (typeof raw.path !== 'string') throw malformed(`${where} (${name}): ${raw.path === undefined ? 'missing "path"' : `"path" must be a string, got ${typeName(raw.path)}`}`);
  const out: JsonPatchOperation = { op: name, path: raw.path, tokens: parsePointer(raw.path) };
  if (name === 'move' || name === 'copy') {
    if (typeof raw.from !== 'string') throw malformed(`${where} (${name}): ${raw.from === undefined ? 'missing "from"' : `"from" must be a string, got ${typeName(raw.from)}`}`);
    out.from = { path: raw.from, tokens: parsePointer(raw.from) };
  }
  if (name === 'add' || name === 'replace' || name === 'test') {
    if (!hasKey(raw, 'value')) throw malformed(`${where} (${name}): missing "value"`);
    out.value = raw.value;
  }
  return out;
}

function applyOperation(root: unknown, op: JsonPatchOperation, copies: { limit: number; total: number }): unknown {
  switch (op.op) {
    case 'add': return add(root, op.tokens, clone(op.value), op);
    case 'remove': return remove(root, op.tokens, op.path, op);
    case 'replace': {
      get(root, op.tokens, op.path, op);
      return replace(root, op.tokens, clone(op.value), op);
    }
    case 'move': {
      const from = op.from!;
      if (from.path === op.path) {
        get(root, from.tokens, from.path, op);
        return root;
      }
      if (isProperPrefix(from.tokens, op.tokens)) {
        throw cannotApply(`move operation does not apply: "from" ${capped(from.path)} is a prefix of "path" ${capped(op.path)}`);
      }
      const value = get(root, from.tokens, from.path, op);
      return add(remove(root, from.tokens, from.path, op), op.tokens, value, op);
    }
    case 'copy': {
      const from = op.from!;
      const value = get(root, from.tokens, from.path, op);
      // Measured before cloning, and only as far as the budget left, so refusing costs no more than the limit.
      copies.total += jsonSizeWithin(value, copies.limit - copies.total);
      if (copies.total > copies.limit) {
        throw cannotApply(`copy operation does not apply: the values copied by this patch add up to more than ${copies.limit} bytes`);
      }
      return add(root, op.tokens, clone(value), op);
    }
    case 'test': {
      const actual = get(root, op.tokens, op.path, op);
      if (!deepEqual(actual, op.value)) throw cannotApply(`test operation failed: value at ${capped(op.path) || '""'} does not match`);
      return root;
    }
  }
}

function isProperPrefix(prefix: string[], tokens: string[]): boolean {
  return prefix.length < tokens.length && prefix.every((t, i) => t === tokens[i]);
}

function missing(op: JsonPatchOperation, path: string): Error {
  return cannotApply(`${op.op} operation does not apply: doc is missing path: "${capped(path)}"`);
}

/** The value at `tokens`; throws an 'apply' error if it does not exist. */
function get(root: unknown, tokens: string[], path: string, op: JsonPatchOperation): unknown {
  let cur = root;
  for (const token of tokens) {
    if (Array.isArray(cur)) {
      const idx = arrayIndex(token);
      if (idx < 0 || idx >= cur.length) throw missing(op, path);
      cur = cur[idx];
    } else if (isObject(cur)) {
      if (!hasKey(cur, token)) throw missing(op, path);
      cur = cur[token];
    } else {
      throw missing(op, path);
    }
  }
  return cur;
}

/** The container that holds the last token of `tokens` (which must be non-empty). */
function parentOf(root: unknown, tokens: string[], path: string, op: JsonPatchOperation): unknown {
  return get(root, tokens.slice(0, -1), path, op);
}

function add(root: unknown, tokens: string[], value: unknown, op: JsonPatchOperation): unknown {
  if (tokens.length === 0) return value;
  const parent = parentOf(root, tokens, op.path, op);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) {
    if (last === '-') {
      parent.push(value);
      return root;
    }
    const idx = arrayIndex(last);
    if (idx < 0) throw cannotApply(`${op.op} operation does not apply: "${capped(last, 64)}" is not a valid array index in ${capped(op.path)}`);
    if (idx > parent.length) throw cannotApply(`${op.op} operation does not apply: index ${capped(last, 64)} is out of bounds in ${capped(op.path)}`);
    parent.splice(idx, 0, value);
  } else if (isObject(parent)) {
    setKey(parent, last, value);
  } else {
    throw missing(op, op.path);
  }
  return root;
}

function replace(root: unknown, tokens: string[], value: unknown, op: JsonPatchOperation): unknown {
  if (tokens.length === 0) return value;
  const parent = parentOf(root, tokens, op.path, op);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent[arrayIndex(last)] = value; // get() already checked the index
  else setKey(parent as Record<string, unknown>, last, value);
  return root;
}

function remove(root: unknown, tokens: string[], path: string, op: JsonPatchOperation): unknown {
  if (tokens.length === 0) throw cannotApply(`${op.op} operation does not apply: cannot remove the whole document`);
  get(root, tokens, path, op);
  const parent = parentOf(root, tokens, path, op);
  const last = tokens[tokens.length - 1]!;
  if (Array.isArray(parent)) parent.splice(arrayIndex(last), 1);
  else delete (parent as Record<string, unknown>)[last];
  return root;
}
