// A container's status as the engine reports it, derived from its record and what conmon left:
// the exit file (`exits/<id>`, the code without a newline), the `oom` marker, and whether the
// process and its conmon still live.
import { stat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { cgroupSawOomKill } from './cgroups.ts';
import { containerPaths, writeRecord } from './container-record.ts';
import type { ContainerFinished, ContainerReason, ContainerRecord } from './container-record.ts';
import { isProcessAlive } from './monitor/process.ts';
import type { RuntimeSelector } from './oci-runtime.ts';

export type ContainerStatusName = 'created' | 'running' | 'stopped';

export interface ContainerStatus {
  id: string;
  name: string;
  runtime: RuntimeSelector;
  status: ContainerStatusName;
  pid?: number;
  exitCode?: number;
  reason?: ContainerReason;
  message?: string;
  createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  logPath: string;
  cgroupsPath: string;
  labels: Record<string, string>;
}

export async function containerStatus(dataDir: string, record: ContainerRecord): Promise<ContainerStatus> {
  const base: ContainerStatus = {
    id: record.id,
    name: record.name,
    runtime: record.runtime,
    status: 'created',
    createdAt: record.createdAt,
    logPath: record.logPath,
    cgroupsPath: record.cgroupsPath,
    labels: record.labels,
    ...(record.startedAt ? { startedAt: record.startedAt } : {}),
    ...(record.pid !== undefined ? { pid: record.pid } : {}),
  };
  const finished = record.finished ?? (await finishedState(dataDir, record));
  if (finished) {
    const { pid: _p, ...rest } = base;
    return {
      ...rest,
      status: 'stopped',
      exitCode: finished.exitCode,
      reason: finished.reason,
      finishedAt: finished.finishedAt,
      ...(finished.message ? { message: finished.message } : {}),
    };
  }
  return { ...base, status: record.phase === 'started' ? 'running' : 'created' };
}

/** How the container ended, from conmon's exit file; undefined while it runs. */
async function finishedState(dataDir: string, record: ContainerRecord): Promise<ContainerFinished | undefined> {
  const fromFile = await readExitFile(dataDir, record);
  if (fromFile) return fromFile;
  const alive = record.pid !== undefined && isProcessAlive(record.pid, record.pidStartTime);
  if (alive) return undefined;
  // The process is gone; conmon writes the exit file right after reaping it, then exits. Look
  // again until the file shows up, and a few more times once conmon is gone (it may have written
  // the file and exited between our checks).
  let checksAfterConmon = 0;
  for (let i = 0; i < 100 && checksAfterConmon < 3; i++) {
    const f = await readExitFile(dataDir, record);
    if (f) return f;
    if (record.conmonPid === undefined || !isProcessAlive(record.conmonPid)) checksAfterConmon++;
    await sleep(10);
  }
  if (record.phase === 'creating') return undefined;
  // conmon still busy (a loaded host): report running rather than invent an exit code.
  if (record.conmonPid !== undefined && isProcessAlive(record.conmonPid)) return undefined;
  // Neither the process nor its monitor: nobody will ever write an exit code.
  const finished: ContainerFinished = {
    exitCode: 255,
    reason: 'Error',
    finishedAt: new Date().toISOString(),
    message: 'container monitor (conmon) exited without recording an exit code',
  };
  await writeRecord(dataDir, { ...record, finished }, { existing: true }).catch(() => {});
  return finished;
}

export async function readExitFile(dataDir: string, record: ContainerRecord): Promise<ContainerFinished | undefined> {
  const paths = containerPaths(dataDir, record.id);
  let text: string;
  let finishedAt: string;
  try {
    text = await readFile(paths.exitFile, 'utf8');
    finishedAt = (await stat(paths.exitFile)).mtime.toISOString();
  } catch {
    return undefined;
  }
  if (text.trim() === '') return undefined; // being written
  const exitCode = Number(text.trim());
  const oom =
    (await exists(join(paths.persistDir, 'oom'))) ||
    (await exists(join(paths.conmonDir, 'oom'))) ||
    (exitCode === 137 && (await cgroupSawOomKill(record.cgroupsPath)));
  const reason: ContainerReason = oom ? 'OOMKilled' : exitCode === 0 ? 'Completed' : 'Error';
  return { exitCode, reason, finishedAt };
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
