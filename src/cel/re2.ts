// CEL patterns are RE2 (Go's regexp). JavaScript's RegExp differs in a few spellings and,
// unlike RE2, backtracks: environment.ts turns on V8's fallback to its linear-time engine on
// excessive backtracking, and this module refuses what RE2 refuses (backreferences,
// lookaround), so a pattern cannot hang the API server.
import v8 from 'node:v8';

// RE2 never backtracks; V8 does, unless told to fall back to its linear-time engine when a
// match backtracks too much. Process-wide: it covers cel-js's own matches() too.
v8.setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');

const cache = new Map<string, RegExp>();
const CACHE_MAX = 512;

export class RegexError extends Error {
  readonly code = 'CelRegex';
  constructor(message: string) {
    super(message);
    this.name = 'RegexError';
  }
}

/**
 * Compile an RE2 pattern as a global JavaScript RegExp (cached). Throws RegexError.
 * V8's linear-time engine handles neither the `u` nor the `i` flag, so patterns are compiled
 * without them: `(?i)` is spelled out as character classes, and Unicode property classes
 * (`\p{L}`), which need `u`, are refused.
 */
export function compileRe2(pattern: string): RegExp {
  const hit = cache.get(pattern);
  if (hit) {
    hit.lastIndex = 0;
    return hit;
  }
  let source = pattern;
  let flags = 'g';
  let ignoreCase = false;
  // Leading inline flags, as RE2 writes them: (?i), (?s), (?m), (?is)...
  const lead = /^\(\?([imsU]+)\)/.exec(source);
  if (lead?.[1]) {
    for (const f of lead[1]) {
      if (f === 'U') throw new RegexError(`error parsing regexp: unsupported flag U: \`${pattern}\``);
      if (f === 'i') ignoreCase = true;
      else if (!flags.includes(f)) flags += f;
    }
    source = source.slice(lead[0].length);
  }
  if (/\(\?[=!]|\(\?<[=!]/.test(source)) throw new RegexError(`error parsing regexp: invalid or unsupported Perl syntax: \`${pattern}\``);
  if (/(^|[^\\])(\\\\)*\\[1-9]/.test(source)) throw new RegexError(`error parsing regexp: invalid escape sequence: \`${pattern}\``);
  if (/(^|[^\\])(\\\\)*\\[pP]/.test(source)) throw new RegexError(`error parsing regexp: Unicode classes are not supported by skiff: \`${pattern}\``);
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\\z/g, flags.includes('m') ? '(?![\\s\\S])' : '$')
    .replace(/\\A/g, '^');
  if (ignoreCase) source = foldCase(source);
  let re: RegExp;
  try {
    re = new RegExp(source, flags);
  } catch (err) {
    throw new RegexError(`error parsing regexp: ${(err as Error).message}: \`${pattern}\``);
  }
  if (cache.size >= CACHE_MAX) cache.clear();
  cache.set(pattern, re);
  return re;
}

// Each ASCII letter outside escapes becomes both cases: [aA] outside a class, aA inside one.
function foldCase(source: string): string {
  let out = '';
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] ?? '';
    if (c === '\\') {
      out += c + (source[i + 1] ?? '');
      i++;
      continue;
    }
    if (!inClass && source.startsWith('(?<', i)) {
      const end = source.indexOf('>', i);
      if (end > 0) {
        out += source.slice(i, end + 1);
        i = end;
        continue;
      }
    }
    if (c === '[' && !inClass) inClass = true;
    else if (c === ']' && inClass) inClass = false;
    const next = source[i + 2] ?? '';
    if (inClass && /[a-zA-Z]/.test(c) && source[i + 1] === '-' && /[a-zA-Z]/.test(next)) {
      out += `${c.toLowerCase()}-${next.toLowerCase()}${c.toUpperCase()}-${next.toUpperCase()}`;
      i += 2;
      continue;
    }
    const lower = c.toLowerCase();
    const upper = c.toUpperCase();
    if (/[a-zA-Z]/.test(c) && lower !== upper) out += inClass ? lower + upper : `[${lower}${upper}]`;
    else out += c;
  }
  return out;
}
