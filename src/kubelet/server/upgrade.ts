// Upgraded requests for exec, attach and port-forward: WebSocket (channel protocols, or SPDY
// tunneled in it for port-forward) or SPDY/3.1, negotiated as
// k8s.io/apimachinery/pkg/util/httpstream/{wsstream,spdy} do. Everything before the protocol
// switch throws (the server answers with an HTTP error); everything after is handled here.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Engine } from '../../runtime/engine.ts';
import { ContainerNotAvailableError, type PodStreamBackend } from './backend.ts';
import { HttpError } from './http-error.ts';
import { parsePort, servePortForwardSpdy, SPDY_PORTFORWARD_PROTOCOLS } from './portforward/spdy.ts';
import { servePortForwardWebsocket, WS_PORTFORWARD_PROTOCOLS } from './portforward/websocket.ts';
import { runAttachSession, runExecSession } from './remotecommand/session.ts';
import { SPDY_EXEC_PROTOCOLS, spdyStreams } from './remotecommand/spdy.ts';
import { streamOptionsOf, type CommandStreams } from './remotecommand/streams.ts';
import { WS_EXEC_PROTOCOLS, websocketStreams } from './remotecommand/websocket.ts';
import type { StreamRoute } from './routes.ts';
import { SpdyConnection } from './spdy/connection.ts';
import { websocketByteStream } from './spdy/websocket-tunnel.ts';

export interface StreamDeps {
  backend: PodStreamBackend;
  engine: Engine;
  log: Logger;
  signal: AbortSignal;
}

/** How long the client has to open its SPDY streams (kubelet --streaming-connection... default 30 s). */
const STREAM_CREATION_TIMEOUT_MS = 30_000;
const WS_TUNNEL_PROTOCOL = 'SPDY/3.1+portforward.k8s.io';
const CLIENT_CLOSE_GRACE_MS = 10_000;

function closedOrTimeout(conn: SpdyConnection, ms: number): Promise<void> {
  if (conn.closed) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      conn.off('close', done);
      resolve();
    }
    conn.once('close', done);
  });
}

function headerList(v: string | string[] | undefined): string[] {
  const all = Array.isArray(v) ? v : v ? [v] : [];
  return all.flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
}

/** The first protocol the client offers that we speak (client order, as httpstream.Handshake). */
function negotiate(offered: string[], supported: readonly string[]): string | undefined {
  return offered.find((p) => supported.includes(p));
}

function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    // `ws` rejects subprotocols that are not RFC 7230 tokens, and `SPDY/3.1+portforward.k8s.io`
    // has a '/': the protocol is negotiated here, so its header is taken out of the request and
    // the answer added to the 101 response.
    delete req.headers['sec-websocket-protocol'];
    const server = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 64 * 1024 * 1024 });
    server.once('headers', (headers: string[]) => headers.push(`Sec-WebSocket-Protocol: ${protocol}`));
    // A handshake `ws` refuses is answered (400) and closed by it, without the callback.
    const refused = (): void => reject(new HandshakeRefused());
    socket.once('close', refused);
    server.handleUpgrade(req, socket, head, (ws) => {
      socket.off('close', refused);
      resolve(ws);
    });
  });
}

/** The WebSocket handshake was refused and answered; nothing more to write on the socket. */
export class HandshakeRefused extends Error {
  readonly code = 'HandshakeRefused';
  constructor() {
    super('the WebSocket handshake was refused');
    this.name = 'HandshakeRefused';
  }
}

