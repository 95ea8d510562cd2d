// Go-style wording for probe messages: durations as time.Duration prints them and socket errors
// as the net package words them, so probe events read like the ones kubelet records.

/** 1000 → "1s", 1500 → "1.5s", 250 → "250ms", 60000 → "1m0s". */
export function goDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  const totalSeconds = ms / 1000;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds % 3600) / 60);
  const s = Number((totalSeconds % 60).toFixed(9));
  if (h > 0) return `${h}h${m}m${s}s`;
  if (m > 0) return `${m}m${s}s`;
  return `${s}s`;
}

const SYSCALL_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  ECONNRESET: 'read: connection reset by peer',
  EPIPE: 'write: broken pipe',
  ETIMEDOUT: 'i/o timeout',
};

/** `dial tcp 10.42.0.5:80: connect: connection refused` for a failed dial to addr. */
export function dialError(addr: string, err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code ?? '';
  const text = SYSCALL_ERRORS[code] ?? (err instanceof Error ? err.message : String(err));
  return `dial tcp ${addr}: ${text}`;
}

/** host:port with brackets for IPv6, as net.JoinHostPort. */
export function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
