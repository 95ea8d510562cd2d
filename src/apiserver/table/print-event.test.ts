import { test } from 'node:test';
import assert from 'node:assert/strict';
import { eventPrinter, eventsV1Printer } from './print-event.ts';
import { HOUR, MIN, NOW, SEC, ago, obj } from './test-helpers.ts';

test('core event: LAST SEEN, TYPE, REASON, OBJECT, MESSAGE and the wide columns', () => {
  const ev = obj('web.17f3', HOUR, {
    involvedObject: { kind: 'Pod', name: 'web', namespace: 'default', fieldPath: 'spec.containers{app}' },
    reason: 'BackOff', message: '  Back-off restarting failed container\n', type: 'Warning',
    source: { component: 'kubelet', host: 'node-1' }, firstTimestamp: ago(HOUR), lastTimestamp: ago(30 * SEC), count: 12,
  });
  assert.deepEqual(eventPrinter.cells(ev, NOW), [
    '30s', 'Warning', 'BackOff', 'pod/web', 'spec.containers{app}', 'kubelet, node-1', 'Back-off restarting failed container', '60m', 12, 'web.17f3',
  ]);
  assert.deepEqual(eventPrinter.columns.map((c) => c.name), ['Last Seen', 'Type', 'Reason', 'Object', 'Subobject', 'Source', 'Message', 'First Seen', 'Count', 'Name']);
  assert.deepEqual(eventPrinter.columns.filter((c) => c.priority === 0).map((c) => c.name), ['Last Seen', 'Type', 'Reason', 'Object', 'Message']);
  assert.equal(eventPrinter.columns.find((c) => c.name === 'Name')?.format, 'name');
});

test('core event from the new API: eventTime, series, reporting controller, no count', () => {
  const single = obj('e1', MIN, {
    involvedObject: { kind: 'Node' }, reason: 'Starting', message: 'x', type: 'Normal',
    eventTime: ago(2 * MIN), reportingComponent: 'kube-proxy', reportingInstance: 'node-1',
  });
  assert.deepEqual(eventPrinter.cells(single, NOW), ['2m', 'Normal', 'Starting', 'node', '', 'kube-proxy, node-1', 'x', '2m', 1, 'e1']);

  const series = obj('e2', MIN, {
    involvedObject: { kind: 'Pod', name: 'p' }, eventTime: ago(10 * MIN), series: { count: 4, lastObservedTime: ago(5 * SEC) },
  });
  const c = eventPrinter.cells(series, NOW);
  assert.deepEqual([c[0], c[7], c[8]], ['5s', '10m', 4]);
});

test('events.k8s.io/v1 event reads regarding, note and the deprecated fields', () => {
  const ev = obj('web.17f3', HOUR, {
    regarding: { kind: 'Deployment', name: 'web' }, note: 'Scaled up replica set web-6d4f to 3', reason: 'ScalingReplicaSet', type: 'Normal',
    reportingController: 'deployment-controller', eventTime: ago(3 * MIN),
    deprecatedFirstTimestamp: ago(20 * MIN), deprecatedLastTimestamp: ago(3 * MIN), deprecatedCount: 2,
  });
  assert.deepEqual(eventsV1Printer.cells(ev, NOW), [
    '3m', 'Normal', 'ScalingReplicaSet', 'deployment/web', '', 'deployment-controller', 'Scaled up replica set web-6d4f to 3', '20m', 2, 'web.17f3',
  ]);
  const missing = eventsV1Printer.cells(obj('e', 0, {}), NOW);
  assert.deepEqual(missing, ['<unknown>', '', '', '', '', '', '', '<unknown>', 1, 'e']);
});
