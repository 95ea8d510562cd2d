import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseMeminfo, parseProcStatCpu, readNodeCpuNanos, readNodeMemory } from './node-usage.ts';

const MEMINFO = `MemTotal:       24683520 kB
MemFree:        22437376 kB
MemAvailable:   23092224 kB
Buffers:           53248 kB
Cached:           863232 kB
Active(file):     300000 kB
Inactive(file):   500000 kB
`;

test('memory: usage = total − free, working set = usage − inactive file, available = total − working set', () => {
  const m = parseMeminfo(MEMINFO);
  assert.equal(m.capacityBytes, 24683520 * 1024);
  assert.equal(m.usageBytes, (24683520 - 22437376) * 1024);
  assert.equal(m.workingSetBytes, (24683520 - 22437376 - 500000) * 1024);
  assert.equal(m.availableBytes, m.capacityBytes - m.workingSetBytes);
});

test('/proc/stat: busy modes in USER_HZ ticks to nanoseconds', () => {
  assert.equal(parseProcStatCpu('cpu  100 5 50 9999 77 1 2 3 0 0\ncpu0 1 2 3\n'), (100 + 5 + 50 + 1 + 2 + 3) * 1e7);
  assert.equal(parseProcStatCpu('intr 1 2 3\n'), undefined);
});

test('the machine readings are plausible and the CPU counter moves forward', async () => {
  const m = await readNodeMemory();
  assert.ok(m.capacityBytes > 0 && m.workingSetBytes > 0 && m.workingSetBytes <= m.capacityBytes);
  const a = await readNodeCpuNanos();
  let x = 0;
  for (let i = 0; i < 5e6; i++) x += i; // some CPU time
  const b = await readNodeCpuNanos();
  assert.ok(a !== undefined && b !== undefined && b > a && x > 0);
});
