// Simulated nodes for scheduler tests and benchmarks: Node objects created through the API with
// capacity, allocatable and a Ready condition, the way kwok fakes a kubelet.
import type { Node, Pod, Taint } from '../../src/api/types/core-v1.ts';
import type { Clientset } from '../../src/client/clientset.ts';

export interface FakeNodeSpec {
  cpu?: string;
  memory?: string;
  pods?: string;
  ephemeralStorage?: string;
  extra?: Record<string, string>;
  labels?: Record<string, string>;
  taints?: Taint[];
  ready?: boolean;
}

export function fakeNode(name: string, spec: FakeNodeSpec = {}): Node {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(spec.labels ?? {}) } },
    spec: spec.taints ? { taints: spec.taints } : {},
  };
}

export function fakeNodeStatus(spec: FakeNodeSpec = {}): NonNullable<Node['status']> {
  const resources = {
    cpu: spec.cpu ?? '4', memory: spec.memory ?? '16Gi', pods: spec.pods ?? '110',
    'ephemeral-storage': spec.ephemeralStorage ?? '100Gi', ...(spec.extra ?? {}),
  };
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    capacity: resources, allocatable: resources,
    conditions: [{ type: 'Ready', status: spec.ready === false ? 'False' : 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: now, lastTransitionTime: now }],
    addresses: [{ type: 'InternalIP', address: '10.0.0.1' }],
  };
}

/** Create a node and set its status (two requests, as a kubelet registering does). */
export async function createFakeNode(cs: Clientset, name: string, spec: FakeNodeSpec = {}): Promise<Node> {
  const nodes = cs.resource<Node>('v1', 'nodes');
  await nodes.create(undefined, fakeNode(name, spec));
  // A patch, not an update: controllers (node IPAM) may write the node meanwhile.
  return nodes.patch(undefined, name, 'merge', { status: fakeNodeStatus(spec) }, { subresource: 'status' });
}

export function simplePod(name: string, requests: Record<string, string> = {}, extra: Partial<NonNullable<Pod['spec']>> = {}, labels?: Record<string, string>): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, ...(labels ? { labels } : {}) },
    spec: { containers: [{ name: 'c', image: 'busybox:latest', resources: { requests } }], ...extra },
  };
}
