// Request lines and headers node:https will not write: origin forms `new URL` rejects, absolute
// forms, bytes that are not HTTP. Each goes over its own TLS connection, with and without the
// client certificate (issue 14: `GET //` with no certificate once killed the server).
import type { FuzzCase } from './case.ts';

const CRLF = '\r\n';

function req(line: string, headers: string[] = [], body = ''): Buffer {
  return Buffer.from([line, 'Host: localhost', ...headers, 'Connection: close', '', body].join(CRLF), 'latin1');
}

/** Targets node's parser reads as HTTP: the server must answer them with a Status, or close. */
const ODD_TARGETS = [
  '//', '///', '//api', 'http://[::1', 'http://[::1]:1/api', 'http://localhost/api/v1/namespaces', 'https://x:y@z/', '*', '?x', 'api', '/api/v1/../..', '/%ZZ', '/%',
  '/api/v1/namespaces/fuzz-paths/configmaps/%2e%2e', '/api/v1/namespaces/fuzz-paths/configmaps/%2E', '/api/v1/namespaces/%00/pods', '/api/v1/namespaces/fuzz-paths/pods/%2F',
  '/\\..\\', '/api/v1/namespaces/fuzz-paths/pods#frag', '/readyz?verbose&&&&==', '/api/v1/namespaces/fuzz-paths/configmaps?labelSelector=%',
];

/** Bytes that break HTTP itself: closing, or a bare 4xx from the parser, is a fine answer. */
const VIOLATIONS: Array<{ bytes: Buffer; what: string }> = [
  { bytes: Buffer.from('\x00\x01\x02\x03\r\n\r\n', 'latin1'), what: 'binary garbage' },
  { bytes: req('GET / HTTP/9.9'), what: 'HTTP/9.9' },
  { bytes: req('GET / HTTP/1.1', ['Bad Header']), what: 'header without a colon' },
  { bytes: req('GET / HTTP/1.1', [`X-Big: ${'x'.repeat(20_000)}`]), what: '20 KB header' },
  { bytes: req('GET /api HTTP/1.1', ['Content-Length: -1']), what: 'Content-Length -1' },
  { bytes: req('POST /api/v1/namespaces/fuzz/configmaps HTTP/1.1', ['Content-Length: abc']), what: 'Content-Length abc' },
  { bytes: req('POST /api/v1/namespaces/fuzz/configmaps HTTP/1.1', ['Content-Length: 2', 'Content-Length: 3'], '{}'), what: 'two Content-Lengths' },
  { bytes: req('POST /api/v1/namespaces/fuzz/configmaps HTTP/1.1', ['Transfer-Encoding: chunked', 'Content-Type: application/json'], 'zz\r\n{}\r\n0\r\n\r\n'), what: 'bad chunk size' },
  { bytes: req('POST /api/v1/namespaces/fuzz/configmaps HTTP/1.1', ['Transfer-Encoding: chunked', 'Content-Length: 2'], '2\r\n{}\r\n0\r\n\r\n'), what: 'chunked and Content-Length' },
  { bytes: req(`GET /${'a'.repeat(100_000)} HTTP/1.1`), what: '100 KB request line' },
  { bytes: req('GET /api/v1/namespaces/\xff\xfe HTTP/1.1'), what: 'non-ASCII bytes in the target' },
  { bytes: req('GET /api HTTP/1.1', ['X-Ctl: a\x01b']), what: 'control byte in a header value' },
  { bytes: req('G\x00T /api HTTP/1.1'), what: 'NUL in the method' },
  { bytes: req('GET  /api  HTTP/1.1'), what: 'double spaces in the request line' },
];

export function rawCases(): FuzzCase[] {
  const out: FuzzCase[] = [];
  const group = 'raw request lines';
  for (const anonymous of [false, true]) {
    const who = anonymous ? 'no client certificate' : 'client certificate';
    for (const t of ODD_TARGETS) {
      out.push({ group, method: 'GET', path: t, raw: req(`GET ${t} HTTP/1.1`), what: `GET ${t} (${who})`, anonymous, violation: true, expectFailure: !t.startsWith('/readyz') && !t.includes('labelSelector') });
      out.push({ group, method: 'GET', path: t, raw: req(`GET ${t} HTTP/1.1`, ['Connection: Upgrade', 'Upgrade: websocket', 'Sec-WebSocket-Version: 13', 'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==']), what: `GET ${t} as an Upgrade (${who})`, anonymous, violation: true, expectFailure: true });
    }
    for (const m of ['DELETE', 'OPTIONS', 'CONNECT']) out.push({ group, method: m, path: '//', raw: req(`${m} // HTTP/1.1`), what: `${m} // (${who})`, anonymous, violation: true, expectFailure: true });
    for (const v of VIOLATIONS) out.push({ group, method: 'RAW', path: '', raw: v.bytes, what: `${v.what} (${who})`, anonymous, violation: true });
  }
  return out;
}
