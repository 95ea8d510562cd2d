// Wire tables for k8s.io/api events/v1 (release-1.36 field numbers): one row per message, format in ../table.ts.
import type { PackageTable } from '../table.ts';

export const eventsV1: PackageTable = {
  proto: 'k8s.io.api.events.v1',
  alias: 'events',
  messages: {
    Event: [
      '1 metadata *meta.ObjectMeta', '2 eventTime *MicroTime', '3 series *EventSeries', '4 reportingController string',
      '5 reportingInstance string', '6 action string', '7 reason string', '8 regarding core.ObjectReference',
      '9 related *core.ObjectReference', '10 note string', '11 type string', '12 deprecatedSource core.EventSource',
      '13 deprecatedFirstTimestamp Time', '14 deprecatedLastTimestamp Time', '15 deprecatedCount int32',
    ],
    EventSeries: ['1 count *int32', '2 lastObservedTime *MicroTime'],
  },
};
