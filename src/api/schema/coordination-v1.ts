// coordination.k8s.io/v1: leases for leader election and node heartbeats. Mirrors
// staging/src/k8s.io/api/coordination/v1/types.go.
import type { Definitions, GVK } from './dsl.ts';
import { int, kind, listKind, MICRO_TIME, obj, ref, str } from './dsl.ts';

const P = 'io.k8s.api.coordination.v1';
const gvk = (k: string): GVK[] => [{ group: 'coordination.k8s.io', version: 'v1', kind: k }];

export const definitions: Definitions = {
  [`${P}.Lease`]: kind(gvk('Lease'), {
    spec: ref(`${P}.LeaseSpec`, 'Who holds the lease and for how long.'),
  }, { d: 'A named lock with a holder and an expiry.' }),
  [`${P}.LeaseList`]: listKind(gvk('LeaseList'), `${P}.Lease`),
  [`${P}.LeaseSpec`]: obj({
    holderIdentity: str('Identity of the current holder.'),
    leaseDurationSeconds: int('How long others must wait after the last renewal before taking over.'),
    acquireTime: ref(MICRO_TIME, 'When the current holder acquired the lease.'),
    renewTime: ref(MICRO_TIME, 'When the current holder last renewed the lease.'),
    leaseTransitions: int('How many times the lease has changed hands.'),
    strategy: str('Strategy for picking the next holder under coordinated leader election.'),
    preferredHolder: str('Holder that should take over next under coordinated leader election.'),
  }, { d: 'State of a Lease.' }),
};
