// Kubernetes' CEL libraries (k8s.io/apiserver/pkg/cel/library: lists.go, regex.go, urls.go,
// quantity.go) and the cel-go string extensions Kubernetes enables (ext.Strings), registered
// on a cel-js Environment. cel-js already provides the core (size, matches, startsWith,
// contains, timestamps, durations, macros, optionals) and part of the string extensions
// (indexOf, lastIndexOf, lowerAscii, upperAscii, trim, substring, split, join).
import { Optional, type Environment } from '@marcbachmann/cel-js';
import { Duration, UnsignedInt } from '@marcbachmann/cel-js/evaluator';
import { parseQuantity } from '../api/validation/quantity.ts';
import { charge } from './cost.ts';
import { compileRe2 } from './re2.ts';
import { celTypeName } from './values.ts';

/** An error a library function raises; cel-js reports it as an evaluation error. */
export class CelFunctionError extends Error {
  readonly code = 'CelFunction';
  constructor(message: string) {
    super(message);
    this.name = 'CelFunctionError';
  }
}

// ---------------------------------------------------------------------------------------------
// Equality and ordering, as CEL defines them (numbers compare across int, uint and double).

function num(v: unknown): number | bigint | undefined {
  if (typeof v === 'bigint' || typeof v === 'number') return v;
  if (v instanceof UnsignedInt) return v.value;
  return undefined;
}

/** CEL's heterogeneous equality. */
export function celEquals(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  const na = num(a);
  const nb = num(b);
  if (na !== undefined && nb !== undefined) return na == nb; // bigint == number is CEL's numeric equality
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => celEquals(v, b[i]));
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof Duration && b instanceof Duration) return a.seconds === b.seconds && a.nanos === b.nanos;
  if (a instanceof Quantity && b instanceof Quantity) return a.value === b.value;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return Buffer.from(a).equals(Buffer.from(b));
  if (a instanceof Optional && b instanceof Optional) return a.hasValue() === b.hasValue() && (!a.hasValue() || celEquals(a.value(), b.value()));
  const ea = entries(a);
  const eb = entries(b);
  if (!ea || !eb || ea.size !== eb.size) return false;
  for (const [k, v] of ea) {
    if (!eb.has(k) || !celEquals(v, eb.get(k))) return false;
  }
  return true;
}

function entries(v: object): Map<unknown, unknown> | undefined {
  if (v instanceof Map) return v;
  const ctor = (v as { constructor?: unknown }).constructor;
  if (ctor !== Object && ctor !== undefined) return undefined;
  return new Map(Object.entries(v));
}

function compare(a: unknown, b: unknown): number {
  const na = num(a);
  const nb = num(b);
  if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return Number(a) - Number(b);
  if ((a instanceof Date && b instanceof Date) || (a instanceof Duration && b instanceof Duration)) {
    return Math.sign(a.valueOf() - b.valueOf());
  }
  if (a instanceof Quantity && b instanceof Quantity) return Math.sign(a.value - b.value);
  throw new CelFunctionError(`no such overload: ${celTypeName(a)} < ${celTypeName(b)}`);
}

function list(v: unknown): unknown[] {
  if (Array.isArray(v)) return v;
  if (v instanceof Set) return [...v];
  throw new CelFunctionError(`no such overload: expected list, got ${celTypeName(v)}`);
}

// ---------------------------------------------------------------------------------------------
// lists.go

function registerLists(env: Environment): void {
  env.registerFunction('list<A>.isSorted(): bool', (l: unknown) => {
    const items = list(l);
    charge(items.length);
    for (let i = 1; i < items.length; i++) if (compare(items[i - 1], items[i]) > 0) return false;
    return true;
  });
  env.registerFunction('list<A>.sum(): A', (l: unknown) => {
    const items = list(l);
    charge(items.length);
    return sum(items);
  });
  env.registerFunction('list<A>.min(): A', (l: unknown) => extreme(list(l), 'min', -1));
  env.registerFunction('list<A>.max(): A', (l: unknown) => extreme(list(l), 'max', 1));
  env.registerFunction('list<A>.indexOf(A): int', (l: unknown, x: unknown) => {
    const items = list(l);
    charge(items.length);
    return BigInt(items.findIndex((v) => celEquals(v, x)));
  });
  env.registerFunction('list<A>.lastIndexOf(A): int', (l: unknown, x: unknown) => {
    const items = list(l);
    charge(items.length);
    return BigInt(items.findLastIndex((v) => celEquals(v, x)));
  });
}

