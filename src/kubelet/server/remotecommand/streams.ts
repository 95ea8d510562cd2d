// What an exec or attach session talks through, whichever transport carries it (WebSocket
// channels or SPDY streams): the remotecommand protocol of k8s.io/apimachinery/pkg/util/remotecommand
// and kubelet's pkg/kubelet/cri/streaming/remotecommand.
import type { Readable, Writable } from 'node:stream';

export interface TerminalSize {
  width: number;
  height: number;
}

/** A metav1.Status as the error channel carries it (v4 and later). */
export interface StreamStatus {
  metadata: Record<string, never>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: string;
  code?: number;
  details?: { causes: Array<{ reason: string; message: string }> };
}

export interface CommandStreams {
  stdin?: Readable;
  stdout?: Writable;
  stderr?: Writable;
  tty: boolean;
  /** Called for every terminal size the client sends (the first one right away if it came early). */
  onResize(cb: (size: TerminalSize) => void): void;
  /** Writes the final status, then ends the session. */
  finish(status: StreamStatus): Promise<void>;
  /** Resolves when the client went away (then the command is stopped). */
  gone: Promise<void>;
}

export interface StreamOptions {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function bool(q: URLSearchParams, ...names: string[]): boolean {
  return names.some((n) => {
    const v = q.get(n);
    return v === 'true' || v === '1' || v === 'True' || v === 'TRUE';
  });
}

/** The stream flags of an exec/attach request (pkg/kubelet/server/server.go getExecRequestParams). */
export function streamOptionsOf(q: URLSearchParams): StreamOptions {
  const o = { stdin: bool(q, 'stdin', 'input'), stdout: bool(q, 'stdout', 'output'), stderr: bool(q, 'stderr', 'error'), tty: bool(q, 'tty') };
  // A terminal merges stderr into stdout (remotecommand/httpstream.go: "tty implies no stderr").
  if (o.tty) o.stderr = false;
  return o;
}

export function successStatus(): StreamStatus {
  return { metadata: {}, status: 'Success' };
}

/** The status for a command that exited non-zero (remotecommand/httpstream.go, NonZeroExitCode). */
export function exitStatus(code: number): StreamStatus {
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command, exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export function internalErrorStatus(message: string): StreamStatus {
  return { metadata: {}, status: 'Failure', message: `Internal error occurred: ${message}`, reason: 'InternalError', code: 500, details: { causes: [{ reason: '', message }] } };
}

/**
 * Terminal sizes from the client, held until the session asks for them (the command may start
 * after the first size arrived), then handed over as they come.
 */
export function resizeRelay(): { push(size: TerminalSize): void; onResize(cb: (size: TerminalSize) => void): void } {
  const held: TerminalSize[] = [];
  let deliver: ((size: TerminalSize) => void) | undefined;
  return {
    push(size) {
      if (deliver) deliver(size);
      else held.push(size);
    },
    onResize(cb) {
      deliver = cb;
      for (const size of held.splice(0)) cb(size);
    },
  };
}
