// `npm run build`: the CLI as one bundle (esbuild, from tsx's dependencies) in dist/cli. Node loads
// one file (plus chunks for the lazily imported control plane and node agent) instead of ~300
// modules, which saves ~150 ms on every `skiff` command. Types are checked by `npm run typecheck`.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
await build({
  // The YAML decoding thread is its own file: a Worker runs a file (src/apiserver/yaml-off-thread.ts).
  entryPoints: { main: join(root, 'src', 'cli', 'main.ts'), 'yaml-worker': join(root, 'src', 'apiserver', 'yaml-worker.ts') },
  outdir: join(root, 'dist', 'cli'),
  chunkNames: 'chunks/[name]-[hash]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  // The native SQLite binding stays a package; CommonJS dependencies get a require().
  external: ['better-sqlite3'],
  banner: { js: "import { createRequire as __skiffRequire } from 'node:module'; const require = __skiffRequire(import.meta.url);" },
  logLevel: 'warning',
});