function acceptSpdy(socket: Duplex, head: Buffer, protocol: string): SpdyConnection {
  socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${protocol}\r\n\r\n`);
  if (head.length > 0) socket.unshift(head);
  return new SpdyConnection(socket, { server: true });
}

export async function handleStreamUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, route: Exclude<StreamRoute, { kind: 'logs' }>, query: URLSearchParams, deps: StreamDeps): Promise<void> {
  const upgrade = (req.headers.upgrade ?? '').toLowerCase();
  const isWebSocket = upgrade === 'websocket';
  const isSpdy = upgrade === 'spdy/3.1';
  if (!isWebSocket && !isSpdy) throw new HttpError(400, `unsupported upgrade "${req.headers.upgrade ?? ''}": expected websocket or SPDY/3.1`);
  if (route.kind === 'portForward') return portForward(req, socket, head, route, query, deps, isWebSocket);

  const opts = streamOptionsOf(query);
  if (!opts.stdin && !opts.stdout && !opts.stderr) throw new HttpError(400, 'you must specify at least 1 of stdin, stdout, stderr');
  const command = query.getAll('command');
  if (route.kind === 'exec' && command.length === 0) throw new HttpError(400, 'you must specify a command to execute');
  const c = await deps.backend.resolveContainer(route.namespace, route.pod, route.container);
  if (!c.running) throw new ContainerNotAvailableError(`container ${route.container} is not running in pod ${route.pod}`);
  const log = deps.log.child({ pod: `${route.namespace}/${route.pod}`, container: route.container, op: route.kind });

  let streams: CommandStreams;
  if (isWebSocket) {
    const protocol = negotiate(headerList(req.headers['sec-websocket-protocol']), WS_EXEC_PROTOCOLS);
    if (!protocol) throw new HttpError(400, `requested protocol(s) are not supported: ${JSON.stringify(headerList(req.headers['sec-websocket-protocol']))}; supports ${JSON.stringify(WS_EXEC_PROTOCOLS)}`);
    const ws = await acceptWebSocket(req, socket, head, protocol);
    streams = websocketStreams(ws, opts);
  } else {
    const offered = headerList(req.headers['x-stream-protocol-version']);
    const protocol = negotiate(offered, SPDY_EXEC_PROTOCOLS);
    if (!protocol) throw new HttpError(403, `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(offered)}, server supports ${JSON.stringify(SPDY_EXEC_PROTOCOLS)}`);
    const conn = acceptSpdy(socket, head, protocol);
    try {
      streams = await spdyStreams(conn, opts, STREAM_CREATION_TIMEOUT_MS);
    } catch (err) {
      log.debug({ err }, 'exec streams not created');
      conn.destroy();
      return;
    }
    const run = route.kind === 'exec' ? runExecSession(deps.engine, c.containerId, command, streams, log) : runAttachSession(deps.engine, c.containerId, streams, log);
    await run.catch((err: unknown) => log.warn({ err }, 'stream session failed'));
    // The client closes the connection once it has read every stream to its end. Closing it
    // from here at once can cut frames still queued on the client's side (spdystream drops its
    // frame queues when the connection ends), so the server waits a while first.
    await closedOrTimeout(conn, CLIENT_CLOSE_GRACE_MS);
    await conn.close();
    return;
  }
  const run = route.kind === 'exec' ? runExecSession(deps.engine, c.containerId, command, streams, log) : runAttachSession(deps.engine, c.containerId, streams, log);
  await run.catch((err: unknown) => log.warn({ err }, 'stream session failed'));
}

async function portForward(req: IncomingMessage, socket: Duplex, head: Buffer, route: Extract<StreamRoute, { kind: 'portForward' }>, query: URLSearchParams, deps: StreamDeps, isWebSocket: boolean): Promise<void> {
  const log = deps.log.child({ pod: `${route.namespace}/${route.pod}`, op: 'portforward' });
  const netns = await deps.backend.podNetns(route.namespace, route.pod);
  const c = await deps.backend.resolveContainer(route.namespace, route.pod, undefined).catch(() => undefined);
  const target = { pod: route.pod, uid: route.uid ?? c?.podUid ?? '', netns };
  if (isWebSocket) {
    const offered = headerList(req.headers['sec-websocket-protocol']);
    if (offered.includes(WS_TUNNEL_PROTOCOL)) {
      const ws = await acceptWebSocket(req, socket, head, WS_TUNNEL_PROTOCOL);
      const conn = new SpdyConnection(websocketByteStream(ws), { server: true });
      await servePortForwardSpdy(conn, target, log);
      return;
    }
    const protocol = negotiate(offered, WS_PORTFORWARD_PROTOCOLS);
    if (!protocol) throw new HttpError(400, `requested protocol(s) are not supported: ${JSON.stringify(offered)}; supports ${JSON.stringify([...WS_PORTFORWARD_PROTOCOLS, WS_TUNNEL_PROTOCOL])}`);
    // The API server passes `port` (PortForwardLocation); client-node talking to a kubelet directly, `ports`.
    const ports = [...query.getAll('port'), ...query.getAll('ports')].flatMap((p) => p.split(',')).map((p) => p.trim()).filter(Boolean);
    if (ports.length === 0) throw new HttpError(400, 'query parameter "port" is required');
    const parsed = ports.map((p) => parsePort(p));
    const bad = ports.find((_p, i) => parsed[i] === undefined);
    if (bad !== undefined) throw new HttpError(400, `unable to parse "${bad}" as a port: must be an integer between 1 and 65535`);
    const ws = await acceptWebSocket(req, socket, head, protocol);
    await servePortForwardWebsocket(ws, parsed as number[], target, log);
    return;
  }
  const offered = headerList(req.headers['x-stream-protocol-version']);
  const protocol = negotiate(offered, SPDY_PORTFORWARD_PROTOCOLS);
  if (!protocol) throw new HttpError(403, `unable to upgrade: unable to negotiate protocol: client supports ${JSON.stringify(offered)}, server supports ${JSON.stringify(SPDY_PORTFORWARD_PROTOCOLS)}`);
  const conn = acceptSpdy(socket, head, protocol);
  await servePortForwardSpdy(conn, target, log);
}
