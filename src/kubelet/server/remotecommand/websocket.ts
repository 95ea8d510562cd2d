// exec/attach over a WebSocket: every message (binary, or text as its UTF-8 bytes) starts with a channel byte (0 stdin,
// 1 stdout, 2 stderr, 3 error/status, 4 resize; v5 adds 255 "close channel"), as in
// k8s.io/apimachinery/pkg/util/httpstream/wsstream/conn.go and the kubelet's
// pkg/kubelet/cri/streaming/remotecommand/websocket.go.
import { PassThrough, Writable } from 'node:stream';
import type { RawData, WebSocket } from 'ws';
import { decodeChannelFrame } from './channel-frame.ts';
import { resizeRelay } from './streams.ts';
import type { CommandStreams, StreamOptions, StreamStatus, TerminalSize } from './streams.ts';

export const WS_EXEC_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

const STDIN = 0;
const STDOUT = 1;
const STDERR = 2;
const ERROR = 3;
const RESIZE = 4;
const CLOSE = 255;

export function sendChannel(ws: WebSocket, channel: number, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (ws.readyState !== ws.OPEN) {
      reject(new Error('the WebSocket is closed'));
      return;
    }
    ws.send(Buffer.concat([Buffer.from([channel]), data]), { binary: true }, (err) => (err ? reject(err) : resolve()));
  });
}

function channelWriter(ws: WebSocket, channel: number): Writable {
  return new Writable({
    write(chunk: Buffer, _enc, cb): void {
      sendChannel(ws, channel, chunk).then(() => cb(), (err: Error) => cb(err));
    },
  });
}

export function parseResize(data: Buffer): TerminalSize[] {
  // The client writes JSON objects one after another ({"Width":80,"Height":24}).
  const out: TerminalSize[] = [];
  for (const m of data.toString('utf8').matchAll(/\{[^{}]*\}/g)) {
    try {
      const o = JSON.parse(m[0]) as { Width?: unknown; Height?: unknown };
      if (typeof o.Width === 'number' && typeof o.Height === 'number') out.push({ width: o.Width, height: o.Height });
    } catch {
      // a malformed size is ignored, as the kubelet's decoder loop gives up on it
    }
  }
  return out;
}

export function websocketStreams(ws: WebSocket, opts: StreamOptions): CommandStreams {
  const stdin = opts.stdin ? new PassThrough() : undefined;
  const stdout = opts.stdout ? channelWriter(ws, STDOUT) : undefined;
  const stderr = opts.stderr ? channelWriter(ws, STDERR) : undefined;
  const gone = new Promise<void>((resolve) => ws.once('close', () => resolve()));
  const sizes = resizeRelay();
  ws.on('message', (raw: RawData) => {
    const frame = decodeChannelFrame(raw);
    if (!frame) return;
    const { channel, data: body } = frame;
    if (channel === STDIN) stdin?.write(body);
    else if (channel === RESIZE) {
      for (const s of parseResize(body)) {
        sizes.push(s);
      }
    } else if (channel === CLOSE && body[0] === STDIN) stdin?.end();
  });
  ws.on('error', () => {});
  void gone.then(() => stdin?.end());
  return {
    ...(stdin ? { stdin } : {}),
    ...(stdout ? { stdout } : {}),
    ...(stderr ? { stderr } : {}),
    tty: opts.tty,
    onResize: (cb) => sizes.onResize(cb),
    gone,
    async finish(status: StreamStatus): Promise<void> {
      await Promise.all([stdout, stderr].map((w) => (w ? endWritable(w) : Promise.resolve())));
      await sendChannel(ws, ERROR, Buffer.from(JSON.stringify(status))).catch(() => undefined);
      ws.close(1000);
    },
  };
}

export function endWritable(w: Writable): Promise<void> {
  return new Promise((resolve) => {
    if (w.writableFinished || w.destroyed) {
      resolve();
      return;
    }
    w.once('finish', () => resolve());
    w.once('error', () => resolve());
    w.once('close', () => resolve());
    w.end();
  });
}
