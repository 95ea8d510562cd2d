// Calls `fn` `count` times in batches that start at `initial` and double while every call of a
// batch succeeds; stops after the first batch with a failure (pkg/controller/replicaset:
// slowStartBatch). A quota or validation error then costs one call, not `count` calls, while a
// healthy burst of 500 creates still takes only ~9 round trips.

export interface SlowStartResult {
  /** Calls that succeeded. */
  successes: number;
  /** The first error of the failed batch, if any. */
  error?: unknown;
}

export async function slowStartBatch(count: number, initial: number, fn: (index: number) => Promise<void>): Promise<SlowStartResult> {
  let remaining = count;
  let successes = 0;
  let index = 0;
  for (let batch = Math.min(remaining, initial); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn(index++)));
    let error: unknown;
    let failed = false;
    for (const r of results) {
      if (r.status === 'fulfilled') successes += 1;
      else if (!failed) {
        failed = true;
        error = r.reason;
      }
    }
    if (failed) return { successes, error };
    remaining -= batch;
  }
  return { successes };
}
