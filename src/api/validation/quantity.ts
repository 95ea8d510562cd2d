// Resource quantities ("128974848", "129e6", "129M", "123Mi", "0.5", "100m"), following the
// grammar of k8s.io/apimachinery/pkg/api/resource/quantity.go:
//   <quantity> ::= <signedNumber><suffix>
//   <suffix>   ::= <binarySI> | <decimalExponent> | <decimalSI>
//   <binarySI> ::= Ki | Mi | Gi | Ti | Pi | Ei
//   <decimalSI> ::= n | u | m | "" | k | M | G | T | P | E
//   <decimalExponent> ::= "e" <signedNumber> | "E" <signedNumber>
// Values are returned as JavaScript numbers: exact for what resource requests use in practice.

export const ERR_FORMAT_WRONG = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";
export const ERR_NUMERIC = 'unable to parse numeric part of quantity';
export const ERR_SUFFIX = "unable to parse quantity's suffix";

export class QuantityParseError extends Error {
  readonly code = 'QuantityParse';
  constructor(message: string) {
    super(message);
    this.name = 'QuantityParseError';
  }
}

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

const SHAPE = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/;

/** Parse a quantity to its numeric value (e.g. "100m" → 0.1, "1Ki" → 1024). Throws QuantityParseError. */
export function parseQuantity(text: string): number {
  const m = SHAPE.exec(text);
  if (!text || !m) throw new QuantityParseError(ERR_FORMAT_WRONG);
  const [, sign = '', whole = '', frac, suffix = ''] = m;
  if (whole === '' && (frac === undefined || frac === '')) throw new QuantityParseError(ERR_FORMAT_WRONG);
  if (!/^[eEinumkKMGTP]*[-+]?[0-9]*$/.test(suffix)) throw new QuantityParseError(ERR_FORMAT_WRONG);
  const digits = `${sign}${whole || '0'}.${frac ?? ''}0`;
  const binary = BINARY[suffix];
  // Scale by a power of ten through the string form, so "100m" is exactly 0.1.
  const value = binary !== undefined ? Number(digits) * binary : Number(`${digits}e${DECIMAL[suffix] ?? decimalExponent(suffix)}`);
  if (!Number.isFinite(value)) throw new QuantityParseError(ERR_NUMERIC);
  return value;
}

function decimalExponent(suffix: string): number {
  const m = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
  if (!m) throw new QuantityParseError(ERR_SUFFIX);
  return Number(m[1]);
}

/** The parsed value, or undefined when the text is not a quantity. */
export function tryParseQuantity(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  try {
    return parseQuantity(value);
  } catch {
    return undefined;
  }
}
