// ResourceQuota admission (k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go):
// a create (or an update that can change usage) in a namespace with quotas is measured by its
// kind's evaluator (src/api/quota/evaluators.ts), refused when it would take a quota past its
// hard limit, and otherwise charged to status.used before it is stored. The charge is a
// compare-and-swap on the quota's resourceVersion, so two requests can never both take the last
// slot; on a conflict the quotas are read again and the request is checked again, as upstream's
// checkQuotas retries. Requests in one namespace are checked one at a time in this process.
import { isConflict, newStatus, StatusError } from '../../api/errors.ts';
import { evaluatorFor, quotaMatches, type QuotaEvaluator } from '../../api/quota/evaluators.ts';
import { add, equals, exceeded, formatList, mask, negativeNames, parseList, prettyPrint, removeZeros, subtractNonNegative, type Usage } from '../../api/quota/resource-list.ts';
import type { ResourceQuota } from '../../api/types/core-v1-policy.ts';
import { validateCreate, validateUpdate } from '../../api/validation/index.ts';
import type { Registry } from '../registry/registry.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

/** How the plugin reads quotas and writes their status. */
export interface QuotaAccess {
  /** The namespace's quotas: as stored now if `consistent`, else as last seen (cheaper). */
  list(namespace: string, consistent: boolean): Promise<ResourceQuota[]>;
  /** Writes status.used only if the quota is still at its resourceVersion; a Conflict otherwise. */
  updateStatus(q: ResourceQuota): Promise<void>;
}

/** Quotas read from and written through the API server's own registry. */
export function registryQuotaAccess(registry: () => Registry): QuotaAccess {
  return {
    async list(namespace, consistent) {
      return (await registry().listCached(namespace, consistent)).items.map((o) => structuredClone(o.obj) as ResourceQuota);
    },
    async updateStatus(q) {
      const ns = q.metadata.namespace ?? '';
      await registry().update(ns, q.metadata.name ?? '', (cur) => ({ ...cur!, metadata: { ...cur!.metadata, resourceVersion: q.metadata.resourceVersion ?? '' }, status: q.status }), {
        user: { name: 'system:apiserver', groups: ['system:masters'] }, manager: 'kube-apiserver', apiVersion: 'v1', dryRun: false, now: new Date(),
      }, { subresource: 'status' });
    },
  };
}

/** The name upstream's admission.NewForbidden reports: the generateName prefix when the name was generated. */
function reportedName(a: AdmissionAttributes): string {
  const meta = a.object?.metadata;
  const gen = meta?.generateName;
  if (gen && meta?.name && meta.name.length === Math.min(gen.length, 58) + 5 && meta.name.startsWith(gen.slice(0, 58))) return gen;
  return a.name || meta?.name || 'Unknown';
}

export function quotaForbidden(a: AdmissionAttributes, message: string): StatusError {
  const resource = a.info.group ? `${a.info.resource}.${a.info.group}` : a.info.resource;
  const name = reportedName(a);
  return new StatusError(newStatus(403, 'Forbidden', `${resource} "${name}" is forbidden: ${message}`, {
    name, ...(a.info.group ? { group: a.info.group } : {}), kind: a.info.resource,
  }));
}

/**
 * The quotas as they would be with this request charged (only those whose usage changes are
 * returned changed), or a Forbidden error (CheckRequest in upstream's controller.go).
 */
