// The Node authorizer's graph (plugin/pkg/auth/authorizer/node/graph.go): vertices for the API
// objects a node may need, edges pointing toward the nodes that need them:
//   node ← pod ← secret, configmap, pvc, serviceaccount, resourceclaim
//   pvc ← pv ← secret
// A node may read an object when a path leads from the object's vertex to the node's vertex.
// Vertices live only while they have an edge: deleting a pod drops the secrets only it referenced.
// Upstream guards the graph with a lock; here everything runs on one thread, so methods simply
// finish before the next request is authorized.
import type { KubeObject } from '../../../api/meta.ts';
import { podClaimNames, podConfigMapNames, podSecretNames, pvSecretRefs } from './pod-references.ts';

export type VertexType = 'configmap' | 'node' | 'pod' | 'pvc' | 'pv' | 'resourceclaim' | 'secret' | 'serviceAccount';

/** The pod annotation that marks a mirror pod (corev1.MirrorPodAnnotationKey). */
export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

interface Vertex {
  readonly id: number;
  readonly type: VertexType;
  readonly namespace: string;
  readonly name: string;
  /** Edges out: the vertex this one leads to → the node the edge is for ('' when unknown: pv → pvc, secret → pv). */
  readonly out: Map<Vertex, Vertex | undefined>;
  readonly in: Set<Vertex>;
}

function vertexKey(type: VertexType, namespace: string, name: string): string {
  return `${type}\u0000${namespace}\u0000${name}`;
}

interface PodLike extends KubeObject {
  spec?: { nodeName?: string; serviceAccountName?: string; [k: string]: unknown };
}

export class Graph {
  readonly #vertices = new Map<string, Vertex>();
  #nextId = 0;

  /** How many vertices the graph holds (for tests and metrics). */
  get size(): number { return this.#vertices.size; }

  has(type: VertexType, namespace: string, name: string): boolean {
    return this.#vertices.has(vertexKey(type, namespace, name));
  }

  #get(type: VertexType, namespace: string, name: string): Vertex | undefined {
    return this.#vertices.get(vertexKey(type, namespace, name));
  }

  #getOrCreate(type: VertexType, namespace: string, name: string): Vertex {
    const key = vertexKey(type, namespace, name);
    let v = this.#vertices.get(key);
    if (!v) {
      v = { id: this.#nextId++, type, namespace, name, out: new Map(), in: new Set() };
      this.#vertices.set(key, v);
    }
    return v;
  }

  #addEdge(from: Vertex, to: Vertex, destination: Vertex | undefined): void {
    from.out.set(to, destination);
    to.in.add(from);
  }

  #degree(v: Vertex): number { return v.out.size + v.in.size; }

  #remove(v: Vertex): void {
    for (const to of v.out.keys()) to.in.delete(v);
    for (const from of v.in) from.out.delete(v);
    this.#vertices.delete(vertexKey(v.type, v.namespace, v.name));
  }

  /** Removes a vertex, and the neighbours whose only edge was to or from it (graph.go deleteVertexLocked). */
  #deleteVertex(type: VertexType, namespace: string, name: string): void {
    const v = this.#get(type, namespace, name);
    if (!v) return;
    const orphans = [...v.out.keys(), ...v.in].filter((n) => this.#degree(n) === 1);
    this.#remove(v);
    for (const n of orphans) this.#remove(n);
  }

  /**
   * A pod bound to a node (graph.go AddPod): pod → node, and the objects it references → pod.
   * A mirror pod gets only its pod → node edge: a node must never create a pod that grants it
   * access to other objects (NodeRestriction refuses such pods too).
   */
  addPod(pod: PodLike): void {
    const ns = pod.metadata?.namespace ?? '';
    const name = pod.metadata?.name ?? '';
    const nodeName = pod.spec?.nodeName;
    this.#deleteVertex('pod', ns, name);
    if (!nodeName) return;
    const podV = this.#getOrCreate('pod', ns, name);
    const nodeV = this.#getOrCreate('node', '', nodeName);
    this.#addEdge(podV, nodeV, nodeV);
    if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return;
    const sa = pod.spec?.serviceAccountName;
    if (sa) this.#addEdge(this.#getOrCreate('serviceAccount', ns, sa), podV, nodeV);
    for (const s of podSecretNames(pod)) this.#addEdge(this.#getOrCreate('secret', ns, s), podV, nodeV);
    for (const c of podConfigMapNames(pod)) this.#addEdge(this.#getOrCreate('configmap', ns, c), podV, nodeV);
    const { pvcs, resourceClaims } = podClaimNames(pod);
    for (const c of pvcs) this.#addEdge(this.#getOrCreate('pvc', ns, c), podV, nodeV);
    for (const c of resourceClaims) this.#addEdge(this.#getOrCreate('resourceclaim', ns, c), podV, nodeV);
  }

  deletePod(namespace: string, name: string): void {
    this.#deleteVertex('pod', namespace, name);
  }

  /** A persistent volume (graph.go AddPV): pv → its claim, and the secrets the kubelet uses for it → pv. */
  addPV(pv: KubeObject & { spec?: { claimRef?: { namespace?: string; name?: string } } }): void {
    const name = pv.metadata?.name ?? '';
    this.#deleteVertex('pv', '', name);
    const ref = pv.spec?.claimRef;
    if (!ref?.name) return;
    const pvV = this.#getOrCreate('pv', '', name);
    this.#addEdge(pvV, this.#getOrCreate('pvc', ref.namespace ?? '', ref.name), undefined);
    for (const s of pvSecretRefs(pv)) this.#addEdge(this.#getOrCreate('secret', s.namespace, s.name), pvV, undefined);
  }

  deletePV(name: string): void {
    this.#deleteVertex('pv', '', name);
  }

  /**
   * Whether a path leads from the object's vertex to the node's (node_authorizer.go hasPathFrom):
   * a depth-first walk that never follows an edge recorded for another node.
   */
  hasPathFrom(nodeName: string, type: VertexType, namespace: string, name: string): boolean {
    const nodeV = this.#get('node', '', nodeName);
    const start = this.#get(type, namespace, name);
    if (!nodeV || !start) return false;
    const seen = new Set<Vertex>([start]);
    const stack = [start];
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (const [to, destination] of v.out) {
        if (destination !== undefined && destination !== nodeV) continue;
        if (to === nodeV) return true;
        if (!seen.has(to)) { seen.add(to); stack.push(to); }
      }
    }
    return false;
  }
}
