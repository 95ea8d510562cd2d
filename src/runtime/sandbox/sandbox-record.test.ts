import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { isSandboxNotFound } from './errors.ts';
import { listSandboxIds, readSandboxRecord, removeSandboxRecord, writeSandboxRecord } from './sandbox-record.ts';
import type { SandboxRecord } from './sandbox-record.ts';

const dir = mkdtempSync('/tmp/skiff-sandbox-record-');
after(() => rmSync(dir, { recursive: true, force: true }));

const record: SandboxRecord = {
  id: 'pod-1',
  name: 'web',
  hostname: 'web',
  cgroupParent: '/skiff/pod-pod-1',
  network: 'pod',
  shareProcessNamespace: false,
  portMappings: [],
  phase: 'creating',
  createdAt: new Date(0).toISOString(),
  namespaces: { ipc: '/run/skiff/ipcns/pod-1' },
  labels: {},
};

test('records round-trip, list ignores temp files, remove is idempotent', async () => {
  await writeSandboxRecord(dir, record);
  assert.deepEqual(await readSandboxRecord(dir, 'pod-1'), record);
  writeFileSync(join(dir, 'sandboxes', 'pod-2.json.abcd.tmp'), '{');
  assert.deepEqual(await listSandboxIds(dir), ['pod-1']);
  await removeSandboxRecord(dir, 'pod-1');
  await removeSandboxRecord(dir, 'pod-1');
  await assert.rejects(readSandboxRecord(dir, 'pod-1'), isSandboxNotFound);
});

test('ids that could escape the directory are not found', async () => {
  await assert.rejects(readSandboxRecord(dir, '../etc/passwd'), isSandboxNotFound);
  assert.deepEqual(await listSandboxIds(join(dir, 'missing')), []);
});
