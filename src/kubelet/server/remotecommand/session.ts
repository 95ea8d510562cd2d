// Runs exec or attach over CommandStreams: the command's output to the client, the client's
// input and terminal size to the command, and at the end the Status with the exit code
// (pkg/kubelet/cri/streaming/remotecommand/exec.go, attach.go).
import type { Logger } from 'pino';
import { Writable } from 'node:stream';
import type { Engine } from '../../../runtime/engine.ts';
import { attachContainer } from '../../../runtime/engine-attach.ts';
import { terminalResizer } from './terminal-size.ts';
import { exitStatus, internalErrorStatus, successStatus, type CommandStreams, type StreamStatus, type TerminalSize } from './streams.ts';

export async function runExecSession(engine: Engine, containerId: string, command: string[], streams: CommandStreams, log: Logger): Promise<void> {
  const ac = new AbortController();
  void streams.gone.then(() => ac.abort());
  let status: StreamStatus;
  try {
    const r = await engine.containers.exec(containerId, command, {
      tty: streams.tty,
      ...(streams.stdin ? { stdin: streams.stdin } : {}),
      // Without a client-side stream the output is dropped, not collected in memory.
      stdout: streams.stdout ?? sink(),
      stderr: streams.stderr ?? streams.stdout ?? sink(),
      signal: ac.signal,
      ...(streams.tty && streams.stdin ? { onSpawn: (pid: number) => streams.onResize(terminalResizer(pid)) } : {}),
    });
    status = r.exitCode === 0 ? successStatus() : exitStatus(r.exitCode);
  } catch (err) {
    if (ac.signal.aborted) return;
    log.warn({ err, containerId }, 'exec failed');
    status = internalErrorStatus(`error executing command in container: ${err instanceof Error ? err.message : String(err)}`);
  }
  await streams.finish(status);
}

export async function runAttachSession(engine: Engine, containerId: string, streams: CommandStreams, log: Logger): Promise<void> {
  const session = attachContainer(engine.bundleOf(containerId), {
    ...(streams.stdin ? { stdin: streams.stdin } : {}),
    stdout: streams.stdout ?? sink(),
    stderr: streams.stderr ?? streams.stdout ?? sink(),
  });
  try {
    await session.ready;
  } catch (err) {
    log.warn({ err, containerId }, 'attach failed');
    await streams.finish(internalErrorStatus(`error attaching to container: ${err instanceof Error ? err.message : String(err)}`));
    return;
  }
  streams.onResize(paced((s) => session.resize(s.height, s.width)));
  const ended = await Promise.race([session.done.then(() => 'exited' as const), streams.gone.then(() => 'gone' as const)]);
  session.close();
  if (ended === 'gone') return;
  await streams.finish(successStatus());
}

/**
 * Applies terminal sizes one at a time with a short gap: conmon takes one "rows cols" line per
 * read of its winsz fifo, so two sizes written back to back (kubectl attach sends size+1, then the
 * size, to force a redraw) would leave the second unread. Only the latest pending sizes are kept.
 */
function paced(apply: (s: TerminalSize) => void, gapMs = 50): (s: TerminalSize) => void {
  const queue: TerminalSize[] = [];
  let busy = false;
  const next = (): void => {
    const s = queue.shift();
    if (!s) {
      busy = false;
      return;
    }
    apply(s);
    setTimeout(next, gapMs).unref();
  };
  return (s) => {
    queue.push(s);
    if (queue.length > 2) queue.splice(0, queue.length - 2);
    if (!busy) {
      busy = true;
      next();
    }
  };
}

function sink(): Writable {
  return new Writable({ write(_c, _e, cb): void { cb(); } });
}
