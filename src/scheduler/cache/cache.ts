// The scheduler's view of the cluster (pkg/scheduler/backend/cache/cache.go): nodes with the pods
// on them, including pods the scheduler has assumed onto a node but not yet seen bound through
// the watch, so that pods scheduled back to back never overcommit a node. Cycles run
// synchronously on one thread, so plugins read the cache directly instead of a snapshot.
import type { KubeObject } from '../../api/meta.ts';
import type { Node, Pod } from '../../api/types/core-v1.ts';
import { labelSelectorFromMeta, matchesLabels, type LabelSelectorExpr } from '../../api/selectors/labels.ts';
import { NodeInfo } from '../framework/node-info.ts';
import { newPodInfo, type PodInfo } from '../framework/pod-info.ts';
import type { ClusterView, VolumeLister } from '../framework/types.ts';

interface PodState {
  pi: PodInfo;
  node: string;
  assumed: boolean;
}

const ZONE = 'topology.kubernetes.io/zone';

export class SchedulerCache implements ClusterView {
  readonly #nodes = new Map<string, NodeInfo>();
  readonly #pods = new Map<string, PodState>();
  readonly #withAffinity = new Set<NodeInfo>();
  readonly #withRequiredAnti = new Set<NodeInfo>();
  readonly #namespaces = new Map<string, Record<string, string>>();
  /** namespace → service name → selector */
  readonly #services = new Map<string, Map<string, LabelSelectorExpr>>();
  #list: NodeInfo[] = [];
  #listDirty = false;

  // ---- ClusterView ----

  /** Nodes with a Node object, zones interleaved as upstream's node tree lists them. */
  get nodes(): readonly NodeInfo[] {
    if (this.#listDirty) {
      this.#list = interleaveZones([...this.#nodes.values()].filter((n) => n.node));
      this.#listDirty = false;
    }
    return this.#list;
  }

  node(name: string): NodeInfo | undefined {
    const n = this.#nodes.get(name);
    return n?.node ? n : undefined;
  }

  nodesWithAffinityPods(): Iterable<NodeInfo> { return [...this.#withAffinity].filter((n) => n.node); }
  nodesWithRequiredAntiAffinityPods(): Iterable<NodeInfo> { return [...this.#withRequiredAnti].filter((n) => n.node); }

  /** Set by the scheduler once it watches claims, volumes and classes. */
  volumes: VolumeLister | undefined = undefined;

  readonly namespaceLabels = (ns: string): Record<string, string> | undefined => this.#namespaces.get(ns);

  servicesSelecting(pod: Pod): LabelSelectorExpr[] {
    const out: LabelSelectorExpr[] = [];
    for (const sel of this.#services.get(pod.metadata.namespace ?? 'default')?.values() ?? []) {
      if (matchesLabels(sel, pod.metadata.labels)) out.push(sel);
    }
    return out;
  }

  // ---- nodes ----

  #nodeInfo(name: string): NodeInfo {
    let n = this.#nodes.get(name);
    if (!n) {
      n = new NodeInfo(name);
      this.#nodes.set(name, n);
    }
    return n;
  }

  addOrUpdateNode(node: Node): void {
    const ni = this.#nodeInfo(node.metadata.name ?? '');
    if (!ni.node) this.#listDirty = true;
    ni.setNode(node);
  }

  removeNode(node: Node): void {
    const name = node.metadata.name ?? '';
    const ni = this.#nodes.get(name);
    if (!ni) return;
    // Pods still bound to the node keep their place until they are deleted (cache.RemoveNode).
    if (ni.pods.size === 0) this.#nodes.delete(name);
    else ni.clearNode();
    this.#withAffinity.delete(ni);
    this.#withRequiredAnti.delete(ni);
    this.#reindex(ni);
    this.#listDirty = true;
  }

  get nodeCount(): number { return this.nodes.length; }

  // ---- pods ----

  #place(pi: PodInfo, nodeName: string, assumed: boolean): void {
    const ni = this.#nodeInfo(nodeName);
    ni.addPod(pi);
    this.#pods.set(pi.key, { pi, node: nodeName, assumed });
    this.#reindex(ni);
  }

  #unplace(key: string): PodState | undefined {
    const st = this.#pods.get(key);
    if (!st) return undefined;
    this.#pods.delete(key);
    const ni = this.#nodes.get(st.node);
    if (ni) {
      ni.removePod(key);
      this.#reindex(ni);
      if (!ni.node && ni.pods.size === 0) this.#nodes.delete(st.node);
    }
    return st;
  }

  #reindex(ni: NodeInfo): void {
    if (ni.podsWithAffinity.size) this.#withAffinity.add(ni);
    else this.#withAffinity.delete(ni);
    if (ni.podsWithRequiredAntiAffinity.size) this.#withRequiredAnti.add(ni);
    else this.#withRequiredAnti.delete(ni);
  }

  /** The scheduler decided: count the pod on the node before the API server has bound it. */
  assumePod(pi: PodInfo, nodeName: string): void {
    this.#unplace(pi.key);
    this.#place(pi, nodeName, true);
  }

  /** Binding failed: take the assumed pod off its node. */
  forgetPod(key: string): void {
    const st = this.#pods.get(key);
    if (st?.assumed) this.#unplace(key);
  }

  isAssumed(key: string): boolean {
    return this.#pods.get(key)?.assumed === true;
  }

  /** An assigned, non-terminal pod seen through the watch (confirms an assumed pod). */
  addOrUpdatePod(pod: Pod): void {
    const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`;
    const prev = this.#unplace(key);
    // What PodInfo derives (requests, host ports, affinity terms) comes from fields a pod cannot
    // change once created, so the same pod (by uid) keeps it: no re-parsing on status updates.
    const pi = prev && prev.pi.pod.metadata.uid === pod.metadata.uid ? { ...prev.pi, pod } : newPodInfo(pod);
    this.#place(pi, pod.spec?.nodeName ?? '', false);
  }

  removePod(pod: Pod): void {
    this.#unplace(`${pod.metadata.namespace ?? ''}/${pod.metadata.name ?? ''}`);
  }

  get podCount(): number { return this.#pods.size; }

  // ---- namespaces and services ----

  setNamespace(ns: KubeObject): void { this.#namespaces.set(ns.metadata.name ?? '', ns.metadata.labels ?? {}); }
  removeNamespace(ns: KubeObject): void { this.#namespaces.delete(ns.metadata.name ?? ''); }

  setService(namespace: string, name: string, selector: Record<string, string> | undefined): void {
    let m = this.#services.get(namespace);
    if (!selector || Object.keys(selector).length === 0) {
      m?.delete(name);
      return;
    }
    if (!m) this.#services.set(namespace, (m = new Map()));
    m.set(name, labelSelectorFromMeta({ matchLabels: selector }));
  }

  removeService(namespace: string, name: string): void { this.#services.get(namespace)?.delete(name); }
}

/** One node of each zone in turn, so sampling a prefix of the list spreads over zones (node_tree.go). */
function interleaveZones(nodes: NodeInfo[]): NodeInfo[] {
  const zones = new Map<string, NodeInfo[]>();
  for (const n of nodes) {
    const z = n.labels[ZONE] ?? '';
    let l = zones.get(z);
    if (!l) zones.set(z, (l = []));
    l.push(n);
  }
  if (zones.size <= 1) return nodes;
  const lists = [...zones.values()];
  const out: NodeInfo[] = [];
  for (let i = 0; out.length < nodes.length; i++) for (const l of lists) if (i < l.length) out.push(l[i]!);
  return out;
}
