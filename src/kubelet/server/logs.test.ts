import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTimestamp, parseLogQuery } from './logs.ts';
import { parseRoute } from './routes.ts';

describe('parseLogQuery', () => {
  it('reads the kubelet log options', () => {
    const q = new URLSearchParams('follow=true&tailLines=10&timestamps=1&limitBytes=100&previous=false');
    assert.deepEqual(parseLogQuery(q), { follow: true, previous: false, timestamps: true, tailLines: 10, limitBytes: 100 });
    assert.equal(parseLogQuery(new URLSearchParams('sinceSeconds=60'), 1_000_000).since?.getTime(), 940_000);
    assert.equal(parseLogQuery(new URLSearchParams('sinceTime=2024-05-01T10:00:00Z')).since?.toISOString(), '2024-05-01T10:00:00.000Z');
  });

  it('rejects invalid values as upstream validation does', () => {
    assert.throws(() => parseLogQuery(new URLSearchParams('tailLines=-1')), /tailLines: Invalid value: must be greater than or equal to 0/);
    assert.throws(() => parseLogQuery(new URLSearchParams('limitBytes=0')), /limitBytes: Invalid value: must be greater than 0/);
    assert.throws(() => parseLogQuery(new URLSearchParams('sinceSeconds=5&sinceTime=2024-05-01T10:00:00Z')), /at most one of `sinceTime` or `sinceSeconds`/);
    assert.throws(() => parseLogQuery(new URLSearchParams('tailLines=ten')), /expected an integer/);
  });
});

describe('formatTimestamp', () => {
  it('prints UTC with nine fractional digits (RFC3339NanoFixed)', () => {
    assert.equal(formatTimestamp('2024-05-01T10:00:00.123456789Z'), '2024-05-01T10:00:00.123456789Z');
    assert.equal(formatTimestamp('2024-05-01T10:00:00.5+00:00'), '2024-05-01T10:00:00.500000000Z');
    assert.equal(formatTimestamp('2024-05-01T12:00:00.000001+02:00'), '2024-05-01T10:00:00.000001000Z');
    assert.equal(formatTimestamp('2024-05-01T10:00:00Z'), '2024-05-01T10:00:00.000000000Z');
  });
});

describe('parseRoute', () => {
  it('knows the kubelet streaming paths', () => {
    assert.deepEqual(parseRoute('/containerLogs/ns/p/c'), { kind: 'logs', namespace: 'ns', pod: 'p', container: 'c' });
    assert.deepEqual(parseRoute('/exec/ns/p/c'), { kind: 'exec', namespace: 'ns', pod: 'p', container: 'c' });
    assert.deepEqual(parseRoute('/attach/ns/p/uid-1/c'), { kind: 'attach', namespace: 'ns', pod: 'p', uid: 'uid-1', container: 'c' });
    assert.deepEqual(parseRoute('/portForward/ns/p'), { kind: 'portForward', namespace: 'ns', pod: 'p' });
    assert.equal(parseRoute('/containerLogs/ns/p'), undefined);
    assert.equal(parseRoute('/stats/summary'), undefined);
  });
});
