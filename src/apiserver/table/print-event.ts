// Event rows for core/v1 and events.k8s.io/v1, mirroring printEvent in
// pkg/printers/internalversion/printers.go. Upstream prints both from the internal type; here an
// events.k8s.io object is first read into core's field names.
import type { KubeObject } from '../../api/meta.ts';
import { NAME, col, wide } from './columns.ts';
import { since } from './human-duration.ts';
import type { Printer } from './types.ts';

interface ObjectRef { kind?: string; name?: string; fieldPath?: string }
interface Series { count?: number; lastObservedTime?: string }

interface CoreEvent extends KubeObject {
  involvedObject?: ObjectRef;
  reason?: string;
  message?: string;
  source?: { component?: string; host?: string };
  firstTimestamp?: string;
  lastTimestamp?: string;
  count?: number;
  type?: string;
  eventTime?: string;
  series?: Series;
  reportingComponent?: string;
  reportingInstance?: string;
}

interface NewEvent extends KubeObject {
  regarding?: ObjectRef;
  note?: string;
  reason?: string;
  type?: string;
  eventTime?: string;
  series?: Series;
  reportingController?: string;
  reportingInstance?: string;
  deprecatedSource?: { component?: string; host?: string };
  deprecatedFirstTimestamp?: string;
  deprecatedLastTimestamp?: string;
  deprecatedCount?: number;
}

interface EventView {
  name: string; involved: ObjectRef; reason: string; message: string; type: string;
  component: string; host: string; first?: string | undefined; last?: string | undefined; eventTime?: string | undefined;
  count: number; series?: Series | undefined;
}

function fromCore(e: CoreEvent): EventView {
  return {
    name: e.metadata.name ?? '', involved: e.involvedObject ?? {}, reason: e.reason ?? '', message: e.message ?? '',
    type: e.type ?? '', component: e.source?.component || e.reportingComponent || '', host: e.source?.host || e.reportingInstance || '',
    first: e.firstTimestamp, last: e.lastTimestamp, eventTime: e.eventTime, count: e.count ?? 0, series: e.series,
  };
}

function fromEventsV1(e: NewEvent): EventView {
  return {
    name: e.metadata.name ?? '', involved: e.regarding ?? {}, reason: e.reason ?? '', message: e.note ?? '',
    type: e.type ?? '', component: e.deprecatedSource?.component || e.reportingController || '',
    host: e.deprecatedSource?.host || e.reportingInstance || '', first: e.deprecatedFirstTimestamp,
    last: e.deprecatedLastTimestamp, eventTime: e.eventTime, count: e.deprecatedCount ?? 0, series: e.series,
  };
}

function eventCells(ev: EventView, now: number): unknown[] {
  const first = ev.first ? since(ev.first, now) : since(ev.eventTime, now);
  let last = ev.last ? since(ev.last, now) : first;
  let count = ev.count;
  if (ev.series) {
    last = since(ev.series.lastObservedTime, now);
    count = ev.series.count ?? 0;
  } else if (count === 0) {
    count = 1; // singleton events of the new API carry no count
  }
  const kind = (ev.involved.kind ?? '').toLowerCase();
  const target = ev.involved.name ? `${kind}/${ev.involved.name}` : kind;
  const source = ev.host ? `${ev.component}, ${ev.host}` : ev.component;
  return [last, ev.type, ev.reason, target, ev.involved.fieldPath ?? '', source, ev.message.trim(), first, count, ev.name];
}

const columns = [
  col('Last Seen', 'string', 'Time since the event was last observed.'),
  col('Type', 'string', 'Normal or Warning.'),
  col('Reason', 'string', 'Short machine-readable cause of the event.'),
  col('Object', 'string', 'The object the event is about, as kind/name.'),
  wide('Subobject', 'string', 'The part of the object the event is about, such as a container.'),
  wide('Source', 'string', 'Component, and host, that reported the event.'),
  col('Message', 'string', 'Human-readable description of the event.'),
  wide('First Seen', 'string', 'Time since the event was first observed.'),
  wide('Count', 'string', 'How many times the event has occurred.'),
  { ...NAME, priority: 1 },
];

export const eventPrinter: Printer = {
  columns,
  cells: (obj, now) => eventCells(fromCore(obj), now),
};

export const eventsV1Printer: Printer = {
  columns,
  cells(obj, now) {
    // Objects kept in core's shape may reach this version unconverted; read whichever fields exist.
    const looksCore = 'involvedObject' in obj || 'message' in obj || 'firstTimestamp' in obj;
    return eventCells(looksCore ? fromCore(obj) : fromEventsV1(obj), now);
  },
};
