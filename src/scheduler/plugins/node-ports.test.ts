import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types/core-v1.ts';
import { cluster, container, node, onNode, pod, runFilter } from '../testing/fixtures.ts';
import { nodePorts } from './node-ports.ts';

const CONFLICT = "node(s) didn't have free ports for the requested pod ports";

function withPort(name: string, hostPort: number, hostIP?: string, protocol: 'TCP' | 'UDP' = 'TCP'): Pod {
  return pod(name, { containers: [container({}, { ports: [{ containerPort: 80, hostPort, protocol, ...(hostIP ? { hostIP } : {}) }] })] });
}

describe('NodePorts', () => {
  it('Scheduling, HostPort and Protocol match, HostIPs different but one is default HostIP (0.0.0.0): conflict', () => {
    const c = cluster([node('n')], [onNode(withPort('a', 54322, '0.0.0.0'), 'n')]);
    assert.deepEqual(runFilter(nodePorts, withPort('b', 54322, '127.0.0.1'), c), { n: CONFLICT });
    const c2 = cluster([node('n')], [onNode(withPort('a', 54322, '127.0.0.1'), 'n')]);
    assert.deepEqual(runFilter(nodePorts, withPort('b', 54322), c2), { n: CONFLICT });
  });

  it('Scheduling, HostPort matching and HostIP and Protocol not-matching: no conflict', () => {
    const c = cluster([node('n')], [onNode(withPort('a', 54321, '127.0.0.1'), 'n'), onNode(withPort('b', 54321, '127.0.0.2'), 'n')]);
    assert.deepEqual(runFilter(nodePorts, withPort('c', 54321, '127.0.0.2', 'UDP'), c), { n: '' });
    assert.deepEqual(runFilter(nodePorts, withPort('d', 54321, '127.0.0.3'), c), { n: '' });
    assert.deepEqual(runFilter(nodePorts, withPort('e', 54321, '127.0.0.2'), c), { n: CONFLICT });
  });

  it('a port frees up when the pod holding it goes', () => {
    const held = onNode(withPort('a', 8080), 'n');
    const c = cluster([node('n'), node('m')], [held]);
    assert.deepEqual(runFilter(nodePorts, withPort('b', 8080), c), { n: CONFLICT, m: '' });
    c.removePod(held);
    assert.deepEqual(runFilter(nodePorts, withPort('b', 8080), c), { n: '', m: '' });
  });
});
