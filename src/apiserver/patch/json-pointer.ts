// JSON Pointer (RFC 6901) parsing, as used by JSON Patch paths.
import { malformed } from './errors.ts';
import { capped } from './json-value.ts';

/** Split a pointer into unescaped reference tokens; "" (the whole document) gives []. */
export function parsePointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw malformed(`invalid JSON pointer "${capped(pointer)}": must be empty or start with "/"`);
  return pointer.slice(1).split('/').map((token) => {
    if (/~(?![01])/.test(token)) throw malformed(`invalid JSON pointer "${capped(pointer)}": "~" must be followed by "0" or "1"`);
    // Order matters: "~01" is the literal "~1", not "/".
    return token.replaceAll('~1', '/').replaceAll('~0', '~');
  });
}

/** An array index token: "0" or digits without a leading zero. Returns -1 if the token is not one. */
export function arrayIndex(token: string): number {
  return /^(0|[1-9][0-9]*)$/.test(token) ? Number(token) : -1;
}
