// Port-forward over a WebSocket (v4.channel.k8s.io, what @kubernetes/client-node's PortForward
// speaks): for the i-th port of `?ports=`, channel 2i carries data both ways and channel 2i+1
// errors from the server; the server's first message on each channel is the port as 2 bytes,
// little endian (pkg/kubelet/cri/streaming/portforward/websocket.go). The forwarded connections
// are opened at once, one per port.
import { PassThrough, Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { RawData, WebSocket } from 'ws';
import { decodeChannelFrame } from '../remotecommand/channel-frame.ts';
import { sendChannel } from '../remotecommand/websocket.ts';
import { forwardPort } from './relay.ts';
import type { PortForwardTarget } from './spdy.ts';

export const WS_PORTFORWARD_PROTOCOLS = ['v4.channel.k8s.io'] as const;

export async function servePortForwardWebsocket(ws: WebSocket, ports: number[], target: PortForwardTarget, log: Logger): Promise<void> {
  const ac = new AbortController();
  ws.once('close', () => ac.abort());
  ws.on('error', () => {});
  const inputs = ports.map(() => new PassThrough());
  ws.on('message', (raw: RawData) => {
    // Text messages count too, read as their UTF-8 bytes (see channel-frame.ts).
    const frame = decodeChannelFrame(raw);
    if (frame && frame.channel % 2 === 0) inputs[frame.channel / 2]?.write(frame.data);
  });
  ws.once('close', () => { for (const i of inputs) i.end(); });
  for (let i = 0; i < ports.length; i++) {
    const portBytes = Buffer.alloc(2);
    portBytes.writeUInt16LE(ports[i]!);
    await sendChannel(ws, 2 * i, portBytes);
    await sendChannel(ws, 2 * i + 1, portBytes);
  }
  await Promise.all(ports.map(async (port, i) => {
    const output = new Writable({
      write(chunk: Buffer, _enc, cb): void {
        sendChannel(ws, 2 * i, chunk).then(() => cb(), (err: Error) => cb(err));
      },
    });
    output.on('error', () => {});
    const failure = await forwardPort({ netns: target.netns, port }, inputs[i]!, output, ac.signal);
    if (failure) {
      const message = `error forwarding port ${port} to pod ${target.pod}, uid ${target.uid}: ${failure}`;
      log.debug({ pod: target.pod, port }, message);
      await sendChannel(ws, 2 * i + 1, Buffer.from(message)).catch(() => undefined);
    }
  }));
  if (ws.readyState === ws.OPEN) ws.close(1000);
}
