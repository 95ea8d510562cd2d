// Wire tables for k8s.io/api coordination/v1 (release-1.36 field numbers): one row per message, format in ../table.ts.
import type { PackageTable } from '../table.ts';

export const coordinationV1: PackageTable = {
  proto: 'k8s.io.api.coordination.v1',
  alias: 'coordination',
  messages: {
    Lease: ['1 metadata meta.ObjectMeta', '2 spec LeaseSpec'],
    LeaseSpec: [
      '1 holderIdentity *string', '2 leaseDurationSeconds *int32', '3 acquireTime *MicroTime', '4 renewTime *MicroTime',
      '5 leaseTransitions *int32', '6 strategy *string', '7 preferredHolder *string',
    ],
  },
};
