// Keeps the Node authorizer's graph in step with the API server's watch cache, in process
// (plugin/pkg/auth/authorizer/node/graph_populator.go, which feeds it from shared informers).
// Pods enter once bound to a node; what a bound pod references does not change afterwards, so
// later updates are ignored unless the binding or the resource claim names change.
import type { KubeObject } from '../../../api/meta.ts';
import type { CacheEvent, Subscription, WatchCache } from '../../cache/watch-cache.ts';
import { Graph } from './graph.ts';

const PODS_PREFIX = '/registry/core/pods/';
const PVS_PREFIX = '/registry/core/persistentvolumes/';

interface PodShape extends KubeObject {
  spec?: { nodeName?: string };
  status?: { resourceClaimStatuses?: unknown };
}

function nodeNameOf(o: KubeObject | undefined): string {
  return (o as PodShape | undefined)?.spec?.nodeName ?? '';
}

function podEvent(graph: Graph, ev: CacheEvent): void {
  const pod = ev.obj.obj as PodShape;
  if (ev.type === 'DELETED') {
    graph.deletePod(pod.metadata?.namespace ?? '', pod.metadata?.name ?? '');
    return;
  }
  if (!nodeNameOf(pod)) return;
  const old = ev.prev?.obj as PodShape | undefined;
  if (old && nodeNameOf(old) === nodeNameOf(pod)
    && JSON.stringify(old.status?.resourceClaimStatuses ?? null) === JSON.stringify(pod.status?.resourceClaimStatuses ?? null)) return;
  graph.addPod(pod);
}

function pvEvent(graph: Graph, ev: CacheEvent): void {
  if (ev.type === 'DELETED') graph.deletePV(ev.obj.obj.metadata?.name ?? '');
  else graph.addPV(ev.obj.obj);
}

/** A graph fed by the cache from now on (call once the cache is ready); close() stops the feed. */
export function populateGraph(cache: WatchCache, graph = new Graph()): { graph: Graph; close(): void } {
  const subs: Subscription[] = [
    cache.subscribe(PODS_PREFIX, undefined, (ev) => podEvent(graph, ev)).subscription,
    cache.subscribe(PVS_PREFIX, undefined, (ev) => pvEvent(graph, ev)).subscription,
  ];
  return { graph, close: () => { for (const s of subs) s.close(); } };
}
