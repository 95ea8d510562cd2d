// Wire tables for k8s.io/api scheduling/v1 (release-1.36 field numbers): one row per message, format in ../table.ts.
import type { PackageTable } from '../table.ts';

export const schedulingV1: PackageTable = {
  proto: 'k8s.io.api.scheduling.v1',
  alias: 'scheduling',
  messages: {
    PriorityClass: ['1 metadata meta.ObjectMeta', '2 value *int32', '3 globalDefault bool', '4 description string', '5 preemptionPolicy *string'],
  },
};
