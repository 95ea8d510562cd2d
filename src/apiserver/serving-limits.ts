// How much a client may hold of the server: the slow-client timeouts node:http offers, a cap on
// connections per client address, and the in-flight request limits (kube-apiserver's
// --max-requests-inflight and --max-mutating-requests-inflight; Go's http.Server
// ReadHeaderTimeout, which kube-apiserver sets to 32 s in secure_serving.go).
import type { InflightLimits } from './max-inflight.ts';

export interface ServingLimits extends InflightLimits {
  /** Time to receive a request's headers, from connection or previous request (ms). */
  headersTimeoutMs: number;
  /**
   * Time to receive a whole request, headers and body (ms). Once received, the answer may take as
   * long as it takes: node:http stops this clock when the request is complete, so watches and
   * other streams are not cut.
   */
  requestTimeoutMs: number;
  /** Time to complete the TLS handshake (ms). */
  tlsHandshakeTimeoutMs: number;
  /** Open connections from one client address at once; more are closed on accept (0: no limit). */
  maxConnectionsPerClient: number;
}

export const DEFAULT_SERVING_LIMITS: Readonly<ServingLimits> = {
  headersTimeoutMs: 32_000,
  requestTimeoutMs: 60_000,
  tlsHandshakeTimeoutMs: 10_000,
  // The apiserver bench holds 1,000 watches and a few hundred request connections from one address.
  maxConnectionsPerClient: 2048,
  readOnly: 400,
  mutating: 200,
};

/** Complete limits from a partial set; fails on values node:http would refuse. */
export function servingLimits(partial: Partial<ServingLimits> = {}): ServingLimits {
  const l: ServingLimits = { ...DEFAULT_SERVING_LIMITS, ...partial };
  for (const [k, v] of Object.entries(l)) {
    if (!Number.isFinite(v) || v < 0) throw new Error(`serving limit ${k}: expected a non-negative number, got ${v}`);
  }
  if (l.headersTimeoutMs <= 0 || l.requestTimeoutMs <= 0 || l.tlsHandshakeTimeoutMs <= 0) throw new Error('serving limits: timeouts must be positive');
  if (l.headersTimeoutMs > l.requestTimeoutMs) {
    throw new Error(`serving limits: the headers timeout (${l.headersTimeoutMs} ms) may not exceed the request timeout (${l.requestTimeoutMs} ms)`);
  }
  return l;
}
