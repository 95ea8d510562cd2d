import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createProgressPrinter } from './progress-printer.ts';
import type { PullBlob, PullEvent } from './pull-events.ts';

const config: PullBlob = { digest: `sha256:${'c'.repeat(64)}`, role: 'config', index: 0, size: 500 };
const layer: PullBlob = { digest: `sha256:${'a'.repeat(64)}`, role: 'layer', index: 1, size: 2_000_000 };
const events: PullEvent[] = [
  { type: 'resolving', ref: '127.0.0.1:5000/app:v1', registry: '127.0.0.1:5000', plainHttp: true },
  { type: 'resolved', ref: '127.0.0.1:5000/app:v1', manifestDigest: `sha256:${'m'.repeat(64)}`, blobs: [config, layer] },
  { type: 'blob', blob: config, state: 'exists', completed: 500, resumedFrom: 0 },
  { type: 'blob', blob: layer, state: 'downloading', completed: 1_500_000, resumedFrom: 1_000_000 },
  { type: 'blob', blob: layer, state: 'downloaded', completed: 2_000_000, resumedFrom: 0 },
  { type: 'storing', ref: '127.0.0.1:5000/app:v1' },
];

test('without a terminal: one line per blob', () => {
  let text = '';
  const print = createProgressPrinter({ write: (s: string) => { text += s; } });
  for (const e of events) print(e);
  assert.equal(text, [
    'Pulling 127.0.0.1:5000/app:v1 (plain HTTP: 127.0.0.1:5000 is a loopback registry)',
    `Manifest sha256:${'m'.repeat(64)}: 1 layer, 2.0 MB`,
    'config      cccccccccccc: already present',
    'layer 1/1   aaaaaaaaaaaa: downloaded 2.0 MB (resumed at 1.0 MB)',
    'Storing and unpacking layers',
    '',
  ].join('\n'));
});

test('on a terminal: bars redrawn in place', () => {
  let text = '';
  const print = createProgressPrinter({ write: (s: string) => { text += s; }, isTTY: true, columns: 80 });
  for (const e of events) print(e);
  const shown = text.replaceAll('\u001b', 'ESC');
  assert.match(shown, /ESC\[2Klayer 1\/1 {3}aaaaaaaaaaaa \[={22}>\s+\] {2}75% 1\.5 MB\/2\.0 MB resumed at 1\.0 MB\n/);
  assert.match(shown, /ESC\[2Kconfig {6}cccccccccccc already present\n/);
  assert.match(shown, /ESC\[2AESC\[2Kconfig[^\n]*\nESC\[2Klayer 1\/1 {3}aaaaaaaaaaaa \[={30}\] 100% 2\.0 MB\/2\.0 MB done\n/);
});
