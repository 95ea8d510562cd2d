// The kubelet's HTTPS server for the streaming endpoints the API server proxies to: container
// logs, exec, attach and port-forward (pkg/kubelet/server/server.go). When a client CA is given,
// every request must carry a certificate it signed (the API server's kubelet-client certificate),
// as the kubelet's x509 authenticator requires with --client-ca-file.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import type { Logger } from 'pino';
import type { Engine } from '../../runtime/engine.ts';
import { isContainerNotAvailable, isContainerNotFound, isPodNotFound, type PodStreamBackend } from './backend.ts';
import { HttpError, isHttpError } from './http-error.ts';
import { serveContainerLogs } from './logs.ts';
import { parseRoute } from './routes.ts';
import { HandshakeRefused, handleStreamUpgrade, type StreamDeps } from './upgrade.ts';
import { serveStats } from '../stats/stats-handler.ts';
import type { StatsProvider } from '../stats/stats-provider.ts';

export interface KubeletServerOptions {
  host: string;
  port: number;
  tls: { certPem: string; keyPem: string };
  /** The cluster CA: when given, requests without a client certificate it signed get 401. */
  clientCaPem?: string;
  backend: PodStreamBackend;
  engine: Engine;
  log: Logger;
  /** Serves GET /stats/summary when given. */
  stats?: StatsProvider;
}

export class KubeletServer {
  readonly #opts: KubeletServerOptions;
  readonly #log: Logger;
  readonly #abort = new AbortController();
  readonly #sockets = new Set<Duplex>();
  #server: Server | undefined;

  constructor(opts: KubeletServerOptions) {
    this.#opts = opts;
    this.#log = opts.log.child({ component: 'kubelet-server' });
  }

  /** Listens; resolves with the bound port (port 0 picks a free one). */
  async listen(): Promise<{ port: number }> {
    const server = createServer({
      cert: this.#opts.tls.certPem,
      key: this.#opts.tls.keyPem,
      ...(this.#opts.clientCaPem ? { ca: this.#opts.clientCaPem, requestCert: true, rejectUnauthorized: false } : {}),
    }, (req, res) => { void this.#handle(req, res); });
    server.requestTimeout = 0; // follows and streams are long-lived
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => { void this.#upgrade(req, socket, head); });
    this.#server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#opts.port, this.#opts.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const port = (server.address() as AddressInfo).port;
    this.#log.info({ address: `${this.#opts.host}:${port}` }, 'kubelet server listening');
    return { port };
  }

  /** Serves until the signal aborts; then ends open streams and closes the listener. */
  async run(signal: AbortSignal): Promise<void> {
    if (!this.#server) await this.listen();
    const server = this.#server!;
    await new Promise<void>((resolve) => {
      const stop = (): void => {
        this.#abort.abort();
        for (const s of this.#sockets) s.destroy();
        server.close(() => resolve());
        server.closeAllConnections();
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
    });
  }

  #authorized(req: IncomingMessage): boolean {
    if (!this.#opts.clientCaPem) return true;
    return (req.socket as TLSSocket).authorized === true;
  }

  #deps(): StreamDeps {
    return { backend: this.#opts.backend, engine: this.#opts.engine, log: this.#log, signal: this.#abort.signal };
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    try {
      if (!this.#authorized(req)) throw new HttpError(401, 'Unauthorized');
      if (url.pathname === '/healthz') {
        res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok');
        return;
      }
      if (await serveStats(req, res, url.pathname, this.#opts.stats)) return;
      const route = parseRoute(url.pathname);
      if (!route) throw new HttpError(404, '404 page not found');
      if (route.kind === 'logs') {
        if (req.method !== 'GET') throw new HttpError(405, `${req.method} is not allowed on ${url.pathname}`);
        await serveContainerLogs(res, route, url.searchParams, this.#deps());
        return;
      }
      // exec, attach and port-forward speak only over an upgraded connection.
      throw new HttpError(400, 'Upgrade request required');
    } catch (err) {
      const { status, message } = this.#describe(err, url.pathname);
      if (!res.headersSent) res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${message}\n`);
      else res.destroy();
    }
  }

  async #upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'https://kubelet');
    this.#sockets.add(socket);
    socket.once('close', () => this.#sockets.delete(socket));
    socket.on('error', () => {});
    try {
      if (!this.#authorized(req)) throw new HttpError(401, 'Unauthorized');
      const route = parseRoute(url.pathname);
      if (!route || route.kind === 'logs') throw new HttpError(404, '404 page not found');
      await handleStreamUpgrade(req, socket, head, route, url.searchParams, this.#deps());
    } catch (err) {
      if (err instanceof HandshakeRefused) return;
      const { status, message } = this.#describe(err, url.pathname);
      if (socket.writable) {
        const body = `${message}\n`;
        socket.end(`HTTP/1.1 ${status} ${statusText(status)}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      } else {
        socket.destroy();
      }
    }
  }

  #describe(err: unknown, path: string): { status: number; message: string } {
    if (isHttpError(err)) return { status: err.status, message: err.message };
    if (isPodNotFound(err) || isContainerNotFound(err)) return { status: 404, message: err.message };
    if (isContainerNotAvailable(err)) return { status: 400, message: err.message };
    this.#log.error({ err, path }, 'stream request failed');
    return { status: 500, message: err instanceof Error ? err.message : String(err) };
  }
}

export function statusText(code: number): string {
  return ({ 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error' } as Record<number, string>)[code] ?? 'Error';
}
