// Node-level aggregated information the filters and scores read: the node object, the pods on it
// (including assumed ones), their summed requests and the host ports in use
// (pkg/scheduler/framework/types.go NodeInfo, HostPortInfo).
import type { Node, Taint } from '../../api/types/core-v1.ts';
import { hasAffinity, type HostPort, type PodInfo } from './pod-info.ts';
import { addResource, emptyResource, nodeAllocatable, type Resource } from './resources.ts';

const WILDCARD_IP = '0.0.0.0';

export class NodeInfo {
  readonly name: string;
  node: Node | undefined;
  allocatable: Resource = emptyResource();
  readonly requested: Resource = emptyResource();
  nonZeroCPU = 0;
  nonZeroMemory = 0;
  readonly pods = new Map<string, PodInfo>();
  /** Pods on this node with any pod (anti-)affinity, and with required anti-affinity. */
  readonly podsWithAffinity = new Set<PodInfo>();
  readonly podsWithRequiredAntiAffinity = new Set<PodInfo>();
  /** protocol/port → ip → count */
  readonly #ports = new Map<string, Map<string, number>>();

  constructor(name: string) {
    this.name = name;
  }

  // Read by every filter for every sampled node of every pod: derived once per Node object.
  labels: Record<string, string> = {};
  taints: readonly Taint[] = [];
  unschedulable = false;
  /** The Ready condition's status; Unknown when the node reports none. */
  readyStatus: 'True' | 'False' | 'Unknown' = 'Unknown';

  // What is left of the allocatable, kept as plain fields on this object: the resource filter
  // reads them for hundreds of nodes per pod, and one object is fewer cache misses than four.
  freeMilliCPU = 0;
  freeMemory = 0;
  freeEphemeralStorage = 0;
  freePods = 0;
  /** cpu and memory allocatable and requested, flat, for the scores. */
  allocMilliCPU = 0;
  allocMemory = 0;
  reqMilliCPU = 0;
  reqMemory = 0;

  #updateFree(): void {
    this.allocMilliCPU = this.allocatable.milliCPU;
    this.allocMemory = this.allocatable.memory;
    this.reqMilliCPU = this.requested.milliCPU;
    this.reqMemory = this.requested.memory;
    this.freeMilliCPU = this.allocatable.milliCPU - this.requested.milliCPU;
    this.freeMemory = this.allocatable.memory - this.requested.memory;
    this.freeEphemeralStorage = this.allocatable.ephemeralStorage - this.requested.ephemeralStorage;
    this.freePods = this.allocatable.allowedPodNumber - this.pods.size;
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = nodeAllocatable(node);
    this.#updateFree();
    this.labels = node.metadata.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = node.spec?.unschedulable === true;
    this.readyStatus = node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? 'Unknown';
  }

  /** The Node object went away; its pods stay until they are deleted. */
  clearNode(): void {
    this.node = undefined;
    this.allocatable = emptyResource();
    this.#updateFree();
    this.labels = {};
    this.taints = [];
    this.unschedulable = false;
    this.readyStatus = 'Unknown';
  }

  addPod(pi: PodInfo): void {
    this.removePod(pi.key);
    this.pods.set(pi.key, pi);
    addResource(this.requested, pi.requests);
    this.nonZeroCPU += pi.nonZeroCPU;
    this.nonZeroMemory += pi.nonZeroMemory;
    if (hasAffinity(pi)) this.podsWithAffinity.add(pi);
    if (pi.requiredAntiAffinity.length) this.podsWithRequiredAntiAffinity.add(pi);
    for (const p of pi.hostPorts) this.#updatePort(p, 1);
    this.#updateFree();
  }

  /** Remove the pod with this key; returns what was removed. */
  removePod(key: string): PodInfo | undefined {
    const pi = this.pods.get(key);
    if (!pi) return undefined;
    this.pods.delete(key);
    addResource(this.requested, pi.requests, -1);
    this.nonZeroCPU -= pi.nonZeroCPU;
    this.nonZeroMemory -= pi.nonZeroMemory;
    this.podsWithAffinity.delete(pi);
    this.podsWithRequiredAntiAffinity.delete(pi);
    for (const p of pi.hostPorts) this.#updatePort(p, -1);
    this.#updateFree();
    return pi;
  }

  #updatePort(p: HostPort, delta: number): void {
    const k = `${p.protocol}/${p.port}`;
    let ips = this.#ports.get(k);
    if (!ips) this.#ports.set(k, (ips = new Map()));
    const n = (ips.get(p.ip) ?? 0) + delta;
    if (n > 0) ips.set(p.ip, n);
    else ips.delete(p.ip);
    if (ips.size === 0) this.#ports.delete(k);
  }

  /** A wildcard address conflicts with any address on the same protocol and port (HostPortInfo.CheckConflict). */
  portConflicts(p: HostPort): boolean {
    const ips = this.#ports.get(`${p.protocol}/${p.port}`);
    if (!ips) return false;
    if (p.ip === WILDCARD_IP) return ips.size > 0;
    return ips.has(WILDCARD_IP) || ips.has(p.ip);
  }
}
