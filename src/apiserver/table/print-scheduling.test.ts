import { test } from 'node:test';
import assert from 'node:assert/strict';
import { priorityClassPrinter } from './print-scheduling.ts';
import { DAY, NOW, obj } from './test-helpers.ts';

test('priority classes: NAME VALUE GLOBAL-DEFAULT AGE PREEMPTIONPOLICY', () => {
  assert.deepEqual(priorityClassPrinter.columns.map((c) => [c.name, c.type, c.priority]), [
    ['Name', 'string', 0], ['Value', 'integer', 0], ['Global-Default', 'boolean', 0], ['Age', 'string', 0], ['PreemptionPolicy', 'string', 0],
  ]);
  const pc = obj('system-node-critical', DAY, { value: 2000001000, preemptionPolicy: 'PreemptLowerPriority' }, { namespace: undefined });
  assert.deepEqual(priorityClassPrinter.cells(pc, NOW), ['system-node-critical', 2000001000, false, '24h', 'PreemptLowerPriority']);
  assert.deepEqual(priorityClassPrinter.cells(obj('d', DAY, { value: 5, globalDefault: true }, { namespace: undefined }), NOW), ['d', 5, true, '24h', '']);
});