function sum(items: unknown[]): unknown {
  if (items.length === 0) return 0n;
  let acc: unknown = items[0];
  for (const v of items.slice(1)) {
    if (typeof acc === 'bigint' && typeof v === 'bigint') acc = acc + v;
    else if (typeof acc === 'number' && typeof v === 'number') acc = acc + v;
    else if (acc instanceof UnsignedInt && v instanceof UnsignedInt) acc = new UnsignedInt(acc.value + v.value);
    else if (acc instanceof Duration && v instanceof Duration) acc = acc.addDuration(v);
    else throw new CelFunctionError(`no such overload: ${celTypeName(acc)} + ${celTypeName(v)}`);
  }
  return acc;
}

function extreme(items: unknown[], name: string, sign: number): unknown {
  if (items.length === 0) throw new CelFunctionError(`${name} called on empty list`);
  charge(items.length);
  let best = items[0];
  for (const v of items.slice(1)) if (compare(v, best) * sign > 0) best = v;
  return best;
}

// ---------------------------------------------------------------------------------------------
// cel-go ext/strings.go (the functions cel-js lacks)

function registerStrings(env: Environment): void {
  env.registerFunction('string.charAt(int): string', (s: string, i: bigint) => {
    const chars = [...s];
    if (i < 0n || i > BigInt(chars.length)) throw new CelFunctionError(`index out of range: ${i}`);
    return chars[Number(i)] ?? '';
  });
  env.registerFunction('string.replace(string, string): string', (s: string, from: string, to: string) => {
    charge(Math.ceil(s.length / 10));
    return s.split(from).join(to);
  });
  env.registerFunction('string.replace(string, string, int): string', (s: string, from: string, to: string, n: bigint) => {
    charge(Math.ceil(s.length / 10));
    if (n < 0n) return s.split(from).join(to);
    let out = '';
    let rest = s;
    for (let i = 0n; i < n; i++) {
      const at = rest.indexOf(from);
      if (at < 0) break;
      out += rest.slice(0, at) + to;
      // An empty search string matches between characters, as Go's strings.Replace.
      const step = from === '' ? 1 : 0;
      out += rest.slice(at, at + step);
      rest = rest.slice(at + from.length + step);
    }
    return out + rest;
  });
  env.registerFunction('string.reverse(): string', (s: string) => [...s].reverse().join(''));
  env.registerFunction('string.format(list): string', (s: string, args: unknown[]) => format(s, list(args)));
}

function format(template: string, args: unknown[]): string {
  charge(Math.ceil(template.length / 10) + args.length);
  let out = '';
  let argi = 0;
  for (let i = 0; i < template.length; i++) {
    const c = template[i];
    if (c !== '%') {
      out += c;
      continue;
    }
    const m = /^(?:\.(\d+))?([sdfebxXo%])/.exec(template.slice(i + 1));
    if (!m) throw new CelFunctionError(`could not parse formatting clause: unrecognized formatting clause "${template.slice(i + 1, i + 2)}"`);
    i += m[0].length;
    const verb = m[2];
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (argi >= args.length) throw new CelFunctionError(`index ${argi} out of range`);
    const arg = args[argi++];
    const precision = m[1] === undefined ? undefined : Number(m[1]);
    out += formatOne(verb ?? 's', arg, precision);
  }
  return out;
}

function formatOne(verb: string, arg: unknown, precision: number | undefined): string {
  const n = num(arg);
  switch (verb) {
    case 's':
      return formatString(arg);
    case 'd':
      if (typeof n === 'bigint') return n.toString();
      throw new CelFunctionError(`error during formatting: decimal clause can only be used on integers, was given ${celTypeName(arg)}`);
    case 'f':
    case 'e': {
      if (n === undefined) throw new CelFunctionError(`error during formatting: fixed-point clause can only be used on doubles, was given ${celTypeName(arg)}`);
      const d = Number(n);
      return verb === 'f' ? d.toFixed(precision ?? 6) : d.toExponential(precision ?? 6).replace(/e([+-])(\d)$/, 'e$10$2');
    }
    case 'b':
    case 'o':
    case 'x':
    case 'X': {
      const radix = verb === 'b' ? 2 : verb === 'o' ? 8 : 16;
      let text: string;
      if (n !== undefined && typeof n === 'bigint') text = n.toString(radix);
      else if (typeof arg === 'string' && radix === 16) text = Buffer.from(arg).toString('hex');
      else if (arg instanceof Uint8Array && radix === 16) text = Buffer.from(arg).toString('hex');
      else throw new CelFunctionError(`error during formatting: only integers, byte buffers, and strings can be formatted as hex, was given ${celTypeName(arg)}`);
      return verb === 'X' ? text.toUpperCase() : text;
    }
    default:
      return formatString(arg);
  }
}

