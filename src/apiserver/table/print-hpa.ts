// HorizontalPodAutoscaler rows for autoscaling/v2 and v1 objects, mirroring
// printHorizontalPodAutoscaler and formatHPAMetrics in pkg/printers/internalversion/printers.go.
import type { KubeObject } from '../../api/meta.ts';
import { AGE, NAME, col } from './columns.ts';
import { since } from './human-duration.ts';
import type { Printer } from './types.ts';

interface Target { type?: string; value?: unknown; averageValue?: unknown; averageUtilization?: number }
interface Current { value?: unknown; averageValue?: unknown; averageUtilization?: number }
interface Source { name?: string; target?: Target }
interface SourceStatus { current?: Current }

interface MetricSpec {
  type?: string;
  external?: Source; pods?: Source; object?: Source; resource?: Source; containerResource?: Source;
}
interface MetricStatus {
  external?: SourceStatus; pods?: SourceStatus; object?: SourceStatus; resource?: SourceStatus; containerResource?: SourceStatus;
}

interface HPA extends KubeObject {
  spec?: {
    scaleTargetRef?: { kind?: string; name?: string };
    minReplicas?: number;
    maxReplicas?: number;
    metrics?: MetricSpec[];
    targetCPUUtilizationPercentage?: number; // autoscaling/v1
  };
  status?: {
    currentReplicas?: number;
    currentMetrics?: MetricStatus[];
    currentCPUUtilizationPercentage?: number; // autoscaling/v1
  };
}

const MAX_METRICS = 2;

/** A quantity as Go's (*Quantity).String() prints it, "<nil>" included. */
const q = (v: unknown): string => (v === undefined || v === null ? '<nil>' : String(v));

function describe(spec: MetricSpec, status: MetricStatus | undefined): string {
  const valueOrAverage = (src: Source | undefined, cur: SourceStatus | undefined): string => {
    const t = src?.target ?? {};
    if (t.averageValue !== undefined) {
      const current = cur?.current?.averageValue !== undefined ? q(cur.current.averageValue) : '<unknown>';
      return `${current}/${q(t.averageValue)} (avg)`;
    }
    return `${cur ? q(cur.current?.value) : '<unknown>'}/${q(t.value)}`;
  };
  const resource = (src: Source | undefined, cur: SourceStatus | undefined): string => {
    const t = src?.target ?? {};
    const rname = src?.name ?? '';
    if (t.averageValue !== undefined) return `${rname}: ${cur ? q(cur.current?.averageValue) : '<unknown>'}/${q(t.averageValue)}`;
    const current = cur?.current?.averageUtilization !== undefined ? `${cur.current.averageUtilization}%` : '<unknown>';
    const target = t.averageUtilization !== undefined ? `${t.averageUtilization}%` : '<auto>';
    return `${rname}: ${current}/${target}`;
  };
  switch (spec.type) {
    case 'External': return valueOrAverage(spec.external, status?.external);
    case 'Object': return valueOrAverage(spec.object, status?.object);
    case 'Pods': return `${status?.pods ? q(status.pods.current?.averageValue) : '<unknown>'}/${q(spec.pods?.target?.averageValue)}`;
    case 'Resource': return resource(spec.resource, status?.resource);
    case 'ContainerResource': return resource(spec.containerResource, status?.containerResource);
    default: return '<unknown type>';
  }
}

/** TARGETS: "cpu: 40%/80%, memory: <unknown>/1Gi + 1 more..."; "<none>" without metrics. */
export function formatHPAMetrics(specs: MetricSpec[], statuses: MetricStatus[]): string {
  if (specs.length === 0) return '<none>';
  const list = specs.map((s, i) => describe(s, statuses[i]));
  if (list.length > MAX_METRICS) return `${list.slice(0, MAX_METRICS).join(', ')} + ${list.length - MAX_METRICS} more...`;
  return list.join(', ');
}

/** autoscaling/v1 keeps a single CPU target; read it as the equivalent v2 metric. */
function metricsOf(hpa: HPA): [MetricSpec[], MetricStatus[]] {
  const spec = hpa.spec ?? {};
  const status = hpa.status ?? {};
  if (spec.metrics || status.currentMetrics) return [spec.metrics ?? [], status.currentMetrics ?? []];
  const specs: MetricSpec[] = spec.targetCPUUtilizationPercentage !== undefined
    ? [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } }]
    : [];
  const statuses: MetricStatus[] = status.currentCPUUtilizationPercentage !== undefined
    ? [{ resource: { current: { averageUtilization: status.currentCPUUtilizationPercentage } } }]
    : [];
  return [specs, statuses];
}

export const hpaPrinter: Printer = {
  columns: [
    NAME,
    col('Reference', 'string', 'The workload being scaled, as Kind/name.'),
    col('Targets', 'string', 'Current and target values of the metrics scaled on.'),
    col('MinPods', 'string', 'Fewest replicas the autoscaler will scale down to.'),
    col('MaxPods', 'string', 'Most replicas the autoscaler will scale up to.'),
    col('Replicas', 'string', 'Replicas the autoscaler last saw.'),
    AGE,
  ],
  cells(obj, now) {
    const hpa = obj as HPA;
    const spec = hpa.spec ?? {};
    const [specs, statuses] = metricsOf(hpa);
    return [
      hpa.metadata.name ?? '', `${spec.scaleTargetRef?.kind ?? ''}/${spec.scaleTargetRef?.name ?? ''}`,
      formatHPAMetrics(specs, statuses), spec.minReplicas !== undefined ? String(spec.minReplicas) : '<unset>',
      spec.maxReplicas ?? 0, hpa.status?.currentReplicas ?? 0, since(hpa.metadata.creationTimestamp, now),
    ];
  },
};
