// tcpSocket probes, as pkg/probe/tcp/tcp.go: success when a TCP connection opens within the
// timeout; any dial error is a failure quoting it.
import { connect } from 'node:net';
import { dialError, joinHostPort } from './go-format.ts';
import type { ProbeOutcome } from './types.ts';

export function tcpProbe(host: string, port: number, timeoutMs: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const timer = setTimeout(() => {
      socket.destroy();
      resolve({ result: 'failure', message: `dial tcp ${addr}: i/o timeout` });
    }, timeoutMs);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ result: 'success', message: '' });
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ result: 'failure', message: dialError(addr, err) });
    });
  });
}
