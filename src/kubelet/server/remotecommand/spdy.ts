// exec/attach over SPDY: the client opens one stream per purpose, named by its `streamtype`
// header (error, stdin, stdout, stderr, resize); the server waits for all it expects, then runs
// the command (pkg/kubelet/cri/streaming/remotecommand/httpstream.go, protocol v4).
import type { SpdyConnection, SpdyStream } from '../spdy/connection.ts';
import { parseResize, endWritable } from './websocket.ts';
import { resizeRelay } from './streams.ts';
import type { CommandStreams, StreamOptions, StreamStatus } from './streams.ts';

export const SPDY_EXEC_PROTOCOLS = ['v4.channel.k8s.io'] as const;

export class StreamCreationTimeout extends Error {
  readonly code = 'StreamCreationTimeout';
  constructor(missing: string[]) {
    super(`timed out waiting for client to create streams: ${missing.join(', ')}`);
    this.name = 'StreamCreationTimeout';
  }
}

/** Waits for the client's streams; rejects after `timeoutMs` or when the connection closes. */
export function spdyStreams(conn: SpdyConnection, opts: StreamOptions, timeoutMs: number): Promise<CommandStreams> {
  const expected = new Set<string>(['error']);
  if (opts.stdin) expected.add('stdin');
  if (opts.stdout) expected.add('stdout');
  if (opts.stderr) expected.add('stderr');
  if (opts.tty) expected.add('resize');
  const got = new Map<string, SpdyStream>();
  const gone = new Promise<void>((resolve) => conn.once('close', () => resolve()));
  return new Promise<CommandStreams>((resolve, reject) => {
    const timer = setTimeout(() => {
      conn.off('stream', onStream);
      reject(new StreamCreationTimeout([...expected].filter((t) => !got.has(t))));
    }, timeoutMs);
    void gone.then(() => {
      clearTimeout(timer);
      reject(new Error('the client closed the connection before creating its streams'));
    });
    const onStream = (s: SpdyStream): void => {
      const type = s.header('streamtype') ?? '';
      if (!expected.has(type) || got.has(type)) {
        s.reset();
        return;
      }
      got.set(type, s);
      if (got.size < expected.size) return;
      clearTimeout(timer);
      conn.off('stream', onStream);
      resolve(assemble(got, opts, gone));
    };
    conn.on('stream', onStream);
  });
}

function assemble(got: Map<string, SpdyStream>, opts: StreamOptions, gone: Promise<void>): CommandStreams {
  const errorStream = got.get('error')!;
  const stdin = got.get('stdin');
  const stdout = got.get('stdout');
  const stderr = got.get('stderr');
  const resize = got.get('resize');
  for (const s of got.values()) s.on('error', () => {});
  // The client writes nothing on its output streams and the error stream; drain them so their
  // FIN is seen.
  for (const s of [errorStream, stdout, stderr]) s?.resume();
  const sizes = resizeRelay();
  let pending = '';
  resize?.on('data', (b: Buffer) => {
    pending += b.toString('utf8');
    const cut = pending.lastIndexOf('}');
    if (cut < 0) return;
    for (const s of parseResize(Buffer.from(pending.slice(0, cut + 1)))) {
      sizes.push(s);
    }
    pending = pending.slice(cut + 1);
  });
  return {
    ...(stdin ? { stdin } : {}),
    ...(stdout ? { stdout } : {}),
    ...(stderr ? { stderr } : {}),
    tty: opts.tty,
    onResize: (cb) => sizes.onResize(cb),
    gone,
    async finish(status: StreamStatus): Promise<void> {
      await Promise.all([stdout, stderr].map((w) => (w ? endWritable(w) : Promise.resolve())));
      // v4 always writes the Status; the client takes "Success" as no error.
      if (!errorStream.destroyed) {
        errorStream.write(Buffer.from(JSON.stringify(status)));
        await endWritable(errorStream);
      }
    },
  };
}
