// CertificateSigningRequest's strategies (pkg/registry/certificates/certificates/strategy.go):
// the requester's identity is recorded by the server, never taken from the client; the main
// resource changes neither spec nor status, /status changes the certificate and conditions other
// than Approved and Denied, /approval changes only the conditions.
import type { KubeObject } from '../../api/meta.ts';
import type { UserInfo } from '../admission/types.ts';

type Obj = Record<string, any>;
type Condition = Record<string, unknown>;

const APPROVAL_TYPES = new Set(['Approved', 'Denied']);

export const CSR_RESOURCE = 'certificatesigningrequests';

/** PrepareForCreate: status cleared, spec.username/uid/groups/extra from the authenticated user. */
export function prepareCsrForCreate(obj: KubeObject, user: UserInfo | undefined): void {
  delete obj.status;
  const spec = ((obj.spec as Obj | undefined) ?? {});
  obj.spec = spec;
  delete spec.username; delete spec.uid; delete spec.groups; delete spec.extra;
  if (!user) return;
  spec.username = user.name;
  if (user.uid) spec.uid = user.uid;
  if (user.groups.length) spec.groups = [...user.groups];
  if (user.extra && Object.keys(user.extra).length) spec.extra = structuredClone(user.extra);
}

/** PrepareForUpdate of the main resource and of /status and /approval. */
export function prepareCsrForUpdate(next: KubeObject, old: KubeObject, subresource: string, now = new Date()): KubeObject {
  const out = { ...next, spec: old.spec } as KubeObject;
  const oldStatus = ((old.status as Obj | undefined) ?? {});
  const newStatus = ((next.status as Obj | undefined) ?? {});
  if (subresource === 'status') {
    const conds = conditions(newStatus).filter((c) => !APPROVAL_TYPES.has(String(c.type)));
    const kept = conditions(oldStatus).filter((c) => APPROVAL_TYPES.has(String(c.type)));
    out.status = withConditions({ ...newStatus }, [...kept, ...conds]);
  } else if (subresource === 'approval') {
    out.status = withConditions({ ...oldStatus }, conditions(newStatus));
  } else {
    if (old.status === undefined) delete out.status;
    else out.status = old.status;
    return out;
  }
  populateConditionTimestamps(out, old, now);
  if (Object.keys(out.status as Obj).length === 0) delete out.status;
  return out;
}

function conditions(status: Obj): Condition[] {
  return Array.isArray(status.conditions) ? (status.conditions as Condition[]) : [];
}

function withConditions(status: Obj, conds: Condition[]): Obj {
  if (conds.length) status.conditions = conds;
  else delete status.conditions;
  return status;
}

/** Conditions get lastUpdateTime now and lastTransitionTime kept from the same type and status, else now. */
function populateConditionTimestamps(next: KubeObject, old: KubeObject, now: Date): void {
  const ts = now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  const before = conditions(((old.status as Obj | undefined) ?? {}));
  for (const c of conditions(((next.status as Obj | undefined) ?? {}))) {
    c.lastUpdateTime ??= ts;
    if (c.lastTransitionTime === undefined) {
      const prev = before.find((p) => p.type === c.type && p.status === c.status);
      c.lastTransitionTime = prev?.lastTransitionTime ?? ts;
    }
  }
}
