// BENCH=network: the cluster network, each part beside its peer in the same run — the service
// proxy against straight-to-pod traffic and kube-proxy's sync budget, the cluster DNS against
// dnsmasq, pod to pod across nodes against the same node, the Ingress against direct requests.
export async function benchNetwork(): Promise<void> {
  const parts: Array<[string, () => Promise<void>]> = [
    ['proxy', async () => { await (await import('./network-proxy.ts')).benchNetworkProxy(); }],
    ['dns', async () => { await (await import('./network-dns.ts')).benchNetworkDns(); }],
    ['nodes', async () => { await (await import('./network-nodes.ts')).benchNetworkNodes(); }],
    ['ingress', async () => { await (await import('./network-ingress.ts')).benchNetworkIngress(); }],
  ];
  const failed: string[] = [];
  for (const [name, run] of parts) {
    try {
      await run();
    } catch (err) {
      console.error(`bench network/${name} failed: ${(err as Error).stack ?? String(err)}`);
      failed.push(name);
    }
  }
  if (failed.length > 0) throw new Error(`network parts failed: ${failed.join(', ')}`);
}
