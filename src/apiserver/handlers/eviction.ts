// The pods/eviction subresource (pkg/registry/core/pod/storage/eviction.go): a pod goes only if the
// PodDisruptionBudget that selects it has a disruption to spare. The budget's status is
// decremented (and the pod recorded in disruptedPods, so the disruption controller does not count
// it healthy meanwhile) before the pod is deleted; a budget with nothing to spare answers 429, which
// `kubectl drain` retries. Pods that are not running yet or have finished are deleted without
// asking: evicting them disrupts nothing.
import { internalError, newStatus, StatusError } from '../../api/errors.ts';
import type { DeleteOptions, KubeObject } from '../../api/meta.ts';
import { labelSelectorFromMeta, matchesLabels, type LabelSelectorMeta } from '../../api/selectors/labels.ts';
import type { Registry, WriteContext } from '../registry/registry.ts';

type Obj = Record<string, any>;

/** eviction.go MaxDisruptedPodSize: more unconfirmed evictions than this are refused. */
const MAX_DISRUPTED_PODS = 2000;

export interface EvictionRequest {
  pods: Registry;
  pdbs: Registry;
  namespace: string;
  name: string;
  deleteOptions: DeleteOptions;
  ctx: WriteContext;
}

function isReady(pod: KubeObject): boolean {
  const conds = ((pod.status as Obj | undefined)?.conditions ?? []) as Obj[];
  return conds.some((c) => c.type === 'Ready' && c.status === 'True');
}

/** canIgnorePDB: not running yet, finished, or already on its way out. */
export function canIgnoreBudget(pod: KubeObject): boolean {
  const phase = (pod.status as Obj | undefined)?.phase as string | undefined;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata.deletionTimestamp);
}

/** The budgets in the pod's namespace whose selector matches it; nil or empty selectors match nothing here. */
export function budgetsFor(pod: KubeObject, pdbs: readonly KubeObject[]): KubeObject[] {
  return pdbs.filter((pdb) => {
    const meta = (pdb.spec as Obj | undefined)?.selector as LabelSelectorMeta | null | undefined;
    if (meta === null || meta === undefined) return false;
    try {
      const sel = labelSelectorFromMeta(meta);
      return sel.requirements.length > 0 && matchesLabels(sel, pod.metadata.labels);
    } catch {
      return false;
    }
  });
}

function tooManyRequests(message: string, cause?: string): StatusError {
  return new StatusError(newStatus(429, 'TooManyRequests', message, {
    ...(cause ? { causes: [{ reason: 'DisruptionBudget', message: cause }] } : {}),
  }));
}

function forbidden(name: string, detail: string): StatusError {
  return new StatusError(newStatus(403, 'Forbidden', `poddisruptionbudgets.policy "${name}" is forbidden: ${detail}`, { name, group: 'policy', kind: 'poddisruptionbudgets' }));
}

/**
 * checkAndDecrement: one disruption taken from the budget, or why not. Runs inside the registry's
 * read-modify-write, so a conflicting write reruns it on the fresh budget.
 */
export function decrementBudget(pdb: KubeObject, podName: string, now: string): KubeObject {
  const name = pdb.metadata.name ?? '';
  const status = (pdb.status ?? {}) as Obj;
  if ((status.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) {
    throw tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.", `The disruption budget ${name} is still being processed by the server.`);
  }
  const allowed = Number(status.disruptionsAllowed ?? 0);
  if (allowed < 0) throw forbidden(name, 'pdb disruptions allowed is negative');
  if (Object.keys(status.disruptedPods ?? {}).length > MAX_DISRUPTED_PODS) throw forbidden(name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  if (allowed === 0) {
    throw tooManyRequests("Cannot evict pod as it would violate the pod's disruption budget.",
      `The disruption budget ${name} needs ${status.desiredHealthy ?? 0} healthy pods and has ${status.currentHealthy ?? 0} currently`);
  }
  const next = structuredClone(pdb);
  const nextStatus = { ...status, disruptionsAllowed: allowed - 1, disruptedPods: { ...(status.disruptedPods ?? {}), [podName]: now } } as Obj;
  if (allowed - 1 === 0) {
    // UpdateDisruptionAllowedCondition, as the controller would write it.
    const conds = ((nextStatus.conditions ?? []) as Obj[]).filter((c) => c.type !== 'DisruptionAllowed');
    const prev = ((status.conditions ?? []) as Obj[]).find((c) => c.type === 'DisruptionAllowed');
    conds.push({ type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: status.observedGeneration ?? 0, lastTransitionTime: prev?.status === 'False' ? prev.lastTransitionTime : now });
    nextStatus.conditions = conds;
  }
  next.status = nextStatus;
  return next;
}

export async function evictPod(r: EvictionRequest): Promise<void> {
  const pod = (await r.pods.get(r.namespace, r.name)).obj;
  let opts = r.deleteOptions;
  if (!canIgnoreBudget(pod)) {
    const { items } = await r.pdbs.listCached(r.namespace, true);
    const matching = budgetsFor(pod, items.map((i) => i.obj));
    if (matching.length > 1) throw internalError(new Error('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.'));
    const pdb = matching[0];
    if (pdb) {
      const spec = (pdb.spec ?? {}) as Obj;
      const status = (pdb.status ?? {}) as Obj;
      const unhealthyGoes = !isReady(pod) && (spec.unhealthyPodEvictionPolicy === 'AlwaysAllow'
        || (Number(status.currentHealthy ?? 0) >= Number(status.desiredHealthy ?? 0) && Number(status.desiredHealthy ?? 0) > 0));
      if (unhealthyGoes) {
        // An unready pod does not count as healthy: it may go without spending the budget, but only
        // as it was seen (it could have turned ready since).
        const rv = pod.metadata.resourceVersion;
        if (rv) opts = { ...opts, preconditions: { ...(opts.preconditions ?? {}), resourceVersion: rv } };
      } else {
        const now = r.ctx.now.toISOString().replace(/\.\d+Z$/, 'Z');
        await r.pdbs.update(r.namespace, pdb.metadata.name ?? '', (cur) => {
          if (!cur) throw internalError(new Error(`poddisruptionbudget ${pdb.metadata.name} is gone`));
          const next = decrementBudget(cur, r.name, now);
          delete next.metadata.resourceVersion;
          return next;
        }, r.ctx, { subresource: 'status' });
      }
    }
  }
  await r.pods.delete(r.namespace, r.name, opts, r.ctx);
}