export function checkRequest(quotas: ResourceQuota[], a: AdmissionAttributes, ev: QuotaEvaluator, now: number): ResourceQuota[] {
  const obj = a.object!;
  const interesting: number[] = [];
  quotas.forEach((q, i) => {
    if (!quotaMatches(ev, q, obj)) return;
    const hardNames = Object.keys(q.status?.hard ?? {});
    const restricted = ev.matchingResources(hardNames);
    const why = ev.constraints(restricted, obj);
    if (why) throw quotaForbidden(a, `failed quota: ${q.metadata.name}: ${why}`);
    const used = q.status?.used ?? {};
    if (restricted.some((r) => used[r] === undefined)) {
      throw quotaForbidden(a, `status unknown for quota: ${q.metadata.name}, resources: ${[...restricted].sort().join(',')}`);
    }
    interesting.push(i);
  });
  if (interesting.length === 0) return quotas;
  const input = ev.usage(obj, now);
  const negative = negativeNames(input);
  if (negative.length) throw quotaForbidden(a, `quota usage is negative for resource(s): ${negative.sort().join(',')}`);
  const deltas = new Map<number, Usage>();
  for (const i of interesting) deltas.set(i, input);
  if (a.operation === 'UPDATE' && a.oldObject) {
    const old = a.oldObject;
    const delta = subtractNonNegative(input, ev.usage(old, now));
    for (const i of interesting) if (quotaMatches(ev, quotas[i]!, old)) deltas.set(i, delta);
  }
  for (const [i, d] of deltas) {
    const nz = removeZeros(d);
    if (nz.size === 0) deltas.delete(i);
    else deltas.set(i, nz);
  }
  if (deltas.size === 0) return quotas;
  const out = quotas.map((q) => structuredClone(q));
  for (const i of interesting) {
    const delta = deltas.get(i);
    if (!delta) continue;
    const q = out[i]!;
    const hard = parseList(q.status?.hard);
    const used = parseList(q.status?.used);
    const requested = mask(delta, hard.keys());
    const next = add(used, requested);
    if (a.subresource !== 'status') {
      const over = exceeded(mask(next, requested.keys()), hard);
      if (over.length) {
        throw quotaForbidden(a, `exceeded quota: ${q.metadata.name}, requested: ${prettyPrint(mask(requested, over))}, used: ${prettyPrint(mask(used, over))}, limited: ${prettyPrint(mask(hard, over))}`);
      }
    }
    q.status = { ...q.status, used: formatList(next) };
  }
  return out;
}

export interface ResourceQuotaOptions {
  now?: () => number;
  /** Tries at charging before the last conflict is returned (upstream: 3 retries). */
  retries?: number;
}

export function resourceQuotaAdmission(access: QuotaAccess, opts: ResourceQuotaOptions = {}): AdmissionPlugin {
  const now = opts.now ?? Date.now;
  const retries = opts.retries ?? 3;
  const locks = new Map<string, Promise<void>>();

  async function evaluate(a: AdmissionAttributes, ev: QuotaEvaluator): Promise<void> {
    // A namespace without quotas costs one cache read; one with quotas is read as stored now, as
    // the charge is checked against it.
    if ((await access.list(a.namespace, false)).length === 0) return;
    let quotas = await access.list(a.namespace, true);
    if (quotas.length === 0) return;
    // Validation runs after admission here: an object that will be refused must not be charged.
    const invalid = a.operation === 'CREATE' ? validateCreate(a.info, a.object!) : validateUpdate(a.info, a.object!, a.oldObject!);
    if (invalid.length) return;
    for (let attempt = 0; ; attempt++) {
      const next = checkRequest(quotas, a, ev, now());
      if (a.dryRun) return;
      const changed = next.filter((q, i) => !equals(parseList(q.status?.used), parseList(quotas[i]!.status?.used)));
      if (changed.length === 0) return;
      const failed: string[] = [];
      let lastErr: unknown;
      for (const q of changed) {
        try {
          await access.updateStatus(q);
        } catch (err) {
          if (!isConflict(err)) throw err;
          failed.push(q.metadata.name ?? '');
          lastErr = err;
        }
      }
      if (failed.length === 0) return;
      if (attempt >= retries) throw lastErr;
      // Check again against the quotas whose charge did not land, as they are now.
      quotas = (await access.list(a.namespace, true)).filter((q) => failed.includes(q.metadata.name ?? ''));
      if (quotas.length === 0) return;
    }
  }

  return {
    name: 'ResourceQuota',
    async validate(a: AdmissionAttributes): Promise<void> {
      if (!a.info.namespaced || !a.namespace || !a.object || a.operation === 'DELETE') return;
      // Events are never counted (pkg/quota/v1/install DefaultIgnoredResources).
      if (a.info.storage.resource === 'events') return;
      const ev = evaluatorFor(a.info.group, a.info.resource);
      if (!ev.handles(a.operation, a.subresource, a.object, a.oldObject)) return;
      const prev = locks.get(a.namespace) ?? Promise.resolve();
      const run = prev.then(() => evaluate(a, ev));
      const tail = run.catch(() => undefined);
      locks.set(a.namespace, tail);
      try {
        await run;
      } finally {
        if (locks.get(a.namespace) === tail) locks.delete(a.namespace);
      }
    },
  };
}

