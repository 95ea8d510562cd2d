// The Ingress controller's data path: HTTP and HTTPS servers that look each request up in the
// Router and forward it straight to a ready endpoint of the backend Service (pod IPs are
// reachable from the node, so nothing here depends on the service proxy). Upgrades (WebSocket)
// are forwarded as a request, and once the backend answers 101 the two sockets are piped.
// Headers as an edge proxy sets them (ingress-nginx's defaults): X-Forwarded-For and X-Real-IP
// are the client's address, not what the client claims, plus X-Forwarded-Proto/-Host/-Port.
import { Agent, createServer as createHttpServer, request, type IncomingHttpHeaders, type IncomingMessage, type OutgoingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { createSecureContext, type SecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import { requestHost, requestPath } from './match.ts';
import type { Endpoint, Router, Upstream } from './router.ts';

export interface IngressProxyOptions {
  router: Router;
  /** The certificate served when no Ingress's TLS Secret covers the server name. */
  defaultCert: { certPem: string; keyPem: string };
  /** How long connecting to an endpoint may take (nginx's proxy_connect_timeout: 5 s). */
  connectTimeoutMs?: number;
  /** How long a backend may stay silent (nginx's proxy_read_timeout: 60 s). */
  readTimeoutMs?: number;
  onError?: (msg: string, fields: Record<string, unknown>) => void;
}

type Proto = 'http' | 'https';

// Hop-by-hop headers (RFC 9110 section 7.6.1) are for one connection, never forwarded.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
// Set by the proxy itself: what a client sends under these names is not trusted.
const OWN = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-real-ip']);
// A request without a body may be sent to another endpoint when the first cannot be reached.
const MAX_ATTEMPTS = 3;

class ProxyError extends Error {
  readonly status: number;
  /** The backend never saw the request (it timed out connecting). */
  readonly beforeConnect: boolean;
  constructor(status: number, message: string, beforeConnect = false) {
    super(message);
    this.status = status;
    this.beforeConnect = beforeConnect;
  }
}

// Errors that mean the request never reached the backend.
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EHOSTDOWN']);
// Methods that may not be sent twice once the backend may have seen them (nginx's
// proxy_next_upstream leaves them out for the same reason).
const NON_IDEMPOTENT = new Set(['POST', 'PATCH', 'LOCK']);

/** Whether a failed attempt may be repeated on another endpoint. */
function retriable(err: Error, method: string | undefined): boolean {
  if (err instanceof ProxyError ? err.beforeConnect : NOT_CONNECTED.has((err as NodeJS.ErrnoException).code ?? '')) return true;
  return !NON_IDEMPOTENT.has(method ?? 'GET');
}

export class IngressProxy {
  readonly #router: Router;
  readonly #defaultContext: SecureContext;
  readonly #defaultCert: { certPem: string; keyPem: string };
  readonly #connectTimeout: number;
  readonly #readTimeout: number;
  readonly #onError: (msg: string, fields: Record<string, unknown>) => void;
  // Keep-alive connections to the endpoints, shared by every request.
  readonly #agent = new Agent({ keepAlive: true, maxFreeSockets: 256, scheduling: 'lifo' });
  readonly #servers: Server[] = [];
  readonly #tunnels = new Set<Duplex>();

  constructor(o: IngressProxyOptions) {
    this.#router = o.router;
    this.#defaultCert = o.defaultCert;
    this.#defaultContext = createSecureContext({ cert: o.defaultCert.certPem, key: o.defaultCert.keyPem });
    this.#connectTimeout = o.connectTimeoutMs ?? 5000;
    this.#readTimeout = o.readTimeoutMs ?? 60_000;
    this.#onError = o.onError ?? (() => undefined);
  }

  /** Serves plain HTTP on host:port (0 picks a free port); resolves with the address bound. */
  listenHttp(host: string, port: number): Promise<AddressInfo> {
    return this.#listen(createHttpServer(), 'http', host, port);
  }

  /** Serves HTTPS on host:port with the certificate of the TLS server name (SNI). */
  listenHttps(host: string, port: number): Promise<AddressInfo> {
    const server = createHttpsServer({
      cert: this.#defaultCert.certPem,
      key: this.#defaultCert.keyPem,
      SNICallback: (name, cb) => cb(null, this.#router.secureContext(name) ?? this.#defaultContext),
    });
    return this.#listen(server, 'https', host, port);
  }

  async close(): Promise<void> {
    const closing = this.#servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve())));
    for (const s of this.#servers) s.closeAllConnections();
    for (const t of this.#tunnels) t.destroy();
    this.#agent.destroy();
    await Promise.all(closing);
  }

  #listen(server: Server, proto: Proto, host: string, port: number): Promise<AddressInfo> {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#onRequest(req, res, proto));
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.#onUpgrade(req, socket, head, proto));
    server.on('clientError', (_err, socket: Duplex) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
    this.#servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve(server.address() as AddressInfo);
      });
    });
  }

  #onRequest(req: IncomingMessage, res: ServerResponse, proto: Proto): void {
    const route = this.#router.route(requestHost(req.headers.host), requestPath(req.url));
    if (route.kind === 'not-found') {
      plain(res, 404, 'default backend - 404\n');
      return;
    }
    if (!route.endpoint) {
      plain(res, 503, '503 Service Unavailable\n');
      return;
    }
    const bodyless = req.headers['transfer-encoding'] === undefined && (req.headers['content-length'] ?? '0') === '0';
    this.#forward(req, res, proto, route.upstream, route.endpoint, bodyless, bodyless ? MAX_ATTEMPTS : 1);
  }

  #forward(req: IncomingMessage, res: ServerResponse, proto: Proto, upstream: Upstream, endpoint: Endpoint, bodyless: boolean, attemptsLeft: number): void {
    let responded = false;
    let up: ReturnType<typeof request>;
    try {
      up = request({
        host: endpoint.ip, port: endpoint.port, method: req.method, path: req.url,
        headers: forwardedHeaders(req, proto), agent: this.#agent, setHost: false,
      });
    } catch (err) {
      // Node refuses to send what it would not have parsed (a header it finds invalid): the
      // request is the client's fault, and must not take the node agent down.
      this.#onError('ingress cannot forward request', { upstream: upstream.key, err: (err as Error).message });
      plain(res, 400, '400 Bad Request\n');
      return;
    }
    this.#timeouts(up);
    up.on('response', (ur: IncomingMessage) => {
      responded = true;
      try {
        res.writeHead(ur.statusCode ?? 502, ur.statusMessage, endToEnd(ur.rawHeaders));
      } catch (err) {
        this.#onError('ingress cannot relay response', { upstream: upstream.key, err: (err as Error).message });
        ur.resume();
        plain(res, 502, '502 Bad Gateway\n');
        return;
      }
      ur.pipe(res);
      ur.on('error', () => res.destroy());
    });
    up.on('error', (err: Error) => {
      if (responded || res.headersSent) {
        res.destroy();
        return;
      }
      // Nothing came back: another endpoint may answer (the one tried may have just gone, before
      // its EndpointSlice said so); a request whose body was already sent cannot be repeated.
      // The current table is asked again: it may have learnt of the change meanwhile.
      const again = attemptsLeft > 1 && !res.destroyed && retriable(err, req.method) ? this.#router.route(requestHost(req.headers.host), requestPath(req.url)) : undefined;
      const next = again?.kind === 'upstream' ? again.endpoint : undefined;
      if (again?.kind === 'upstream' && next && (next.ip !== endpoint.ip || next.port !== endpoint.port || (err as NodeJS.ErrnoException).code === 'ECONNRESET')) {
        this.#forward(req, res, proto, again.upstream, next, bodyless, attemptsLeft - 1);
        return;
      }
      const status = err instanceof ProxyError ? err.status : 502;
      this.#onError('ingress backend request failed', { upstream: upstream.key, endpoint: `${endpoint.ip}:${endpoint.port}`, err: err.message });
      plain(res, status, status === 504 ? '504 Gateway Timeout\n' : '502 Bad Gateway\n');
    });
    // The client gone: stop the backend request too.
    res.on('close', () => { if (!res.writableFinished) up.destroy(); });
    if (bodyless) up.end();
    else req.pipe(up);
  }

  #onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, proto: Proto): void {
    socket.on('error', () => socket.destroy());
    const route = this.#router.route(requestHost(req.headers.host), requestPath(req.url));
    if (route.kind === 'not-found') {
      rawStatus(socket, 404, 'Not Found');
      return;
    }
    if (!route.endpoint) {
      rawStatus(socket, 503, 'Service Unavailable');
      return;
    }
    const endpoint = route.endpoint;
    const headers = forwardedHeaders(req, proto);
    headers.connection = 'Upgrade';
    if (req.headers.upgrade !== undefined) headers.upgrade = req.headers.upgrade;
    // Its own connection: an upgraded socket leaves the keep-alive pool anyway.
    let up: ReturnType<typeof request>;
    try {
      up = request({ host: endpoint.ip, port: endpoint.port, method: req.method, path: req.url, headers, setHost: false });
    } catch {
      rawStatus(socket, 400, 'Bad Request');
      return;
    }
    this.#timeouts(up);
    this.#tunnels.add(socket);
    let answered = false;
    socket.on('close', () => { this.#tunnels.delete(socket); up.destroy(); });
    up.on('upgrade', (ur: IncomingMessage, upSocket: Socket, upHead: Buffer) => {
      answered = true;
      upSocket.setTimeout(0);
      this.#tunnels.add(upSocket);
      upSocket.on('close', () => { this.#tunnels.delete(upSocket); socket.destroy(); });
      upSocket.on('error', () => upSocket.destroy());
      socket.write(statusLine(ur) + headerLines(ur.rawHeaders, false) + '\r\n');
      if (upHead.length) socket.write(upHead);
      if (head.length) upSocket.write(head);
      upSocket.setNoDelay(true);
      socket.pipe(upSocket);
      upSocket.pipe(socket);
    });
    up.on('response', (ur: IncomingMessage) => {
      // The backend declined the upgrade: relay its answer, delimited by closing the connection.
      answered = true;
      socket.write(statusLine(ur) + headerLines(ur.rawHeaders, true) + 'Connection: close\r\n\r\n');
      ur.pipe(socket);
    });
    up.on('error', (err: Error) => {
      if (answered) {
        socket.destroy();
        return;
      }
      this.#onError('ingress upgrade request failed', { upstream: route.upstream.key, endpoint: `${endpoint.ip}:${endpoint.port}`, err: err.message });
      if (err instanceof ProxyError) rawStatus(socket, err.status, err.status === 504 ? 'Gateway Timeout' : 'Bad Gateway');
      else rawStatus(socket, 502, 'Bad Gateway');
    });
    up.end();
  }

  /** A connect timeout while the socket connects, then an idle timeout while waiting for the backend. */
  #timeouts(up: ReturnType<typeof request>): void {
    up.on('socket', (s: Socket) => {
      if (s.connecting) {
        const t = setTimeout(() => up.destroy(new ProxyError(504, `connect timed out after ${this.#connectTimeout} ms`, true)), this.#connectTimeout);
        s.once('connect', () => clearTimeout(t));
        s.once('close', () => clearTimeout(t));
      }
    });
    up.setTimeout(this.#readTimeout, () => up.destroy(new ProxyError(504, `no answer within ${this.#readTimeout} ms`)));
  }
}

function clientAddress(req: IncomingMessage): string {
  const a = req.socket.remoteAddress ?? '';
  return a.startsWith('::ffff:') ? a.slice(7) : a;
}

/** The request's end-to-end headers plus the ones an edge proxy adds; Host is passed on as sent. */
function forwardedHeaders(req: IncomingMessage, proto: Proto): OutgoingHttpHeaders {
  const drop = connectionTokens(req.headers);
  const out: OutgoingHttpHeaders = {};
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || OWN.has(lower) || drop.has(lower)) continue;
    const prev = out[name];
    out[name] = prev === undefined ? raw[i + 1]! : Array.isArray(prev) ? [...prev, raw[i + 1]!] : [String(prev), raw[i + 1]!];
  }
  const client = clientAddress(req);
  out['X-Forwarded-For'] = client;
  out['X-Real-IP'] = client;
  out['X-Forwarded-Proto'] = proto;
  if (req.headers.host !== undefined) out['X-Forwarded-Host'] = req.headers.host;
  out['X-Forwarded-Port'] = String(req.socket.localPort ?? '');
  return out;
}

/** Header names the Connection header lists: hop-by-hop for this message too. */
function connectionTokens(h: IncomingHttpHeaders): Set<string> {
  const c = h.connection;
  return new Set((c ?? '').split(',').map((t) => t.trim().toLowerCase()).filter((t) => t !== ''));
}

/** A response's raw headers without the hop-by-hop ones, as [name, value, name, value, …]. */
function endToEnd(raw: readonly string[]): string[] {
  const drop = new Set<string>();
  for (let i = 0; i + 1 < raw.length; i += 2) {
    if (raw[i]!.toLowerCase() === 'connection') for (const t of raw[i + 1]!.split(',')) drop.add(t.trim().toLowerCase());
  }
  const out: string[] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (HOP_BY_HOP.has(lower) || drop.has(lower)) continue;
    out.push(raw[i]!, raw[i + 1]!);
  }
  return out;
}

function statusLine(r: IncomingMessage): string {
  return `HTTP/1.1 ${r.statusCode ?? 502} ${r.statusMessage ?? ''}\r\n`;
}

/**
 * Raw header lines for a socket the HTTP server no longer writes to. A 101 keeps Connection and
 * Upgrade (the client needs them); a relayed refusal drops every hop-by-hop header and its
 * length, since its body ends when the connection does.
 */
function headerLines(raw: readonly string[], refusal: boolean): string {
  let out = '';
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const lower = raw[i]!.toLowerCase();
    if (refusal ? HOP_BY_HOP.has(lower) || lower === 'content-length' : lower === 'keep-alive' || lower === 'transfer-encoding') continue;
    out += `${raw[i]}: ${raw[i + 1]}\r\n`;
  }
  return out;
}

function plain(res: ServerResponse, status: number, body: string): void {
  if (res.headersSent || res.destroyed) {
    res.destroy();
    return;
  }
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function rawStatus(socket: Duplex, status: number, text: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = `${status} ${text}\n`;
  socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`);
}
