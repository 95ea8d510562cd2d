// Sending one fuzz case and timing its answer: node:https with the kubeconfig's client certificate
// for well-formed HTTP, a raw TLS socket for request lines node:https refuses to write. Nothing is
// thrown: every ending (answer, closed connection, no answer in time) is an Outcome.
import { Agent, request } from 'node:https';
import { connect } from 'node:tls';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { FuzzCase, Outcome } from './case.ts';

export interface Transport {
  send(c: FuzzCase, timeoutMs: number): Promise<Outcome>;
  close(): void;
}

/** Bodies past this are not kept (a stream or a flood); the status and headers are what count. */
const MAX_KEPT = 8 * 1024 * 1024;

export function transport(kubeconfigPath: string): Transport {
  const kc = parse(readFileSync(kubeconfigPath, 'utf8'));
  const url = new URL(kc.clusters[0].cluster.server);
  const user = kc.users[0].user;
  const ca = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64');
  const cert = Buffer.from(user['client-certificate-data'], 'base64');
  const key = Buffer.from(user['client-key-data'], 'base64');
  const host = url.hostname;
  const port = Number(url.port);
  const agent = new Agent({ keepAlive: true, maxSockets: 16, ca, cert, key });
  const anonAgent = new Agent({ keepAlive: false, ca });

  function viaHttps(c: FuzzCase, timeoutMs: number, retry = true): Promise<Outcome> {
    const start = performance.now();
    return new Promise((done) => {
      let settled = false;
      const finish = (o: Outcome): void => { if (!settled) { settled = true; clearTimeout(timer); done(o); } };
      const headers: Record<string, string | number> = { Accept: 'application/json', ...c.headers };
      if (c.body) { headers['Content-Type'] = c.contentType ?? 'application/json'; headers['Content-Length'] = c.body.length; }
      let req: ReturnType<typeof request>;
      try {
        req = request({ method: c.method, host, port, path: c.path, agent: c.anonymous ? anonAgent : agent, headers });
      } catch (err) {
        // node refused to write this target (it is a generator bug, not a server one).
        finish({ kind: 'closed', error: `client refused: ${(err as Error).message}`, ms: 0 });
        return;
      }
      const timer = setTimeout(() => { req.destroy(); finish({ kind: 'timeout', ms: performance.now() - start }); }, timeoutMs);
      req.on('error', (err: NodeJS.ErrnoException) => {
        // A kept-alive socket the server closed for idleness just as it was reused: node's documented
        // race (http.ClientRequest reusedSocket); send once more on a fresh socket.
        if (retry && !settled && req.reusedSocket && (err.code === 'ECONNRESET' || err.message === 'socket hang up')) {
          settled = true;
          clearTimeout(timer);
          void viaHttps(c, timeoutMs, false).then(done);
          return;
        }
        finish({ kind: 'closed', error: err.message, ms: performance.now() - start });
      });
      req.on('upgrade', (res, socket) => {
        socket.destroy();
        finish({ kind: 'response', status: res.statusCode ?? 0, headers: res.headers, body: Buffer.alloc(0), ms: performance.now() - start });
      });
      req.on('response', (res) => {
        const status = res.statusCode ?? 0;
        if (c.stream && status >= 200 && status < 300) {
          res.destroy();
          finish({ kind: 'response', status, headers: res.headers, body: Buffer.alloc(0), ms: performance.now() - start });
          return;
        }
        const chunks: Buffer[] = [];
        let kept = 0;
        res.on('data', (d: Buffer) => { if (kept < MAX_KEPT) { chunks.push(d); kept += d.length; } });
        res.on('end', () => finish({ kind: 'response', status, headers: res.headers, body: Buffer.concat(chunks), ms: performance.now() - start }));
        res.on('error', (err) => finish({ kind: 'closed', error: `mid-body: ${err.message}`, ms: performance.now() - start }));
      });
      req.end(c.body);
    });
  }

  function viaSocket(c: FuzzCase, timeoutMs: number): Promise<Outcome> {
    const start = performance.now();
    return new Promise((done) => {
      let settled = false;
      const chunks: Buffer[] = [];
      const sock = connect({ host, port, ca, servername: 'localhost', ...(c.anonymous ? {} : { cert, key }), rejectUnauthorized: false });
      const timer = setTimeout(() => { sock.destroy(); finishWith(true); }, timeoutMs);
      const finishWith = (timedOut: boolean, error?: string): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        const ms = performance.now() - start;
        const data = Buffer.concat(chunks);
        const parsed = parseResponse(data);
        if (parsed) done({ kind: 'response', ...parsed, ms });
        else if (timedOut) done({ kind: 'timeout', ms });
        else done({ kind: 'closed', error: error ?? (data.length ? `unparsable answer ${JSON.stringify(data.subarray(0, 80).toString('latin1'))}` : 'closed without an answer'), ms });
      };
      sock.on('secureConnect', () => sock.write(c.raw ?? Buffer.alloc(0)));
      sock.on('data', (d: Buffer) => {
        chunks.push(d);
        // One answer is all a case asks for: stop once it is complete.
        if (parseResponse(Buffer.concat(chunks), true)) { sock.destroy(); finishWith(false); }
      });
      sock.on('error', (err) => finishWith(false, err.message));
      sock.on('close', () => finishWith(false));
    });
  }

  return {
    send: (c, timeoutMs) => (c.raw ? viaSocket(c, timeoutMs) : viaHttps(c, timeoutMs)),
    close() { agent.destroy(); anonAgent.destroy(); },
  };
}

/**
 * A complete HTTP/1.1 answer in `data` (status, headers, body by Content-Length or chunked), or
 * undefined. Without `complete`, a body cut short by the close is accepted as it is.
 */
export function parseResponse(data: Buffer, complete = false): { status: number; headers: Record<string, string>; body: Buffer } | undefined {
  const end = data.indexOf('\r\n\r\n');
  if (end < 0) return undefined;
  const lines = data.subarray(0, end).toString('latin1').split('\r\n');
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
  if (!m) return undefined;
  const headers: Record<string, string> = {};
  for (const l of lines.slice(1)) {
    const i = l.indexOf(':');
    if (i > 0) headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  let body = data.subarray(end + 4);
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    const out: Buffer[] = [];
    let rest = body;
    for (;;) {
      const nl = rest.indexOf('\r\n');
      if (nl < 0) { if (complete) return undefined; break; }
      const size = parseInt(rest.subarray(0, nl).toString('latin1'), 16);
      if (!Number.isFinite(size)) break;
      if (size === 0) { rest = Buffer.alloc(0); break; }
      if (rest.length < nl + 2 + size) { if (complete) return undefined; out.push(rest.subarray(nl + 2)); break; }
      out.push(rest.subarray(nl + 2, nl + 2 + size));
      rest = rest.subarray(nl + 2 + size + 2);
    }
    body = Buffer.concat(out);
  } else if (headers['content-length'] !== undefined) {
    const n = Number(headers['content-length']);
    if (body.length < n && complete) return undefined;
    body = body.subarray(0, n);
  } else if (complete && Number(m[1]) !== 304 && Number(m[1]) >= 200 && Number(m[1]) !== 204) {
    return undefined; // read until close
  }
  return { status: Number(m[1]), headers, body };
}
