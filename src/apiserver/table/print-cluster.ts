// Namespace, ResourceQuota (column order of Kubernetes 1.33: NAME REQUEST LIMIT AGE), ComponentStatus, Lease, RuntimeClass and PodDisruptionBudget rows,
// mirroring their print functions in pkg/printers/internalversion/printers.go.
import type { KubeObject } from '../../api/meta.ts';
import { AGE, NAME, col } from './columns.ts';
import { quantity } from './format.ts';
import { since } from './human-duration.ts';
import type { Printer } from './types.ts';

const name = (o: KubeObject): string => o.metadata.name ?? '';
const age = (o: KubeObject, now: number): string => since(o.metadata.creationTimestamp, now);

export const namespacePrinter: Printer = {
  columns: [NAME, col('Status', 'string', 'Active, or Terminating while its contents are deleted.'), AGE],
  cells: (obj, now) => [name(obj), (obj as KubeObject & { status?: { phase?: string } }).status?.phase ?? '', age(obj, now)],
};

interface ResourceQuota extends KubeObject {
  status?: { hard?: Record<string, unknown>; used?: Record<string, unknown> };
}

/** "cpu: 1/4, pods: 3/10" for requests and plain names, and the same for limits.* resources. */
export function quotaColumns(q: ResourceQuota): [string, string] {
  const hard = q.status?.hard ?? {};
  const used = q.status?.used ?? {};
  const requests: string[] = [];
  const limits: string[] = [];
  for (const r of Object.keys(hard).sort()) {
    const parts = r.split('.');
    const target = parts.length > 1 && parts[0] === 'limits' ? limits : requests;
    target.push(`${r}: ${quantity(used[r])}/${quantity(hard[r])}`);
  }
  return [requests.join(', '), limits.join(', ')];
}

export const resourceQuotaPrinter: Printer = {
  columns: [
    NAME,
    col('Request', 'string', 'Used out of hard quota for requests and counted objects.'),
    col('Limit', 'string', 'Used out of hard quota for limits.'),
    AGE,
  ],
  cells(obj, now) {
    const [requests, limits] = quotaColumns(obj);
    return [name(obj), requests, limits, age(obj, now)];
  },
};

interface ComponentStatus extends KubeObject {
  conditions?: Array<{ type?: string; status?: string; message?: string; error?: string }>;
}

export const componentStatusPrinter: Printer = {
  columns: [
    NAME,
    col('Status', 'string', 'Healthy, Unhealthy or Unknown.'),
    col('Message', 'string', 'What the health check reported.'),
    col('Error', 'string', 'Why the health check failed.'),
  ],
  cells(obj) {
    const c = (obj as ComponentStatus).conditions?.find((x) => x.type === 'Healthy');
    const status = c ? (c.status === 'True' ? 'Healthy' : 'Unhealthy') : 'Unknown';
    return [name(obj), status, c?.message ?? '', c?.error ?? ''];
  },
};

export const leasePrinter: Printer = {
  columns: [NAME, col('Holder', 'string', 'Identity of the current holder of the lease.'), AGE],
  cells: (obj, now) => [name(obj), (obj as KubeObject & { spec?: { holderIdentity?: string } }).spec?.holderIdentity ?? '', age(obj, now)],
};

export const runtimeClassPrinter: Printer = {
  columns: [NAME, col('Handler', 'string', 'Runtime handler the node uses for pods of this class.'), AGE],
  cells: (obj, now) => [name(obj), typeof obj.handler === 'string' ? obj.handler : '', age(obj, now)],
};

interface PodDisruptionBudget extends KubeObject {
  spec?: { minAvailable?: number | string; maxUnavailable?: number | string };
  status?: { disruptionsAllowed?: number };
}

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    NAME,
    col('Min Available', 'string', 'Pods that must stay available.'),
    col('Max Unavailable', 'string', 'Pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Pods that may be evicted right now.'),
    AGE,
  ],
  cells(obj, now) {
    const pdb = obj as PodDisruptionBudget;
    const spec = pdb.spec ?? {};
    return [
      name(pdb), spec.minAvailable !== undefined ? String(spec.minAvailable) : 'N/A',
      spec.maxUnavailable !== undefined ? String(spec.maxUnavailable) : 'N/A', pdb.status?.disruptionsAllowed ?? 0, age(pdb, now),
    ];
  },
};
