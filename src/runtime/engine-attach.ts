// Attaches a terminal to a container through conmon's attach socket (`<bundle>/attach`), as
// `podman attach` does. The socket is SOCK_SEQPACKET, which Node cannot open, so a small Perl relay
// (perl-base is essential in Debian) connects to it: input is written as is, every packet read
// carries a first byte naming the stream (2 stdout, 3 stderr). The relay runs in the bundle
// directory and connects to the relative path, which keeps it under the 108-byte sun_path limit.
import { spawn } from 'node:child_process';
import { constants, openSync, closeSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { RuntimeCommandFailed } from './errors.ts';
import { findBinary } from './find-binary.ts';

const RELAY = String.raw`
use strict; use Socket; use IO::Select;
socket(my $s, AF_UNIX, SOCK_SEQPACKET, 0) or die "socket: $!\n";
connect($s, pack_sockaddr_un("attach")) or die "connect: $!\n";
syswrite(STDERR, "attached\n");
my $sel = IO::Select->new($s, \*STDIN);
while (1) {
  for my $fh ($sel->can_read) {
    my $buf;
    if ($fh == $s) {
      my $n = sysread($s, $buf, 65536);
      exit 0 unless $n;
      my $t = ord(substr($buf, 0, 1));
      if ($t == 3) { syswrite(STDERR, substr($buf, 1)) } else { syswrite(STDOUT, substr($buf, 1)) }
    } else {
      my $n = sysread(STDIN, $buf, 8192);
      if (!$n) { $sel->remove(\*STDIN); next }
      syswrite($s, $buf);
    }
  }
}
`;

export interface AttachOptions {
  stdin?: Readable;
  stdout: Writable;
  stderr: Writable;
}

export interface AttachSession {
  /** Resolves once connected: start the container after this so no output is lost. */
  ready: Promise<void>;
  /** Resolves when conmon closes the socket (the container exited) or the session is closed. */
  done: Promise<void>;
  resize(rows: number, cols: number): void;
  close(): void;
}

export function attachContainer(bundle: string, options: AttachOptions): AttachSession {
  const perl = findBinary('perl') ?? '/usr/bin/perl';
  const child = spawn(perl, ['-e', RELAY], { cwd: bundle, stdio: ['pipe', 'pipe', 'pipe'] });
  let readyResolve: () => void = () => {};
  let readyReject: (e: Error) => void = () => {};
  const ready = new Promise<void>((res, rej) => {
    readyResolve = res;
    readyReject = rej;
  });
  let attached = false;
  let errText = '';
  child.stderr.on('data', (b: Buffer) => {
    if (attached) {
      options.stderr.write(b);
      return;
    }
    errText += b.toString();
    const nl = errText.indexOf('attached\n');
    if (nl >= 0) {
      attached = true;
      const rest = errText.slice(nl + 'attached\n'.length);
      if (rest) options.stderr.write(rest);
      readyResolve();
    }
  });
  child.stdout.pipe(options.stdout, { end: false });
  child.stdin.on('error', () => {});
  if (options.stdin) options.stdin.pipe(child.stdin);
  const done = new Promise<void>((resolve) => {
    child.on('error', (e) => {
      readyReject(new RuntimeCommandFailed(`${perl} (attach relay)`, null, e.message, { cause: e }));
      resolve();
    });
    child.on('close', (code) => {
      if (!attached) readyReject(new RuntimeCommandFailed('attach to container', code, errText));
      if (options.stdin) options.stdin.unpipe(child.stdin);
      resolve();
    });
  });
  ready.catch(() => {});
  return {
    ready,
    done,
    resize(rows: number, cols: number): void {
      // conmon reads "rows cols\n" lines from the winsz fifo it made in the bundle.
      try {
        const fd = openSync(join(bundle, 'winsz'), constants.O_WRONLY | constants.O_NONBLOCK);
        try {
          writeSync(fd, `${rows} ${cols}\n`);
        } finally {
          closeSync(fd);
        }
      } catch {
        // no reader (conmon gone) or no terminal
      }
    },
    close(): void {
      child.kill('SIGTERM');
    },
  };
}
