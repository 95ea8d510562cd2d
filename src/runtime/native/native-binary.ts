// The engine's small C helpers (this folder's *.c): compiled with the host's C compiler (gcc,
// from scripts/apt-packages.txt) into node_modules/.cache/skiff, once per version of the source
// and its build settings. Callers fall back to a slower way when there is no compiler.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';

/** The package directory: the first one up from this module (in src/ or in the dist/ bundle) with the C sources. */
function packageRoot(): string {
  for (let dir = import.meta.dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'src', 'runtime', 'native'))) return dir;
    if (dirname(dir) === dir) throw new Error(`skiff's package directory is not above ${import.meta.dirname}`);
  }
}

const PACKAGE_ROOT = packageRoot();

export type NativeHelper = 'skiff-spawner' | 'skiff-crun-hybrid';

function sourcePath(name: NativeHelper): string {
  return join(PACKAGE_ROOT, 'src', 'runtime', 'native', `${name}.c`);
}

const building = new Map<string, Promise<string>>();

/**
 * The compiled helper; compiles it when missing. `defines` become -D flags (string values are
 * quoted as C strings). Rejects when it cannot be compiled.
 */
export function nativeBinary(name: NativeHelper, defines: Record<string, string> = {}): Promise<string> {
  const source = sourcePath(name);
  const flags = Object.entries(defines).sort().map(([k, v]) => `-D${k}=${JSON.stringify(v)}`);
  const hash = createHash('sha256').update(readFileSync(source)).update(JSON.stringify(flags)).digest('hex').slice(0, 12);
  const binary = join(PACKAGE_ROOT, 'node_modules', '.cache', 'skiff', `${name}-${hash}`);
  let p = building.get(binary);
  if (!p) {
    p = build(source, binary, flags);
    building.set(binary, p);
    p.catch(() => building.delete(binary));
  }
  return p;
}

async function build(source: string, binary: string, flags: string[]): Promise<string> {
  if (existsSync(binary)) return binary;
  await mkdir(dirname(binary), { recursive: true });
  // Several processes may build at once: each writes its own file, the rename is atomic.
  const tmp = `${binary}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  try {
    // cc is Debian's alternative for gcc; gcc itself when the alternative is missing.
    await promisify(execFile)('cc', ['-O2', ...flags, '-o', tmp, source]).catch(() => promisify(execFile)('gcc', ['-O2', ...flags, '-o', tmp, source]));
    await rename(tmp, binary);
  } finally {
    await rm(tmp, { force: true });
  }
  return binary;
}
