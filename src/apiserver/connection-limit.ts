// A cap on the connections one client address holds open at once, counted at accept, before the
// TLS handshake: a single peer cannot take every socket and file descriptor the server has.
import type { Server, Socket } from 'node:net';

/**
 * Close connections from an address that already holds `max` (0: no limit); `onRefused` hears of
 * each one closed. Returns the live count per address, for tests and metrics.
 */
export function limitConnectionsPerClient(server: Server, max: number, onRefused: (address: string) => void): ReadonlyMap<string, number> {
  const open = new Map<string, number>();
  if (max <= 0) return open;
  server.on('connection', (socket: Socket) => {
    const addr = socket.remoteAddress ?? '';
    const n = open.get(addr) ?? 0;
    if (n >= max) {
      socket.destroy();
      onRefused(addr);
      return;
    }
    open.set(addr, n + 1);
    socket.once('close', () => {
      const left = (open.get(addr) ?? 1) - 1;
      if (left <= 0) open.delete(addr);
      else open.set(addr, left);
    });
  });
  return open;
}
