import { setTimeout as sleep } from 'node:timers/promises';

/** Sleeps `ms`; false if the signal aborted first. */
export async function sleepOrAbort(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return false;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
}
