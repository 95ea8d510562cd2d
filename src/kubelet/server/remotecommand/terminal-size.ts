// Resizing the terminal of an exec'd command. A TTY exec with input runs the runtime under
// script(1) (src/runtime/container-exec.ts); the runtime's stdin is the slave side of script's
// pty. Setting that terminal's size (stty -F, i.e. TIOCSWINSZ) makes the kernel send SIGWINCH to
// its foreground process, the runtime, which passes the size on to the container's terminal —
// what the kubelet's CRI runtime does with the sizes from the resize channel.
import { execFile } from 'node:child_process';
import { readFile, readlink } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { findBinary } from '../../../runtime/find-binary.ts';
import type { TerminalSize } from './streams.ts';

/** The terminal script(1) made for its child: fd 0 of its first child process. */
async function childTerminal(scriptPid: number): Promise<string | undefined> {
  // The child may not exist yet right after the spawn: look a few times.
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const children = (await readFile(`/proc/${scriptPid}/task/${scriptPid}/children`, 'utf8')).trim().split(/\s+/).filter(Boolean);
      for (const c of children) {
        const tty = await readlink(`/proc/${c}/fd/0`).catch(() => '');
        if (tty.startsWith('/dev/pts/')) return tty;
      }
    } catch {
      return undefined; // script is gone
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
  let chain: Promise<void> = Promise.resolve();
  return (size) => {
    if (size.width <= 0 || size.height <= 0) return;
    tty ??= childTerminal(scriptPid);
    const t = tty;
    chain = chain.then(async () => {
      const path = await t;
      if (path) await stty(path, size);
    });
  };
}
