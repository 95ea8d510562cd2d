// metrics.k8s.io/v1beta1 served by the API server itself, with no storage: each request reads
// the current pods or nodes, asks their kubelets for a stats summary and answers what
// metrics-server would (pkg/api/node.go and pod.go there): get and list of nodes and pods, label
// and field selectors, items sorted as the core API sorts them, NotFound when an object exists but
// has no metrics.
import type { ServerResponse } from 'node:http';
import { badRequest, methodNotAllowed, notFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import { matchesFields, parseFieldSelector } from '../../api/selectors/fields.ts';
import { matchesLabels, parseLabelSelector } from '../../api/selectors/labels.ts';
import type { Node, Pod } from '../../api/types/core-v1.ts';
import { METRICS_API_VERSION, METRICS_GROUP, METRICS_VERSION, type MetricsList, type NodeMetrics, type PodMetrics } from '../../api/types/metrics-v1beta1.ts';
import type { WatchCache } from '../cache/watch-cache.ts';
import { negotiate } from '../handlers/negotiate.ts';
import { writeJson } from '../http-io.ts';
import type { Registry } from '../registry/registry.ts';
import type { RequestInfo } from '../request-info.ts';
import { metricsTable } from './metrics-table.ts';
import type { SummaryCollector } from './summary-collector.ts';
import { findPodStats, nodeMetricsFromSummary, podMetricsFromStats } from './summary-to-metrics.ts';

export interface MetricsRequest {
  res: ServerResponse;
  /** The Accept header: JSON, a Table (kubectl get) or metadata only. */
  accept: string | undefined;
  ri: RequestInfo;
  query: URLSearchParams;
  cache: WatchCache;
  registries: Map<string, Registry>;
  collector: SummaryCollector;
  signal: AbortSignal;
}

const NODES_GR = { group: METRICS_GROUP, resource: 'nodes' };
const PODS_GR = { group: METRICS_GROUP, resource: 'pods' };

type Filter = (obj: KubeObject) => boolean;

/** labelSelector and fieldSelector (metadata.name, metadata.namespace, as generic.AddObjectMetaFieldsSet). */
function selectorFilter(query: URLSearchParams, namespaced: boolean): Filter {
  const ls = (query.get('labelSelector') ?? '').trim();
  const fs = (query.get('fieldSelector') ?? '').trim();
  let labels: ReturnType<typeof parseLabelSelector> | undefined;
  let fields: ReturnType<typeof parseFieldSelector> | undefined;
  try {
    if (ls) labels = parseLabelSelector(ls);
    if (fs) fields = parseFieldSelector(fs);
  } catch (err) {
    throw badRequest((err as Error).message);
  }
  return (obj) => {
    if (labels && !matchesLabels(labels, obj.metadata.labels)) return false;
    if (fields) {
      const set: Record<string, string> = { 'metadata.name': obj.metadata.name ?? '' };
      if (namespaced) set['metadata.namespace'] = obj.metadata.namespace ?? '';
      if (!matchesFields(fields, set)) return false;
    }
    return true;
  };
}

function list<T>(kind: 'NodeMetricsList' | 'PodMetricsList', items: T[]): MetricsList<T> {
  return { kind, apiVersion: METRICS_API_VERSION, metadata: {}, items };
}

/** Writes one object or a list in the format the client asked for. */
function respond(m: MetricsRequest, kind: 'NodeMetricsList' | 'PodMetricsList', items: Array<NodeMetrics | PodMetrics>, single: boolean): void {
  const fmt = negotiate(m.accept);
  if (fmt.kind === 'table') {
    const v = m.query.get('includeObject');
    writeJson(m.res, 200, { ...metricsTable(items, v === 'None' || v === 'Object' ? v : 'Metadata'), apiVersion: fmt.apiVersion });
  } else if (fmt.kind === 'partial') {
    const partial = items.map((i) => ({ kind: 'PartialObjectMetadata', apiVersion: fmt.apiVersion, metadata: i.metadata }));
    writeJson(m.res, 200, single ? partial[0] : { kind: 'PartialObjectMetadataList', apiVersion: fmt.apiVersion, metadata: {}, items: partial });
  } else {
    writeJson(m.res, 200, single ? items[0] : list(kind, items));
  }
}

async function objects<T extends KubeObject>(m: MetricsRequest, key: '/pods' | '/nodes', namespace: string): Promise<T[]> {
  const registry = m.registries.get(key)!;
  await m.cache.sync();
  return m.cache.list(registry.prefix(namespace)).items.map((o) => o.obj as T);
}

async function getObject<T extends KubeObject>(m: MetricsRequest, key: '/pods' | '/nodes', namespace: string, name: string): Promise<T> {
  return (await m.registries.get(key)!.get(namespace, name)).obj as T;
}

export async function handleMetricsRequest(m: MetricsRequest): Promise<void> {
  const { ri } = m;
  const resource = ri.resource;
  const gr = resource === 'nodes' ? NODES_GR : PODS_GR;
  if (ri.version !== METRICS_VERSION || (resource !== 'nodes' && resource !== 'pods') || ri.subresource !== '' || ri.parts.length > 2) {
    throw notFound({ group: '', resource: '' }, '');
  }
  if (resource === 'nodes' && ri.namespace) throw notFound({ group: '', resource: '' }, '');
  if (resource === 'pods' && ri.name && !ri.namespace) throw notFound({ group: '', resource: '' }, '');
  if (ri.verb !== 'get' && ri.verb !== 'list') {
    throw methodNotAllowed(`${ri.verb || 'this method'} is not supported on resources of kind "${gr.resource}.${gr.group}"`);
  }
  const now = new Date();
  if (resource === 'nodes') {
    if (ri.name) {
      const node = await getObject<Node>(m, '/nodes', '', ri.name);
      const summaries = await m.collector.collect([node], m.signal);
      const summary = summaries.get(ri.name);
      const metrics = summary ? nodeMetricsFromSummary(node, summary, now) : undefined;
      if (!metrics) throw notFound(NODES_GR, ri.name);
      respond(m, 'NodeMetricsList', [metrics], true);
      return;
    }
    const nodes = (await objects<Node>(m, '/nodes', '')).filter(selectorFilter(m.query, false));
    const summaries = await m.collector.collect(nodes, m.signal);
    const items: NodeMetrics[] = [];
    for (const node of nodes) {
      const summary = summaries.get(node.metadata.name!);
      const metrics = summary ? nodeMetricsFromSummary(node, summary, now) : undefined;
      if (metrics) items.push(metrics);
    }
    items.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
    respond(m, 'NodeMetricsList', items, false);
    return;
  }
  if (ri.name) {
    const pod = await getObject<Pod>(m, '/pods', ri.namespace, ri.name);
    const metrics = (await podMetrics(m, [pod], now))[0];
    if (!metrics) throw notFound(PODS_GR, `${ri.namespace}/${ri.name}`);
    respond(m, 'PodMetricsList', [metrics], true);
    return;
  }
  const pods = (await objects<Pod>(m, '/pods', ri.namespace)).filter(selectorFilter(m.query, true));
  pods.sort((a, b) => compareKeys([a.metadata.namespace ?? '', a.metadata.name ?? ''], [b.metadata.namespace ?? '', b.metadata.name ?? '']));
  respond(m, 'PodMetricsList', await podMetrics(m, pods, now), false);
}

function compareKeys(a: string[], b: string[]): number {
  for (let i = 0; i < a.length; i++) {
    if (a[i]! < b[i]!) return -1;
    if (a[i]! > b[i]!) return 1;
  }
  return 0;
}

/** Metrics of the pods that have them, in the order given; only their nodes are asked. */
async function podMetrics(m: MetricsRequest, pods: Pod[], now: Date): Promise<PodMetrics[]> {
  const running = pods.filter((p) => p.status?.phase === 'Running' && p.spec?.nodeName);
  if (running.length === 0) return [];
  const nodeNames = new Set(running.map((p) => p.spec!.nodeName!));
  const nodes: Node[] = [];
  for (const name of nodeNames) {
    try {
      nodes.push(await getObject<Node>(m, '/nodes', '', name));
    } catch {
      // a pod bound to a node that is gone has no metrics
    }
  }
  const summaries = await m.collector.collect(nodes, m.signal);
  const out: PodMetrics[] = [];
  for (const pod of running) {
    const metrics = podMetricsFromStats(pod, findPodStats(summaries.get(pod.spec!.nodeName!), pod), now);
    if (metrics) out.push(metrics);
  }
  return out;
}
