// The node's cluster DNS component: a DnsServer on the node's bridge address (the pods' gateway),
// fed by informers on Services, EndpointSlices and Namespaces, forwarding other names to the
// resolvers of the node's resolv.conf; and the EndpointSlice `kube-system/kube-dns-<node>` that
// makes this server an endpoint of the kube-dns Service, so the proxy sends each pod's queries
// to its own node (internalTrafficPolicy Local), as NodeLocal DNSCache keeps them on the node.
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import { isAlreadyExists, isConflict, isNotFound } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { Node } from '../../api/types/core-v1.ts';
import type { Clientset } from '../../client/clientset.ts';
import { Informer } from '../../client/informer.ts';
import type { ResourceClient } from '../../client/resource-client.ts';
import { ClusterZone } from './cluster-zone.ts';
import { DnsServer } from './dns-server.ts';
import { Forwarder, readResolvConf } from './forwarder.ts';
import { RecordIndex } from './record-index.ts';
import { LABEL_MANAGED_BY, LABEL_SERVICE_NAME, type EndpointSlice, type Service } from './types.ts';

/** What the component needs of the node network's context (src/cli/node-network.ts NodeNetworkContext). */
export interface ClusterDnsContext {
  clientset: Clientset;
  nodeName: string;
  /** The address on the pods' bridge the server listens on. */
  gatewayIP: string;
  /** The kube-dns Service's ClusterIP (the zone's NS answers with it). */
  clusterDNS: string;
  clusterDomain: string;
  /** Where the upstream resolvers are read from. */
  resolvConf: string;
  log: Logger;
}

export const DNS_SERVICE_NAMESPACE = 'kube-system';
export const DNS_SERVICE_NAME = 'kube-dns';
export const DNS_SLICE_MANAGER = 'skiff-node-dns';
const DNS_PORT = 53;
/** CoreDNS starts serving after at most this long without a synced cache (plugin/kubernetes). */
const SYNC_WAIT_MS = 5000;

export function dnsSliceName(nodeName: string): string {
  return `${DNS_SERVICE_NAME}-${nodeName}`;
}

/** The EndpointSlice that makes `address` the kube-dns endpoint on `node`. */
export function desiredDnsSlice(node: Pick<Node, 'metadata'>, address: string): EndpointSlice {
  const nodeName = node.metadata.name ?? '';
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      name: dnsSliceName(nodeName), namespace: DNS_SERVICE_NAMESPACE,
      labels: { [LABEL_SERVICE_NAME]: DNS_SERVICE_NAME, [LABEL_MANAGED_BY]: DNS_SLICE_MANAGER },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: node.metadata.uid ?? '' }],
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true, serving: true, terminating: false }, nodeName }],
    ports: [{ name: 'dns', protocol: 'UDP', port: DNS_PORT }, { name: 'dns-tcp', protocol: 'TCP', port: DNS_PORT }],
  };
}

function sliceMatches(have: EndpointSlice, want: EndpointSlice): boolean {
  const labels = have.metadata.labels ?? {};
  return Object.entries(want.metadata.labels ?? {}).every(([k, v]) => labels[k] === v)
    && isDeepStrictEqual(have.metadata.ownerReferences ?? [], want.metadata.ownerReferences)
    && have.addressType === want.addressType
    && isDeepStrictEqual(have.endpoints, want.endpoints)
    && isDeepStrictEqual(have.ports ?? [], want.ports);
}

