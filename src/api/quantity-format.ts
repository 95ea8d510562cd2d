// Quantities written the way apimachinery's resource.Quantity serializes them (CanonicalizeBytes
// in k8s.io/apimachinery/pkg/api/resource/quantity.go): metrics-server builds CPU as
// NewScaledQuantity(nanocores, Nano) — decimal SI — and memory as NewQuantity(bytes, BinarySI).

const DECIMAL_SUFFIXES: Record<number, string> = { [-9]: 'n', [-6]: 'u', [-3]: 'm', 0: '', 3: 'k', 6: 'M', 9: 'G', 12: 'T', 15: 'P', 18: 'E' };
const BINARY_SUFFIXES = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** value × 10^scale in canonical decimal SI form: trailing zeros folded into the suffix. */
export function formatDecimalSI(value: number, scale: number): string {
  if (!Number.isSafeInteger(value)) throw new RangeError(`not a safe integer: ${value}`);
  if (value === 0) return '0';
  let amount = value;
  let exponent = scale;
  while (amount % 10 === 0) {
    amount /= 10;
    exponent += 1;
  }
  // The exponent goes down to a multiple of 3, as int64Amount.AsCanonicalBytes does.
  const rem = ((exponent % 3) + 3) % 3;
  amount *= 10 ** rem;
  exponent -= rem;
  const suffix = DECIMAL_SUFFIXES[exponent];
  return suffix === undefined ? `${amount}e${exponent}` : `${amount}${suffix}`;
}

/** CPU in nanocores, e.g. 1234567 → "1234567n", 250000000 → "250m". */
export function formatNanoCores(nanoCores: number): string {
  return formatDecimalSI(Math.max(0, Math.round(nanoCores)), -9);
}

/** Bytes in binary SI form, e.g. 4096000 → "4000Ki"; under 1024 (or not whole) in decimal form. */
export function formatBytes(bytes: number): string {
  const value = Math.max(0, Math.round(bytes));
  if (value < 1024) return formatDecimalSI(value, 0);
  let amount = value;
  let exponent = 0;
  while (amount % 1024 === 0 && exponent < BINARY_SUFFIXES.length - 1) {
    amount /= 1024;
    exponent += 1;
  }
  return `${amount}${BINARY_SUFFIXES[exponent]}`;
}

/** A duration as Go's time.Duration.String() prints it for whole and fractional seconds ("10s", "1m30s", "1.5s"). */
export function formatGoDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms < 1000) return `${ms}ms`;
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = (ms % 60_000) / 1000;
  const sec = `${Number.isInteger(s) ? s : s.toFixed(3).replace(/0+$/, '')}s`;
  if (h > 0) return `${h}h${m}m${sec}`;
  if (m > 0) return `${m}m${sec}`;
  return sec;
}
