// Parsing of flag values shared by several commands (kept apart from the components they start,
// so a command loads those only when it runs).

/** Parses `--listen ADDR:PORT` (IPv6 in brackets). */
export function parseListen(listen: string): { host: string; port: number } {
  const m = /^(\[[^\]]+\]|[^:]+):(\d{1,5})$/.exec(listen);
  const port = Number(m?.[2]);
  if (!m || port > 65535) throw new Error(`--listen "${listen}": expected ADDRESS:PORT, e.g. 127.0.0.1:6443`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
}

/** Parses a positive number of seconds given to `flag`. */
export function parseSeconds(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${flag} "${value}": expected a number of seconds`);
  return n;
}
