import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { it } from 'node:test';
import { tempStore } from './testdata/temp-store.ts';

const writer = fileURLToPath(new URL('./testdata/durability-writer.ts', import.meta.url));

it('keeps every acknowledged write across kill -9 and never reuses revisions', async () => {
  const t = await tempStore();
  try {
    await t.store.close();
    const child = spawn(process.execPath, ['--import', 'tsx', writer, t.path], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    const acked = new Map<string, number>();
    const lines = createInterface({ input: child.stdout });
    for await (const line of lines) {
      const [key, rev] = line.split(' ');
      if (key === undefined || rev === undefined) continue;
      acked.set(key, Number(rev));
      // Kill it mid-stream, while writes are in flight.
      if (acked.size === 3_000) {
        assert.ok(child.pid !== undefined);
        process.kill(child.pid, 'SIGKILL');
      }
    }
    const [, signal] = (await exited) as [number | null, NodeJS.Signals | null];
    assert.equal(signal, 'SIGKILL');
    assert.ok(acked.size >= 3_000);

    const s = await t.reopen();
    let maxRev = 0;
    for (const [key, rev] of acked) {
      const kv = await s.get(key);
      assert.equal(kv.value, `value-${key}`);
      assert.equal(kv.modRevision, rev);
      maxRev = Math.max(maxRev, rev);
    }
    const current = await s.currentRevision();
    assert.ok(current >= maxRev);
    assert.equal(await s.count('/durable/'), current);
    assert.equal((await s.create('/after-crash', 'v')).modRevision, current + 1);
  } finally {
    await t.cleanup();
  }
});
