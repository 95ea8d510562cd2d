// Builders for the scheduler's unit tests: nodes, pods and a cache holding them.
import type { Container, Node, Pod, PodSpec, Taint } from '../../api/types/core-v1.ts';
import { SchedulerCache } from '../cache/cache.ts';
import type { NodeInfo } from '../framework/node-info.ts';
import { newPodInfo, type PodInfo } from '../framework/pod-info.ts';
import type { CycleState, FilterPlugin, FilterStatus } from '../framework/types.ts';

export interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  extra?: Record<string, string>;
  labels?: Record<string, string>;
  taints?: Taint[];
  unschedulable?: boolean;
  ready?: 'True' | 'False' | 'Unknown' | 'missing';
}

export function node(name: string, o: NodeOpts = {}): Node {
  const alloc = { cpu: o.cpu ?? '4', memory: o.memory ?? '8Gi', pods: o.pods ?? '110', ...(o.extra ?? {}) };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, uid: `uid-${name}`, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      allocatable: alloc, capacity: alloc,
      conditions: o.ready === 'missing' ? [] : [{ type: 'Ready', status: o.ready ?? 'True' }],
    },
  };
}

let seq = 0;

export function container(requests: Record<string, string> = {}, extra: Partial<Container> = {}): Container {
  return { name: `c${seq++}`, image: 'busybox', resources: { requests }, ...extra };
}

export function pod(name: string, spec: Partial<PodSpec> = {}, labels?: Record<string, string>, namespace = 'default'): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, ...(labels ? { labels } : {}) },
    spec: { containers: [container()], ...spec },
  };
}

/** A pod with one container requesting `requests`. */
export function podWith(name: string, requests: Record<string, string>, spec: Partial<PodSpec> = {}, labels?: Record<string, string>): Pod {
  return pod(name, { containers: [container(requests)], ...spec }, labels);
}

/** A cache with these nodes and these pods placed on them (pod.spec.nodeName). */
export function cluster(nodes: Node[], pods: Pod[] = []): SchedulerCache {
  const c = new SchedulerCache();
  for (const n of nodes) c.addOrUpdateNode(n);
  for (const p of pods) c.addOrUpdatePod(p);
  return c;
}

export function onNode(p: Pod, nodeName: string): Pod {
  return { ...p, spec: { ...p.spec!, nodeName } };
}

/** Run a filter plugin's PreFilter and Filter for one pod against every node; name → reasons ('' when it fits). */
export function runFilter(plugin: FilterPlugin, p: Pod, c: SchedulerCache): Record<string, string> {
  const state: CycleState = new Map();
  const pi: PodInfo = newPodInfo(p);
  const pre = plugin.preFilter?.(state, pi, c);
  const out: Record<string, string> = {};
  for (const n of c.nodes) {
    let st: FilterStatus | undefined;
    if (pre && 'code' in pre) st = pre;
    else if (pre?.nodeNames && !pre.nodeNames.has(n.name)) st = { code: 'UnschedulableAndUnresolvable', reasons: ['outside PreFilter result'], plugin: plugin.name };
    else if (!pre?.skip) st = plugin.filter(state, pi, n, c);
    out[n.name] = st ? st.reasons.join('; ') : '';
  }
  return out;
}

export function nodeInfo(c: SchedulerCache, name: string): NodeInfo {
  const n = c.node(name);
  if (!n) throw new Error(`no node ${name}`);
  return n;
}