export async function runClusterDns(ctx: ClusterDnsContext, signal: AbortSignal): Promise<void> {
  const log = ctx.log.child({ component: 'dns' });
  const index = new RecordIndex();
  const onError = (err: unknown): void => log.debug({ err: (err as Error).message }, 'dns informer error');
  const services = new Informer<Service>(ctx.clientset.resource<Service>('v1', 'services'), { onError });
  const slices = new Informer<EndpointSlice>(ctx.clientset.resource<EndpointSlice>('discovery.k8s.io/v1', 'endpointslices'), { onError });
  const namespaces = new Informer<KubeObject>(ctx.clientset.resource('v1', 'namespaces'), { onError, metadataOnly: true });
  services.addHandlers({ add: (s) => index.upsertService(s), update: (_, s) => index.upsertService(s), delete: (s) => index.deleteService(s) });
  slices.addHandlers({ add: (s) => index.upsertSlice(s), update: (_, s) => index.upsertSlice(s), delete: (s) => index.deleteSlice(s) });
  namespaces.addHandlers({
    add: (n) => index.upsertNamespace(n.metadata.name ?? ''),
    update: (_, n) => index.upsertNamespace(n.metadata.name ?? ''),
    delete: (n) => index.deleteNamespace(n.metadata.name ?? ''),
  });
  const informing = [services, slices, namespaces].map((i) => i.run(signal));

  // Answer only from a synced view (or after SYNC_WAIT_MS without one), so a starting node does not
  // tell pods that existing Services are NXDOMAIN.
  const synced = Promise.all([services, slices, namespaces].map((i) => i.waitForSync(signal)));
  await Promise.race([synced.catch(() => undefined), new Promise((r) => setTimeout(r, SYNC_WAIT_MS).unref())]);
  if (signal.aborted) return;

  // The server's own addresses are never its upstream (a resolv.conf naming the node's DNS would loop).
  const upstreams = (await readResolvConf(ctx.resolvConf).catch((err: unknown) => {
    log.warn({ resolvConf: ctx.resolvConf, err: (err as Error).message }, 'cluster DNS: no upstream resolvers');
    return [];
  })).filter((u) => u.address !== ctx.gatewayIP && u.address !== ctx.clusterDNS);
  const server = new DnsServer({
    zone: new ClusterZone(index, { domain: ctx.clusterDomain, nameserverIP: ctx.clusterDNS }),
    forwarder: new Forwarder({ upstreams }),
    address: ctx.gatewayIP, port: DNS_PORT, log,
  });
  // The bridge has its address before components start; a port 53 held by something else is
  // waited out rather than taken as fatal, so DNS comes up once it is free.
  for (let delay = 1000; ; delay = Math.min(delay * 2, 30_000)) {
    try {
      await server.listen();
      break;
    } catch (err) {
      log.warn({ address: ctx.gatewayIP, err: (err as Error).message }, 'cluster DNS cannot listen yet');
      await sleep(delay, undefined, { signal }).catch(() => undefined);
      if (signal.aborted) return;
    }
  }
  log.info({ address: ctx.gatewayIP, upstreams: upstreams.map((u) => u.address) }, 'cluster DNS serving');

  const publishing = publishDnsSlice(ctx, slices, signal, log);
  await server.run(signal);
  await Promise.all([publishing, ...informing]);
}

/**
 * Keeps kube-system/kube-dns-<node> as desiredDnsSlice says: written at start, again whenever the
 * informer shows it changed or gone. It stays when the component stops, like the objects a
 * kubelet manages; its owner reference to the Node lets the garbage collector remove it with the Node.
 */
async function publishDnsSlice(ctx: ClusterDnsContext, slices: Informer<EndpointSlice>, signal: AbortSignal, log: Logger): Promise<void> {
  const client = ctx.clientset.resource<EndpointSlice>('discovery.k8s.io/v1', 'endpointslices');
  const nodes = ctx.clientset.resource<Node>('v1', 'nodes');
  const name = dnsSliceName(ctx.nodeName);
  let dirty = true;
  let wake: (() => void) | undefined;
  const kick = (s: EndpointSlice): void => {
    if (s.metadata.namespace !== DNS_SERVICE_NAMESPACE || s.metadata.name !== name) return;
    dirty = true;
    wake?.();
  };
  slices.addHandlers({ add: kick, update: (_, s) => kick(s), delete: kick });
  const onAbort = (): void => wake?.();
  signal.addEventListener('abort', onAbort, { once: true });
  let backoff = 500;
  try {
    while (!signal.aborted) {
      if (dirty) {
        dirty = false;
        try {
          const node = await nodes.get(undefined, ctx.nodeName);
          const want = desiredDnsSlice(node, ctx.gatewayIP);
          const cached = slices.get(`${DNS_SERVICE_NAMESPACE}/${name}`);
          if (!cached || !sliceMatches(cached, want)) await ensureSlice(client, want);
          backoff = 500;
        } catch (err) {
          if (signal.aborted) return;
          dirty = true;
          log.warn({ err: (err as Error).message }, 'cluster DNS: cannot publish its EndpointSlice');
          await sleep(backoff, undefined, { signal }).catch(() => undefined);
          backoff = Math.min(backoff * 2, 10_000);
          continue;
        }
      }
      await new Promise<void>((resolve) => { wake = resolve; });
      wake = undefined;
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

async function ensureSlice(client: ResourceClient<EndpointSlice>, want: EndpointSlice): Promise<void> {
  const ns = DNS_SERVICE_NAMESPACE;
  const have = await client.get(ns, want.metadata.name ?? '').catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });
  if (!have) {
    await client.create(ns, want).catch((err: unknown) => { if (!isAlreadyExists(err)) throw err; });
    return;
  }
  if (sliceMatches(have, want)) return;
  const labels = { ...have.metadata.labels, ...want.metadata.labels };
  const next: EndpointSlice = { ...have, metadata: { ...have.metadata, labels, ownerReferences: want.metadata.ownerReferences ?? [] }, addressType: want.addressType, endpoints: want.endpoints, ports: want.ports ?? [] };
  await client.update(ns, next).catch((err: unknown) => { if (!isConflict(err)) throw err; });
}
