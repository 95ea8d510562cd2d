// events.k8s.io/v1: the structured Event, stored with core/v1 events. Mirrors
// staging/src/k8s.io/api/events/v1/types.go.
import type { Definitions, GVK } from './dsl.ts';
import { int, kind, listKind, MICRO_TIME, obj, ref, str, time } from './dsl.ts';

const P = 'io.k8s.api.events.v1';
const gvk = (k: string): GVK[] => [{ group: 'events.k8s.io', version: 'v1', kind: k }];
const OBJECT_REFERENCE = 'io.k8s.api.core.v1.ObjectReference';

export const definitions: Definitions = {
  [`${P}.Event`]: kind(gvk('Event'), {
    eventTime: ref(MICRO_TIME, 'When the event first happened.'),
    series: ref(`${P}.EventSeries`, 'Present when the event is a repeat of an earlier one.'),
    reportingController: str('Controller that emitted the event, e.g. kubernetes.io/kubelet.'),
    reportingInstance: str('Instance of that controller, e.g. kubelet-node1.'),
    action: str('What was done or failed, e.g. Binding.'),
    reason: str('Why it happened, in CamelCase.'),
    regarding: ref(OBJECT_REFERENCE, 'Object the event is about.'),
    related: ref(OBJECT_REFERENCE, 'A second object involved, if any.'),
    note: str('Human-readable description, at most 1 kB.'),
    type: str('Normal or Warning.'),
    deprecatedSource: ref('io.k8s.api.core.v1.EventSource', 'Source as the core/v1 Event records it.'),
    deprecatedFirstTimestamp: time('First occurrence as the core/v1 Event records it.'),
    deprecatedLastTimestamp: time('Last occurrence as the core/v1 Event records it.'),
    deprecatedCount: int('Occurrence count as the core/v1 Event records it.'),
  }, { d: 'A report of something that happened in the cluster.', required: ['eventTime'] }),
  [`${P}.EventList`]: listKind(gvk('EventList'), `${P}.Event`),
  [`${P}.EventSeries`]: obj({
    count: int('Occurrences seen since the last heartbeat.'),
    lastObservedTime: ref(MICRO_TIME, 'When the last occurrence was seen.'),
  }, { d: 'Counts repeats of an event.', required: ['count', 'lastObservedTime'] }),
};