function formatString(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return Number.isInteger(v) ? `${v}` : String(v);
  if (Array.isArray(v)) return `[${v.map(formatString).join(', ')}]`;
  if (v instanceof Date) return v.toISOString().replace(/\.000Z$/, 'Z');
  if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
  const e = typeof v === 'object' ? entries(v) : undefined;
  if (e) {
    const parts = [...e].map(([k, x]) => [formatString(k), formatString(x)] as const).sort((a, b) => (a[0] < b[0] ? -1 : 1));
    return `{${parts.map(([k, x]) => `${k}: ${x}`).join(', ')}}`;
  }
  return String(v);
}

// ---------------------------------------------------------------------------------------------
// regex.go

function registerRegex(env: Environment): void {
  env.registerFunction('string.find(string): string', (s: string, pattern: string) => {
    charge(Math.ceil(s.length / 10));
    const m = compileRe2(pattern).exec(s);
    return m ? m[0] : '';
  });
  env.registerFunction('string.findAll(string): list<string>', (s: string, pattern: string) => findAll(s, pattern, -1n));
  env.registerFunction('string.findAll(string, int): list<string>', (s: string, pattern: string, n: bigint) => findAll(s, pattern, n));
}

function findAll(s: string, pattern: string, limit: bigint): string[] {
  charge(Math.ceil(s.length / 10));
  if (limit === 0n) return [];
  const re = compileRe2(pattern);
  const out: string[] = [];
  for (const m of s.matchAll(re)) {
    out.push(m[0]);
    if (limit > 0n && BigInt(out.length) >= limit) break;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// urls.go: url(), isURL() and the URL accessors; parsing follows Go's url.ParseRequestURI
// (an absolute URL or an absolute path; no fragment).

export class CelURL {
  readonly scheme: string;
  readonly host: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly opaque: string;
  readonly text: string;
  constructor(text: string, scheme: string, host: string, path: string, rawQuery: string, opaque: string) {
    this.text = text;
    this.scheme = scheme;
    this.host = host;
    this.path = path;
    this.rawQuery = rawQuery;
    this.opaque = opaque;
  }
  toString(): string {
    return this.text;
  }
}

export function parseRequestURI(text: string): CelURL {
  const bad = (why: string): never => {
    throw new CelFunctionError(`URL parse error during conversion from string: parse "${text}": ${why}`);
  };
  if (text === '') bad('empty url');
  // eslint-disable-next-line no-control-regex -- Go refuses control characters in URLs
  if (/[\x00-\x1f\x7f ]/.test(text)) bad('invalid character in URL');
  let rest = text;
  let rawQuery = '';
  const q = rest.indexOf('?');
  if (q >= 0) {
    rawQuery = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  let scheme = '';
  const sm = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(rest);
  if (sm?.[1]) {
    scheme = sm[1].toLowerCase();
    rest = rest.slice(sm[0].length);
  } else if (/^[^/]*:/.test(rest)) {
    bad('missing protocol scheme');
  }
  if (!scheme && !rest.startsWith('/')) bad('invalid URI for request');
  let host = '';
  if (rest.startsWith('//')) {
    rest = rest.slice(2);
    const slash = rest.indexOf('/');
    let authority = slash >= 0 ? rest.slice(0, slash) : rest;
    rest = slash >= 0 ? rest.slice(slash) : '';
    const at = authority.lastIndexOf('@');
    if (at >= 0) authority = authority.slice(at + 1);
    host = authority;
    if (/^\[/.test(host) && !/^\[[0-9a-fA-F:.%]+\](:\d*)?$/.test(host)) bad(`invalid host "${host}"`);
    const port = /:([^:\]]*)$/.exec(host);
    if (port && !/^\[/.test(host) && !/^\d*$/.test(port[1] ?? '')) bad(`invalid port ":${port[1]}" after host`);
  } else if (scheme && !rest.startsWith('/')) {
    return new CelURL(text, scheme, '', '', rawQuery, rest);
  }
  let path: string;
  try {
    path = decodeURIComponent(rest);
  } catch {
    return bad(`invalid URL escape`);
  }
  return new CelURL(text, scheme, host, path, rawQuery, '');
}

function registerUrls(env: Environment): void {
  env.registerType('URL', CelURL);
  env.registerFunction('url(string): URL', (s: string) => parseRequestURI(s));
  env.registerFunction('isURL(string): bool', (s: string) => {
    try {
      parseRequestURI(s);
      return true;
    } catch {
      return false;
    }
  });
  env.registerFunction('URL.getScheme(): string', (u: CelURL) => u.scheme);
  env.registerFunction('URL.getHost(): string', (u: CelURL) => u.host);
  env.registerFunction('URL.getHostname(): string', (u: CelURL) => hostname(u.host));
  env.registerFunction('URL.getPort(): string', (u: CelURL) => port(u.host));
  env.registerFunction('URL.getEscapedPath(): string', (u: CelURL) => escapePath(u.path));
  env.registerFunction('URL.getQuery(): map<string, list<string>>', (u: CelURL) => parseQuery(u.rawQuery));
}

function hostname(host: string): string {
  if (host.startsWith('[')) {
    const end = host.indexOf(']');
    return end >= 0 ? host.slice(1, end) : host;
  }
  const colon = host.lastIndexOf(':');
  return colon >= 0 ? host.slice(0, colon) : host;
}

function port(host: string): string {
  const m = host.startsWith('[') ? /\]:(\d*)$/.exec(host) : /:(\d*)$/.exec(host);
  return m?.[1] ?? '';
}

function escapePath(path: string): string {
  // Go escapes what a path segment may not hold and keeps sub-delims and '/'.
  return path.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/]/gu, (c) => encodeURIComponent(c));
}

function parseQuery(raw: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!raw) return out;
  for (const part of raw.split('&')) {
    if (!part || part.includes(';')) continue;
    const eq = part.indexOf('=');
    const dec = (s: string): string | undefined => {
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return undefined;
      }
    };
    const k = dec(eq >= 0 ? part.slice(0, eq) : part);
    const v = dec(eq >= 0 ? part.slice(eq + 1) : '');
    if (k === undefined || v === undefined) continue;
    const vals = out.get(k);
    if (vals) vals.push(v);
    else out.set(k, [v]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// quantity.go

/** A resource quantity in CEL (`quantity("100m")`), compared by value. */
export class Quantity {
  readonly text: string;
  readonly value: number;
  constructor(text: string, value: number) {
    this.text = text;
    this.value = value;
  }
  toString(): string {
    return this.text;
  }
}

function quantityOf(s: string): Quantity {
  try {
    return new Quantity(s, parseQuantity(s));
  } catch (err) {
    throw new CelFunctionError((err as Error).message);
  }
}

function fromNumber(v: number): Quantity {
  return new Quantity(Number.isInteger(v) ? `${v}` : `${v}`, v);
}

const INT64_LIMIT = 2 ** 63;

function registerQuantity(env: Environment): void {
  env.registerType('Quantity', Quantity);
  env.registerFunction('quantity(string): Quantity', (s: string) => quantityOf(s));
  env.registerFunction('isQuantity(string): bool', (s: string) => {
    try {
      parseQuantity(s);
      return true;
    } catch {
      return false;
    }
  });
  env.registerFunction('Quantity.isInteger(): bool', (q: Quantity) => Number.isInteger(q.value) && Math.abs(q.value) < INT64_LIMIT);
  env.registerFunction('Quantity.asInteger(): int', (q: Quantity) => {
    if (!Number.isInteger(q.value) || Math.abs(q.value) >= INT64_LIMIT) throw new CelFunctionError('cannot convert value to integer');
    return BigInt(q.value);
  });
  env.registerFunction('Quantity.asApproximateFloat(): double', (q: Quantity) => q.value);
  env.registerFunction('Quantity.sign(): int', (q: Quantity) => BigInt(Math.sign(q.value)));
  env.registerFunction('Quantity.add(Quantity): Quantity', (a: Quantity, b: Quantity) => fromNumber(a.value + b.value));
  env.registerFunction('Quantity.add(int): Quantity', (a: Quantity, b: bigint) => fromNumber(a.value + Number(b)));
  env.registerFunction('Quantity.sub(Quantity): Quantity', (a: Quantity, b: Quantity) => fromNumber(a.value - b.value));
  env.registerFunction('Quantity.sub(int): Quantity', (a: Quantity, b: bigint) => fromNumber(a.value - Number(b)));
  env.registerFunction('Quantity.isLessThan(Quantity): bool', (a: Quantity, b: Quantity) => a.value < b.value);
  env.registerFunction('Quantity.isGreaterThan(Quantity): bool', (a: Quantity, b: Quantity) => a.value > b.value);
  env.registerFunction('Quantity.compareTo(Quantity): int', (a: Quantity, b: Quantity) => BigInt(Math.sign(a.value - b.value)));
  env.registerOperator('Quantity == Quantity', (a: Quantity, b: Quantity) => a.value === b.value);
}

/** Register every library above on `env`. */
export function registerKubernetesLibraries(env: Environment): void {
  registerLists(env);
  registerStrings(env);
  registerRegex(env);
  registerUrls(env);
  registerQuantity(env);
}
