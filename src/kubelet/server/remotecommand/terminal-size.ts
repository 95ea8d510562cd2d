// Resizing the terminal of an exec'd command. A TTY exec runs the runtime under script(1)
// (src/runtime/container-exec.ts); the runtime's stdin is the slave side of script's pty, and the
// runtime gives the command a pty of its own inside the container, sized from script's when it is
// made. Later sizes are set on both: script's pty (for a runtime not started yet) and the command's
// own terminal, reached through /proc/<pid>/fd/0 of the first process on another pty (crun
// does not pass SIGWINCH on). TIOCSWINSZ there signals the command as a resize on a node would.
import { execFile } from 'node:child_process';
import { readFile, readlink, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { findBinary } from '../../../runtime/find-binary.ts';
import type { TerminalSize } from './streams.ts';

/** The child processes of `pid`; undefined once it is gone. */
async function children(pid: number): Promise<number[] | undefined> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => undefined);
  return text?.trim().split(/\s+/).filter(Boolean).map(Number);
}

/** The terminal script(1) made for its child: fd 0 of its first child process. */
async function childTerminal(scriptPid: number): Promise<string | undefined> {
  // The child may not exist yet right after the spawn: look a few times.
  for (let attempt = 0; attempt < 20; attempt++) {
    const kids = await children(scriptPid);
    if (kids === undefined) return undefined; // script is gone
    for (const c of kids) {
      const tty = await readlink(`/proc/${c}/fd/0`).catch(() => '');
      if (tty.startsWith('/dev/pts/')) return tty;
    }
    await sleep(25);
  }
  return undefined;
}

/** The device of a pty slave open as `path`, or undefined. */
async function ptyDevice(path: string): Promise<number | undefined> {
  const st = await stat(path).catch(() => undefined);
  // Unix98 pty slaves have majors 136–143.
  if (!st?.isCharacterDevice() || Math.floor(st.rdev / 256) % 4096 < 136 || Math.floor(st.rdev / 256) % 4096 > 143) return undefined;
  return st.rdev;
}

/**
 * The command's own terminal: fd 0 of the first process below `scriptPid` whose stdin is a pty
 * other than script's (the runtime's processes still hold script's).
 */
async function containerTerminal(scriptPid: number, scriptTty: string): Promise<string | undefined> {
  const outer = await ptyDevice(scriptTty);
  for (let attempt = 0; attempt < 80; attempt++) {
    const queue = await children(scriptPid);
    if (queue === undefined) return undefined; // script is gone
    while (queue.length > 0) {
      const pid = queue.shift()!;
      const dev = await ptyDevice(`/proc/${pid}/fd/0`);
      if (dev !== undefined && dev !== outer) return `/proc/${pid}/fd/0`;
      queue.push(...((await children(pid)) ?? []));
    }
    await sleep(25);
  }
  return undefined;
}

function stty(tty: string, size: TerminalSize): Promise<void> {
  return new Promise((resolve) => {
    execFile(findBinary('stty') ?? '/usr/bin/stty', ['-F', tty, 'rows', String(size.height), 'cols', String(size.width)], () => resolve());
  });
}

/**
 * A resizer for the terminal of the process script(1) runs as `scriptPid`: sizes are applied in
 * order, the latest winning; sizes given before the terminal exists wait for it.
 */
export function terminalResizer(scriptPid: number): (size: TerminalSize) => void {
  let tty: Promise<string | undefined> | undefined;
  let inner: Promise<string | undefined> | undefined;
  let chain: Promise<void> = Promise.resolve();
  return (size) => {
    if (size.width <= 0 || size.height <= 0) return;
    tty ??= childTerminal(scriptPid);
    const t = tty;
    chain = chain.then(async () => {
      const path = await t;
      if (!path) return;
      await stty(path, size);
      // The command's own terminal; found again if the process holding it ended.
      let target = await (inner ??= containerTerminal(scriptPid, path));
      if (target && !(await readlink(target).catch(() => undefined))) target = await (inner = containerTerminal(scriptPid, path));
      if (target) await stty(target, size);
    });
  };
}
