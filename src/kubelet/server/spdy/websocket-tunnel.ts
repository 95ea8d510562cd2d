// A byte stream carried in WebSocket binary messages, for SPDY tunneled through a WebSocket
// (subprotocol `SPDY/3.1+portforward.k8s.io`, kubectl 1.31+; the client side is
// k8s.io/client-go/tools/portforward/tunneling_connection.go): each message holds raw bytes of
// the SPDY byte stream, with no channel byte.
import { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';

export function websocketByteStream(ws: WebSocket): Duplex {
  const d = new Duplex({
    write(chunk: Buffer, _enc, cb): void {
      if (ws.readyState !== ws.OPEN) {
        cb(new Error('the WebSocket is closed'));
        return;
      }
      ws.send(chunk, { binary: true }, (err) => cb(err ?? null));
    },
    final(cb): void {
      if (ws.readyState === ws.OPEN) ws.close(1000);
      cb();
    },
    read(): void {
      ws.resume();
    },
    destroy(err, cb): void {
      if (ws.readyState === ws.OPEN || ws.readyState === ws.CONNECTING) ws.terminate();
      cb(err);
    },
  });
  ws.on('message', (data: Buffer, isBinary: boolean) => {
    if (!isBinary) return;
    if (!d.push(data)) ws.pause();
  });
  ws.on('close', () => {
    d.push(null);
    d.destroy();
  });
  ws.on('error', (err) => d.destroy(err));
  return d;
}
