// One forwarded connection: a TCP connection to 127.0.0.1:PORT inside the pod's network
// namespace, relayed to the client's stream. Node cannot enter a network namespace from one
// thread, so a small relay process does: `nsenter --net=NETNS busybox nc 127.0.0.1 PORT`, one per
// connection, ended by its PID (the role of the CRI runtime's PortForward in
// pkg/kubelet/cri/streaming/portforward; upstream connects with a socket opened in the netns).
import { spawn } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { findBinary } from '../../../runtime/find-binary.ts';

export interface ForwardTarget {
  netns: string;
  port: number;
}

/**
 * Relays until the pod side closes (or the client is gone: `signal`). Resolves with an error
 * message when the connection failed (e.g. nothing listens on the port), else undefined.
 */
export function forwardPort(target: ForwardTarget, input: Readable, output: Writable, signal: AbortSignal): Promise<string | undefined> {
  const nsenter = findBinary('nsenter') ?? '/usr/bin/nsenter';
  const busybox = findBinary('busybox') ?? '/bin/busybox';
  return new Promise((resolve) => {
    const child = spawn(nsenter, [`--net=${target.netns}`, busybox, 'nc', '127.0.0.1', String(target.port)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let sent = 0;
    child.stderr.on('data', (b: Buffer) => {
      if (stderr.length < 4096) stderr += b.toString();
    });
    child.stdin.on('error', () => {});
    input.pipe(child.stdin);
    // The client half-closing its side is passed on; the relay still returns the pod's answer
    // until the pod closes its side.
    child.stdout.on('data', (b: Buffer) => {
      sent += b.length;
      if (!output.write(b)) {
        child.stdout.pause();
        output.once('drain', () => child.stdout.resume());
      }
    });
    const kill = (): void => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    };
    signal.addEventListener('abort', kill, { once: true });
    child.on('error', (err) => {
      signal.removeEventListener('abort', kill);
      resolve(`cannot start the port relay: ${err.message}`);
    });
    child.on('close', (code) => {
      signal.removeEventListener('abort', kill);
      input.unpipe(child.stdin);
      if (signal.aborted) resolve(undefined);
      else if (code !== 0 && sent === 0) {
        resolve(`failed to connect to localhost:${target.port} inside namespace "${target.netns}": ${stderr.trim().replace(/^nc: /, '') || `relay exited with code ${code}`}`);
      } else resolve(undefined);
    });
  });
}
