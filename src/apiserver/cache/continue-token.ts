// Continue tokens for paged lists, in upstream's format (k8s.io/apiserver/pkg/storage/continue.go):
// base64url (no padding) of {"v":"meta.k8s.io/v1","rv":N,"start":KEY}, where KEY is relative to
// the list's key prefix. A token is client input: the start key is checked to be a clean relative
// path, so prefix + KEY can never reach above the prefix (another namespace or resource).
// skiff pages with "start after KEY" (the last key sent) where upstream starts at KEY + "\0"; both
// name the same next item.
import { badRequest, truncateEcho as capped, type StatusError } from '../../api/errors.ts';

const VERSION = 'meta.k8s.io/v1';

/** Far longer than any real token (keys are a namespace and a name: a few hundred bytes). */
export const MAX_CONTINUE_LENGTH = 4096;

// Upstream's messages (continue.go), which clients may match on.
const INVALID = 'continue key is not valid';
const INVALID_RV = `${INVALID}: incorrect encoded start resourceVersion (version ${VERSION})`;
const EMPTY_START = `${INVALID}: encoded start key empty (version ${VERSION})`;
const UNKNOWN_VERSION = `${INVALID}: server does not recognize this encoded version`;

export interface ContinuePosition {
  /** The revision every page of the list is read at. */
  rv: number;
  /** The full store key the next page starts after; always under the prefix it was decoded with. */
  startAfter: string;
}

function invalid(detail: string): StatusError {
  return badRequest(`invalid continue token: ${detail}`);
}

export function encodeContinue(lastKey: string, keyPrefix: string, rv: number): string {
  if (!lastKey.startsWith(keyPrefix) || lastKey === keyPrefix) throw new Error(`unable to encode next field: the key and key prefix do not match ${keyPrefix} ${lastKey}`);
  return Buffer.from(JSON.stringify({ v: VERSION, rv, start: lastKey.slice(keyPrefix.length) })).toString('base64url');
}

/** Decode a token for a list under `keyPrefix`; anything malformed is a 400 BadRequest. */
export function decodeContinue(token: string, keyPrefix: string): ContinuePosition {
  if (token.length > MAX_CONTINUE_LENGTH) throw invalid(`${INVALID}: longer than ${MAX_CONTINUE_LENGTH} characters`);
  // Buffer's base64url decoder skips characters outside the alphabet; Go's RawURLEncoding does not.
  if (!/^[A-Za-z0-9_-]*$/.test(token) || token.length % 4 === 1) throw invalid(`${INVALID}: illegal base64 data`);
  let c: unknown;
  try {
    c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch (err) {
    throw invalid(`${INVALID}: ${capped((err as Error).message, 128)}`);
  }
  if (c === null || typeof c !== 'object' || Array.isArray(c)) throw invalid(`${INVALID}: the token is not a JSON object`);
  const { v, rv, start } = c as Record<string, unknown>;
  if (v !== VERSION) throw invalid(`${UNKNOWN_VERSION} ${capped(typeof v === 'string' ? v : JSON.stringify(v) ?? '', 64)}`);
  if (typeof rv !== 'number' || !Number.isSafeInteger(rv) || rv <= 0) throw invalid(INVALID_RV);
  if (typeof start !== 'string') throw invalid(`${INVALID}: the start key is not a string`);
  if (start === '') throw invalid(EMPTY_START);
  const key = start.startsWith('/') ? start : `/${start}`;
  if (!isCleanPath(key)) throw invalid(`${INVALID}: ${capped(start)}`);
  return { rv, startAfter: keyPrefix + key.slice(1) };
}

/** What Go's path.Clean leaves unchanged: no empty, "." or ".." segments and no trailing slash ("/" itself is clean). */
function isCleanPath(key: string): boolean {
  if (key === '/') return true;
  return key.slice(1).split('/').every((seg) => seg !== '' && seg !== '.' && seg !== '..');
}
