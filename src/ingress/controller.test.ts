import assert from 'node:assert/strict';
import { test } from 'node:test';
import { desiredAddresses } from './controller.ts';

test('status: this node\'s address added while served, removed when not; other nodes\' kept while they exist', () => {
  const nodes = new Set(['192.168.1.1', '192.168.1.2']);
  assert.deepEqual(desiredAddresses([], '192.168.1.2', true, nodes), [{ ip: '192.168.1.2' }]);
  assert.deepEqual(desiredAddresses([{ ip: '192.168.1.2' }], '192.168.1.1', true, nodes), [{ ip: '192.168.1.1' }, { ip: '192.168.1.2' }]);
  assert.deepEqual(desiredAddresses([{ ip: '192.168.1.1' }, { ip: '192.168.1.2' }], '192.168.1.1', false, nodes), [{ ip: '192.168.1.2' }]);
  // A node that is gone leaves with its address; a hostname entry is nobody's.
  assert.deepEqual(desiredAddresses([{ ip: '192.168.1.9' }, { hostname: 'lb.example' }], '192.168.1.1', true, nodes), [{ ip: '192.168.1.1' }]);
});
