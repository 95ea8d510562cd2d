// JSON Merge Patch (RFC 7386): objects merge recursively, null removes a key, anything else
// (arrays included) replaces. Mirrors evanphx/json-patch MergePatch/CreateMergePatch semantics;
// the HTTP-level quirks upstream adds (a null or scalar body is "Invalid JSON Patch") live in ./index.ts.
import { clone, deepEqual, hasKey, isObject, setKey, type JsonObject } from './json-value.ts';

/** Apply a merge patch to a copy of `doc`; neither argument is mutated. */
export function applyMergePatch(doc: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  return mergeInto(isObject(doc) ? clone(doc) : {}, patch);
}

function mergeInto(target: JsonObject, patch: JsonObject): JsonObject {
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) {
      delete target[key];
    } else if (isObject(value)) {
      const current = hasKey(target, key) ? target[key] : undefined;
      setKey(target, key, mergeInto(isObject(current) ? current : {}, value));
    } else {
      setKey(target, key, clone(value));
    }
  }
  return target;
}

/**
 * The merge patch that turns `original` into `modified`. Keys removed in `modified` become null;
 * a null value in `modified` cannot be expressed (RFC 7386 §1) and also comes out as a removal.
 */
export function createMergePatch(original: unknown, modified: unknown): unknown {
  if (!isObject(original) || !isObject(modified)) return clone(modified);
  const patch: JsonObject = {};
  for (const key of Object.keys(original)) {
    if (!hasKey(modified, key)) setKey(patch, key, null);
  }
  for (const [key, value] of Object.entries(modified)) {
    if (!hasKey(original, key)) {
      setKey(patch, key, clone(value));
      continue;
    }
    const before = original[key];
    if (isObject(before) && isObject(value)) {
      const sub = createMergePatch(before, value) as JsonObject;
      if (Object.keys(sub).length > 0) setKey(patch, key, sub);
    } else if (!deepEqual(before, value)) {
      setKey(patch, key, clone(value));
    }
  }
  return patch;
}
