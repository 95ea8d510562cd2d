import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isStatusError } from '../../api/errors.ts';
import type { Node, Pod } from '../../api/types/core-v1.ts';
import { kubeletAddress } from '../kubelet-client.ts';
import { statusFromKubelet, validateContainer, validatePodLogOptions } from './pod-streams.ts';

function pod(containers: string[], init: string[] = []): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' },
    spec: { containers: containers.map((name) => ({ name, image: 'busybox' })), ...(init.length ? { initContainers: init.map((name) => ({ name, image: 'busybox' })) } : {}) },
  };
}

function badRequestMessage(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    assert.ok(isStatusError(err));
    assert.equal(err.code, 400);
    assert.equal(err.reason, 'BadRequest');
    return err.message;
  }
  assert.fail('expected a BadRequest');
}

describe('validateContainer (pkg/registry/core/pod/strategy.go)', () => {
  it('defaults to the only container and accepts any container of the pod by name', () => {
    assert.equal(validateContainer('', pod(['web'])), 'web');
    assert.equal(validateContainer('setup', pod(['web'], ['setup'])), 'setup');
    assert.equal(validateContainer('web', pod(['web', 'side'])), 'web');
  });

  it('asks for a name when there are several containers, and rejects unknown names', () => {
    assert.equal(badRequestMessage(() => validateContainer('', pod(['a', 'b'], ['init']))), 'a container name must be specified for pod p, choose one of: [init a b]');
    assert.equal(badRequestMessage(() => validateContainer('nope', pod(['a']))), 'container nope is not valid for pod p');
  });
});

describe('kubeletAddress', () => {
  const node = (addresses: Array<{ type: 'InternalIP' | 'Hostname' | 'ExternalIP'; address: string }>, port?: number): Node => ({
    apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' },
    status: { addresses, ...(port !== undefined ? { daemonEndpoints: { kubeletEndpoint: { Port: port } } } : {}) },
  });

  it('prefers the InternalIP and the advertised kubelet port, 10250 by default', () => {
    assert.deepEqual(kubeletAddress(node([{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '10.0.0.5' }], 12345)), { host: '10.0.0.5', port: 12345 });
    assert.deepEqual(kubeletAddress(node([{ type: 'ExternalIP', address: '192.0.2.1' }])), { host: '192.0.2.1', port: 10250 });
  });

  it('fails for a node without addresses', () => {
    assert.throws(() => kubeletAddress(node([])), /no preferred addresses found/);
  });
});

describe('statusFromKubelet (rest/streamer.go)', () => {
  it('turns the kubelet\'s plain-text errors into Status', () => {
    assert.deepEqual(
      [statusFromKubelet(400, 'container "c" in pod "p" is waiting to start: ContainerCreating\n')].map((s) => [s.code, s.reason, s.message]),
      [[400, 'BadRequest', 'container "c" in pod "p" is waiting to start: ContainerCreating']],
    );
    assert.equal(statusFromKubelet(500, 'boom').message, 'Internal error occurred: boom');
    assert.equal(statusFromKubelet(404, 'pod "x" not found').reason, 'NotFound');
    assert.equal(statusFromKubelet(502, '').message, 'the server responded with the status code 502 but did not return more information');
  });
});

describe('validatePodLogOptions', () => {
  it('answers 422 with the upstream field messages', () => {
    const msg = (q: string): string => {
      try {
        validatePodLogOptions('web', new URLSearchParams(q));
      } catch (err) {
        assert.ok(isStatusError(err));
        assert.equal(err.code, 422);
        return err.message;
      }
      return 'valid';
    };
    assert.equal(msg('tailLines=3&limitBytes=10&sinceSeconds=5'), 'valid');
    assert.equal(msg('tailLines=-1'), 'PodLogOptions "web" is invalid: tailLines: Invalid value: -1: must be greater than or equal to 0');
    assert.equal(msg('limitBytes=0&sinceSeconds=0'), 'PodLogOptions "web" is invalid: [limitBytes: Invalid value: 0: must be greater than 0, sinceSeconds: Invalid value: 0: must be greater than 0]');
    assert.match(msg('sinceSeconds=5&sinceTime=2024-01-01T00:00:00Z'), /at most one of `sinceTime` or `sinceSeconds` may be specified/);
  });
});
