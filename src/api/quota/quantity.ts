// Exact resource quantities for quota arithmetic, the way apimachinery's resource.Quantity adds,
// compares and prints them (k8s.io/apimachinery/pkg/api/resource/quantity.go): values are kept as
// whole nano-units in a bigint, each with the format it was written in (BinarySI for Ki/Mi/…,
// DecimalExponent for e/E, DecimalSI otherwise), and printed in canonical form ("1500m", "1Gi").
import { ERR_FORMAT_WRONG, QuantityParseError } from '../validation/quantity.ts';

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in units of 10^-9. */
  nanos: bigint;
  format: QuantityFormat;
}

const NANO = 1_000_000_000n;
const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/;

export const ZERO: Quantity = { nanos: 0n, format: 'DecimalSI' };

export function quantity(n: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(n) * NANO, format };
}

/** Parses "100m", "1Gi", "1e3", "0.5"; values finer than a nano-unit round up, as Quantity's scale does. */
export function parse(text: string): Quantity {
  const m = SHAPE.exec(text.trim());
  if (!m) throw new QuantityParseError(ERR_FORMAT_WRONG);
  const [, sign = '', whole = '', frac = '', suffix = ''] = m;
  if (whole === '' && frac === '') throw new QuantityParseError(ERR_FORMAT_WRONG);
  let mantissa = BigInt(`${whole || '0'}${frac}`);
  let exp10 = -frac.length + 9;
  let format: QuantityFormat = 'DecimalSI';
  const binary = BINARY[suffix];
  if (binary !== undefined) {
    format = 'BinarySI';
    mantissa <<= BigInt(binary);
  } else if (DECIMAL[suffix] !== undefined) {
    exp10 += DECIMAL[suffix];
  } else {
    const e = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
    if (!e) throw new QuantityParseError(ERR_FORMAT_WRONG);
    format = 'DecimalExponent';
    exp10 += Number(e[1]);
  }
  let nanos: bigint;
  if (exp10 >= 0) nanos = mantissa * 10n ** BigInt(exp10);
  else {
    const div = 10n ** BigInt(-exp10);
    nanos = mantissa / div + (mantissa % div === 0n ? 0n : 1n);
  }
  return { nanos: sign === '-' ? -nanos : nanos, format };
}

/** Parses a JSON value (string or number); undefined when it is not a quantity. */
export function tryParse(value: unknown): Quantity | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? parse(String(value)) : undefined;
  if (typeof value !== 'string') return undefined;
  try {
    return parse(value);
  } catch {
    return undefined;
  }
}

/** The canonical text (Quantity.String / CanonicalizeBytes). */
export function format(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  const neg = q.nanos < 0n;
  const abs = neg ? -q.nanos : q.nanos;
  let fmt = q.format;
  if (fmt === 'BinarySI' && (abs < 1024n * NANO || abs % NANO !== 0n)) fmt = 'DecimalSI';
  let out: string;
  if (fmt === 'BinarySI') {
    let amount = abs / NANO;
    let i = 0;
    while (amount % 1024n === 0n && i < BINARY_SUFFIX.length - 1) {
      amount /= 1024n;
      i++;
    }
    out = `${amount}${BINARY_SUFFIX[i]}`;
  } else {
    let amount = abs;
    let exp = -9;
    while (amount % 10n === 0n) {
      amount /= 10n;
      exp++;
    }
    const rem = ((exp % 3) + 3) % 3;
    amount *= 10n ** BigInt(rem);
    exp -= rem;
    const suffix = fmt === 'DecimalSI' ? DECIMAL_SUFFIX[exp] : undefined;
    out = `${amount}${suffix ?? (exp === 0 ? '' : `e${exp}`)}`;
  }
  return neg ? `-${out}` : out;
}

/** a + b in a's format, or b's when a is zero (Quantity.Add). */
export function add(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export function sub(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

export function cmp(a: Quantity, b: Quantity): number {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

export function max(a: Quantity, b: Quantity): Quantity {
  return cmp(a, b) >= 0 ? a : b;
}

/** Whole units rounded up (Quantity.RoundUp(0)), keeping the format. */
export function roundUpToUnit(q: Quantity): Quantity {
  const r = q.nanos % NANO;
  if (r === 0n) return q;
  return { nanos: q.nanos - r + (q.nanos > 0n ? NANO : 0n), format: q.format };
}

/** The value in milli-units, rounded up (Quantity.MilliValue). */
export function milliValue(q: Quantity): bigint {
  const d = 1_000_000n;
  return q.nanos / d + (q.nanos % d > 0n ? 1n : 0n);
}
