// `kubectl get podmetrics` / `nodemetrics` as Tables, the way metrics-server converts them
// (pkg/api/pod.go addPodMetricsToTable and node.go): Name, one column per resource (a pod's
// containers summed), Window. Row objects follow includeObject like every other resource.
import type { KubeObject } from '../../api/meta.ts';
import { formatBytes, formatNanoCores } from '../../api/quantity-format.ts';
import type { NodeMetrics, PodMetrics } from '../../api/types/metrics-v1beta1.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';
import type { IncludeObject, Table, TableColumnDefinition, TableRow } from '../table/index.ts';

const COLUMNS: TableColumnDefinition[] = [
  { name: 'Name', type: 'string', format: 'name', description: 'Name of the resource', priority: 0 },
  { name: 'cpu', type: 'string', format: 'quantity', description: '', priority: 0 },
  { name: 'memory', type: 'string', format: 'quantity', description: '', priority: 0 },
  { name: 'Window', type: 'string', format: 'duration', description: '', priority: 0 },
];

function usageOf(m: NodeMetrics | PodMetrics): { cpu: string; memory: string } {
  if (m.kind === 'NodeMetrics') return { cpu: m.usage.cpu ?? '0', memory: m.usage.memory ?? '0' };
  let cpu = 0;
  let memory = 0;
  for (const c of m.containers) {
    cpu += Math.round(parseQuantity(c.usage.cpu ?? '0') * 1e9);
    memory += parseQuantity(c.usage.memory ?? '0');
  }
  return { cpu: formatNanoCores(cpu), memory: formatBytes(memory) };
}

export function metricsTable(items: Array<NodeMetrics | PodMetrics>, include: IncludeObject): Table {
  const rows = items.map((m): TableRow => {
    const u = usageOf(m);
    const row: TableRow = { cells: [m.metadata.name, u.cpu, u.memory, m.window] };
    if (include === 'Metadata') row.object = { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: m.metadata };
    else if (include === 'Object') row.object = m as unknown as KubeObject;
    return row;
  });
  return { kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: {}, columnDefinitions: COLUMNS.map((c) => ({ ...c })), rows };
}
