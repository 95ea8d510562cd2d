// Port-forward over SPDY (portforward.k8s.io): per forwarded connection the client opens an
// error stream and a data stream with the same `requestid` and a `port` header; the server
// relays the data stream and reports failures as text on the error stream
// (pkg/kubelet/cri/streaming/portforward/httpstream.go).
import type { Logger } from 'pino';
import type { SpdyConnection, SpdyStream } from '../spdy/connection.ts';
import { endWritable } from '../remotecommand/websocket.ts';
import { forwardPort } from './relay.ts';

export const SPDY_PORTFORWARD_PROTOCOLS = ['portforward.k8s.io'] as const;

export interface PortForwardTarget {
  pod: string;
  uid: string;
  netns: string;
}

export function parsePort(value: string | undefined): number | undefined {
  if (!value || !/^\d{1,5}$/.test(value)) return undefined;
  const n = Number(value);
  return n >= 1 && n <= 65535 ? n : undefined;
}

export function servePortForwardSpdy(conn: SpdyConnection, target: PortForwardTarget, log: Logger): Promise<void> {
  const ac = new AbortController();
  const pairs = new Map<string, { data?: SpdyStream; error?: SpdyStream }>();
  const running = new Set<Promise<void>>();
  let anonymous = 0;
  conn.on('stream', (s: SpdyStream) => {
    s.on('error', () => {});
    const type = s.header('streamtype');
    // Clients before requestID existed sent one pair at a time.
    const id = s.header('requestid') ?? `anon-${type === 'error' ? ++anonymous : anonymous}`;
    if (type !== 'data' && type !== 'error') {
      s.reset();
      return;
    }
    const pair = pairs.get(id) ?? {};
    if (pair[type]) {
      s.reset();
      return;
    }
    pair[type] = s;
    pairs.set(id, pair);
    if (!pair.data || !pair.error) return;
    pairs.delete(id);
    const p = forwardPair(pair.data, pair.error, target, ac.signal, log);
    running.add(p);
    void p.finally(() => running.delete(p));
  });
  return new Promise((resolve) => {
    conn.once('close', () => {
      ac.abort();
      void Promise.allSettled([...running]).then(() => resolve());
    });
  });
}

async function forwardPair(data: SpdyStream, error: SpdyStream, target: PortForwardTarget, signal: AbortSignal, log: Logger): Promise<void> {
  error.resume(); // the client writes nothing on it; reading lets its FIN through
  const portHeader = data.header('port');
  const port = parsePort(portHeader);
  let message: string | undefined;
  if (port === undefined) message = `unable to parse "${portHeader ?? ''}" as a port: must be an integer between 1 and 65535`;
  else {
    const failure = await forwardPort({ netns: target.netns, port }, data, data, signal);
    if (failure) message = `error forwarding port ${port} to pod ${target.pod}, uid ${target.uid}: ${failure}`;
  }
  if (message) {
    log.debug({ pod: target.pod, port }, message);
    if (!error.destroyed) error.write(message);
  }
  await Promise.all([endWritable(data), endWritable(error)]);
}
