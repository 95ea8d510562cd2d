import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { containerStatus } from './container-status.ts';
import { containerPaths, readRecord, writeRecord } from './container-record.ts';
import type { ContainerRecord } from './container-record.ts';

function deadPid(): number {
  return spawnSync('true').pid;
}

function record(id: string): ContainerRecord {
  return {
    id, name: 'c', runtime: 'crun', phase: 'started', createdAt: new Date().toISOString(),
    rootfs: { kind: 'directory', path: '/' }, logPath: '/dev/null', cgroupsPath: '/x', cgroupRoot: '/x',
    tty: false, labels: {}, pid: deadPid(), pidStartTime: 'gone',
  };
}

test('a container whose process and monitor are gone is stopped, and that is recorded', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-status-'));
  try {
    const r = record('a'.repeat(64));
    await writeRecord(dataDir, r);
    const s = await containerStatus(dataDir, r);
    assert.equal(s.status, 'stopped');
    assert.equal(s.exitCode, 255);
    assert.equal((await readRecord(dataDir, r.id)).finished?.exitCode, 255);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});

test('a status read racing the container\'s removal does not bring its directory back', async () => {
  const dataDir = await mkdtemp(join(tmpdir(), 'skiff-status-'));
  try {
    const r = record('b'.repeat(64));
    // The record was read, then the container was removed before its status was derived.
    const s = await containerStatus(dataDir, r);
    assert.equal(s.status, 'stopped');
    assert.equal(existsSync(containerPaths(dataDir, r.id).dir), false);
  } finally {
    await rm(dataDir, { recursive: true, force: true });
  }
});
