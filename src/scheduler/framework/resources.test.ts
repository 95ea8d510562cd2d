import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { container, pod } from '../testing/fixtures.ts';
import { DEFAULT_MEMORY_REQUEST, DEFAULT_MILLI_CPU_REQUEST, isScalarResourceName, podRequests } from './resources.ts';

const GI = 2 ** 30;
const MI = 2 ** 20;

describe('podRequests', () => {
  it('sums the app containers (seed B4: 1 GiB + 0.5 GiB is one request of 1.5 GiB)', () => {
    const r = podRequests(pod('p', { containers: [container({ memory: '1Gi', cpu: '250m' }), container({ memory: '512Mi', cpu: '0.5' })] }));
    assert.equal(r.memory, 1.5 * GI);
    assert.equal(r.milliCPU, 750);
  });

  it('takes the largest init container when it exceeds the app containers', () => {
    const r = podRequests(pod('p', {
      initContainers: [container({ memory: '2Gi' }), container({ cpu: '3' })],
      containers: [container({ memory: '1Gi', cpu: '1' })],
    }));
    assert.equal(r.memory, 2 * GI);
    assert.equal(r.milliCPU, 3000);
  });

  it('adds sidecars (init containers with restartPolicy Always) to the app containers and to later init steps', () => {
    const r = podRequests(pod('p', {
      initContainers: [
        container({ memory: '100Mi' }, { restartPolicy: 'Always' }),
        container({ memory: '1Gi' }),
      ],
      containers: [container({ memory: '200Mi' })],
    }));
    // Init step 2 runs beside the sidecar: 1 GiB + 100 MiB beats 200 MiB + 100 MiB.
    assert.equal(r.memory, GI + 100 * MI);
    const r2 = podRequests(pod('p', {
      initContainers: [container({ memory: '100Mi' }, { restartPolicy: 'Always' }), container({ memory: '50Mi' })],
      containers: [container({ memory: '200Mi' })],
    }));
    assert.equal(r2.memory, 300 * MI);
  });

  it('adds the pod overhead', () => {
    const r = podRequests(pod('p', { containers: [container({ cpu: '1' })], overhead: { cpu: '250m', memory: '120Mi' } }));
    assert.equal(r.milliCPU, 1250);
    assert.equal(r.memory, 120 * MI);
  });

  it('counts a limit without a request as the request (API defaulting)', () => {
    const r = podRequests(pod('p', { containers: [container({}, { resources: { limits: { memory: '64Mi' } } })] }));
    assert.equal(r.memory, 64 * MI);
  });

  it('fills scheduler defaults for missing cpu and memory when asked (non-zero requests for scoring)', () => {
    const r = podRequests(pod('p', { containers: [container({}), container({ cpu: '200m' })] }), true);
    assert.equal(r.milliCPU, DEFAULT_MILLI_CPU_REQUEST + 200);
    assert.equal(r.memory, 2 * DEFAULT_MEMORY_REQUEST);
  });

  it('keeps extended resources, hugepages and ephemeral storage apart', () => {
    const r = podRequests(pod('p', { containers: [container({ 'example.com/gpu': '2', 'hugepages-2Mi': '4Mi', 'ephemeral-storage': '1Gi' })] }));
    assert.equal(r.scalar.get('example.com/gpu'), 2);
    assert.equal(r.scalar.get('hugepages-2Mi'), 4 * MI);
    assert.equal(r.ephemeralStorage, GI);
  });

  it('scalar resource names', () => {
    assert.ok(isScalarResourceName('example.com/foo'));
    assert.ok(isScalarResourceName('hugepages-1Gi'));
    assert.ok(!isScalarResourceName('cpu'));
    assert.ok(!isScalarResourceName('requests.example.com/foo'));
  });
});
