// Durations as upstream's flags take them (Go's time.ParseDuration: "50s", "1m30s", "500ms"), for
// the controller manager's flags that keep upstream's names (--node-monitor-grace-period…).
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in a Go duration given to `flag` (a bare number counts as seconds). */
export function parseDurationFlag(flag: string, value: string): number {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Number(v) * 1000;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/gy;
  let ms = 0;
  let end = 0;
  for (let m = re.exec(v); m; m = re.exec(v)) {
    ms += Number(m[1]) * UNIT_MS[m[2]!]!;
    end = re.lastIndex;
  }
  if (v === '' || end !== v.length) throw new Error(`${flag} "${value}": expected a duration such as 50s, 1m30s or 500ms`);
  return ms;
}
