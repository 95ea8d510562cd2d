// Bounds on decoded request bodies, checked before anything recursive touches them: nesting depth
// (upstream's JSON and YAML decoders stop at 10,000 levels, see sigs.k8s.io/json's
// internal/golang/encoding/json and go-yaml's max depth; ours is lower because every walker after
// decoding recurses on the JS stack, the `yaml` package's composer overflows it near 800 levels of
// flow collections, and patches and apply walk with deep frames) and, for values built from YAML
// aliases, the number of nodes.
import { badRequest, type StatusError } from '../api/errors.ts';

/** The deepest nesting of arrays and objects a request body may have. Real objects stay below ~100. */
export const MAX_NESTING_DEPTH = 500;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * The nesting depth of JSON text, or of UTF-8 bytes holding it (the structural characters are
 * ASCII and never occur inside a multi-byte sequence). One linear pass that never builds values;
 * stops counting once `stopAt` is passed. Invalid JSON is measured as far as it goes: JSON.parse
 * reports what is wrong with it.
 */
export function jsonDepth(text: string | Uint8Array, stopAt = Infinity): number {
  const n = text.length;
  const at = typeof text === 'string' ? (i: number): number => text.charCodeAt(i) : (i: number): number => text[i]!;
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < n; i++) {
    const c = at(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) {
        max = depth;
        if (max > stopAt) return max;
      }
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth > 0) depth--;
    }
  }
  return max;
}

function tooDeep(what: string, max: number): StatusError {
  return badRequest(`${what} is nested too deeply: more than ${max} levels of arrays and objects`);
}

/** Throws a 400 BadRequest when JSON text nests deeper than `max`. */
export function checkJsonDepth(text: string | Uint8Array, what = 'the request body', max = MAX_NESTING_DEPTH): void {
  if (jsonDepth(text, max) > max) throw tooDeep(what, max);
}

/**
 * JSON.parse behind the depth check: a 400 BadRequest naming `what` for text that is not JSON or
 * nests too deeply. What patch and apply bodies should be parsed with.
 */
export function parseJsonBounded(text: string, what = 'the request body', max = MAX_NESTING_DEPTH): unknown {
  checkJsonDepth(text, what, max);
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw badRequest(`${what} is not valid JSON: ${(err as Error).message.slice(0, 256)}`);
  }
}

export interface ValueBounds {
  /** Deepest nesting of arrays and objects allowed. */
  maxDepth?: number;
  /** Most array elements and object members visited, counting shared (aliased) values each time they occur. */
  maxNodes?: number;
}

/**
 * Checks a decoded value iteratively (so it works however deep the value is): a 400 BadRequest when
 * it nests deeper than `maxDepth` or, counting values reached through shared references each
 * time (what YAML aliases produce, and what serializing the value would cost), has more than
 * `maxNodes` members.
 */
export function checkValueBounds(value: unknown, what = 'the request body', bounds: ValueBounds = {}): void {
  const maxDepth = bounds.maxDepth ?? MAX_NESTING_DEPTH;
  const maxNodes = bounds.maxNodes ?? Infinity;
  const stack: Array<{ v: unknown; d: number }> = [{ v: value, d: 0 }];
  let nodes = 0;
  for (let top = stack.pop(); top; top = stack.pop()) {
    const { v, d } = top;
    if (v === null || typeof v !== 'object') continue;
    if (d + 1 > maxDepth) throw tooDeep(what, maxDepth);
    const children = Array.isArray(v) ? v as unknown[] : Object.values(v);
    nodes += children.length;
    if (nodes > maxNodes) throw badRequest(`${what} expands to too many values: more than ${maxNodes}`);
    for (const c of children) if (c !== null && typeof c === 'object') stack.push({ v: c, d: d + 1 });
  }
}
