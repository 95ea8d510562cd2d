// grpc probes, as pkg/probe/grpc/grpc.go: one grpc.health.v1.Health/Check call over plaintext
// HTTP/2 (no TLS, as upstream), success only for status SERVING. The two protobuf messages have one
// field each, so they are encoded by hand instead of pulling in a gRPC stack.
import http2 from 'node:http2';
import { dialError, goDuration, joinHostPort } from './go-format.ts';
import { PROBE_USER_AGENT } from './http-probe.ts';
import type { ProbeOutcome } from './types.ts';

const STATUS_NAMES = ['UNKNOWN', 'SERVING', 'NOT_SERVING', 'SERVICE_UNKNOWN'];
const GRPC_UNIMPLEMENTED = 12;
const GRPC_DEADLINE_EXCEEDED = 4;
const GRPC_CODE_NAMES = ['OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound', 'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted', 'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated'];

function varint(n: number): Buffer {
  const bytes: number[] = [];
  let v = n;
  while (v >= 0x80) {
    bytes.push((v & 0x7f) | 0x80);
    v = Math.floor(v / 128);
  }
  bytes.push(v);
  return Buffer.from(bytes);
}

/** HealthCheckRequest { string service = 1; } inside a gRPC length-prefixed frame. */
export function encodeHealthCheckRequest(service: string): Buffer {
  const s = Buffer.from(service, 'utf8');
  const msg = s.length === 0 ? Buffer.alloc(0) : Buffer.concat([Buffer.from([0x0a]), varint(s.length), s]);
  const prefix = Buffer.alloc(5);
  prefix.writeUInt32BE(msg.length, 1);
  return Buffer.concat([prefix, msg]);
}

/** HealthCheckResponse { ServingStatus status = 1; } from the first gRPC frame (0 when absent). */
export function decodeHealthCheckResponse(frame: Buffer): number {
  if (frame.length < 5) throw new Error('short gRPC message');
  const len = frame.readUInt32BE(1);
  const msg = frame.subarray(5, 5 + len);
  let i = 0;
  let status = 0;
  const readVarint = (): number => {
    let result = 0;
    let mul = 1;
    for (;;) {
      const b = msg[i++];
      if (b === undefined) throw new Error('truncated varint');
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
  };
  while (i < msg.length) {
    const tag = readVarint();
    const wire = tag & 7;
    if (tag >>> 3 === 1 && wire === 0) status = readVarint();
    else if (wire === 0) readVarint();
    else if (wire === 2) i += readVarint();
    else if (wire === 1) i += 8;
    else if (wire === 5) i += 4;
    else throw new Error(`unsupported wire type ${wire}`);
  }
  return status;
}

export function grpcProbe(host: string, port: number, service: string, timeoutMs: number): Promise<ProbeOutcome> {
  const addr = joinHostPort(host, port);
  return new Promise((resolve) => {
    let done = false;
    const session = http2.connect(`http://${addr}`);
    const finish = (outcome: ProbeOutcome): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      session.destroy();
      resolve(outcome);
    };
    let connected = false;
    const timer = setTimeout(() => {
      finish({
        result: 'failure',
        message: connected
          ? `timeout: health rpc did not complete within ${goDuration(timeoutMs)}`
          : `timeout: failed to connect service "${addr}" within ${goDuration(timeoutMs)}: context deadline exceeded`,
      });
    }, timeoutMs);
    const connectFailed = (err: Error): void =>
      finish({ result: 'failure', message: `error: failed to connect service at "${addr}": ${dialError(addr, err.cause ?? err)}` });
    session.on('error', connectFailed);
    session.on('connect', () => {
      connected = true;
    });
    const req = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
      'user-agent': PROBE_USER_AGENT,
      'grpc-timeout': `${Math.max(1, Math.floor(timeoutMs))}m`,
    });
    const chunks: Buffer[] = [];
    let headers: http2.IncomingHttpHeaders = {};
    req.on('response', (h) => {
      headers = h;
    });
    req.on('data', (b: Buffer) => chunks.push(b));
    req.on('error', (err) => (connected ? finish({ result: 'failure', message: `error: health rpc probe failed: ${err.message}` }) : connectFailed(err)));
    const settle = (trailers: http2.IncomingHttpHeaders): void => {
      const code = Number(trailers['grpc-status'] ?? headers['grpc-status'] ?? Number.NaN);
      const grpcMessage = decodeURIComponent(String(trailers['grpc-message'] ?? headers['grpc-message'] ?? ''));
      if (code === GRPC_UNIMPLEMENTED) {
        finish({ result: 'failure', message: `error: this server does not implement the grpc health protocol (grpc.health.v1.Health): ${grpcMessage}` });
      } else if (code === GRPC_DEADLINE_EXCEEDED) {
        finish({ result: 'failure', message: `timeout: health rpc did not complete within ${goDuration(timeoutMs)}` });
      } else if (code !== 0) {
        const name = GRPC_CODE_NAMES[code] ?? (Number.isNaN(code) ? 'Unknown' : `Code(${code})`);
        const why = Number.isNaN(code) ? `unexpected HTTP status ${headers[':status'] ?? '?'}` : grpcMessage;
        finish({ result: 'failure', message: `error: health rpc probe failed: rpc error: code = ${name} desc = ${why}` });
      } else {
        let status: number;
        try {
          status = decodeHealthCheckResponse(Buffer.concat(chunks));
        } catch (err) {
          finish({ result: 'failure', message: `error: health rpc probe failed: ${(err as Error).message}` });
          return;
        }
        if (status === 1) finish({ result: 'success', message: 'service healthy' });
        else finish({ result: 'failure', message: `service unhealthy (responded with "${STATUS_NAMES[status] ?? String(status)}")` });
      }
    };
    let trailersSeen: http2.IncomingHttpHeaders | undefined;
    req.on('trailers', (t) => {
      trailersSeen = t;
    });
    req.on('end', () => settle(trailersSeen ?? {}));
    req.end(encodeHealthCheckRequest(service));
  });
}
