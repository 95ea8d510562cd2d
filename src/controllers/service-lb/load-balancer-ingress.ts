// What a LoadBalancer Service's status says on a cluster without a cloud: the addresses of the
// nodes that can take its traffic, as k3s's service load balancer (servicelb) reports them. Every
// node's service proxy answers on its own address at the Service's port, so the Service is
// reachable at each Ready node's InternalIP.
import type { LoadBalancerIngress, Node, Service } from '../../api/types/core-v1.ts';

/** Whether this controller owns the Service's status: type LoadBalancer with no other class named. */
export function isServedLoadBalancer(svc: Service): boolean {
  const spec = svc.spec;
  return spec?.type === 'LoadBalancer' && spec.loadBalancerClass === undefined;
}

function isReady(node: Node): boolean {
  return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** InternalIPs of the Ready, schedulable nodes, sorted, each once. */
export function loadBalancerIngress(nodes: Iterable<Node>): LoadBalancerIngress[] {
  const ips = new Set<string>();
  for (const node of nodes) {
    if (!isReady(node) || node.spec?.unschedulable) continue;
    const ip = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (ip) ips.add(ip);
  }
  return [...ips].sort().map((ip): LoadBalancerIngress => ({ ip, ipMode: 'VIP' }));
}

export function sameIngress(a: readonly LoadBalancerIngress[] | undefined, b: readonly LoadBalancerIngress[]): boolean {
  return JSON.stringify(a ?? []) === JSON.stringify(b);
}
