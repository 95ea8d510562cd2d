// The files the kubelet manages for each pod and bind-mounts into its containers: /etc/hosts
// (pod IP and hostname, hostAliases), /etc/resolv.conf per dnsPolicy, and /etc/hostname
// (pkg/kubelet/kubelet_pods.go makeHostsMount / ensureHostsFile, pkg/kubelet/network/dns/dns.go).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Pod } from '../../api/types/core-v1.ts';
import type { VolumeMount } from '../../runtime/oci-spec.ts';

export const CLUSTER_DNS = '10.43.0.10';
export const CLUSTER_DOMAIN = 'cluster.local';

/** The kubelet's --cluster-dns, --cluster-domain and --resolv-conf. */
export interface PodDnsSettings {
  clusterDNS: string[];
  clusterDomain: string;
  /** The resolv.conf `dnsPolicy: Default` pods inherit. */
  resolvConf: string;
}

export const DEFAULT_POD_DNS: PodDnsSettings = { clusterDNS: [CLUSTER_DNS], clusterDomain: CLUSTER_DOMAIN, resolvConf: '/etc/resolv.conf' };

export interface PodFilePaths {
  dir: string;
  hosts: string;
  resolv: string;
  hostname: string;
}

export function podDir(kubeletDir: string, uid: string): string {
  return join(kubeletDir, 'pods', uid);
}

export function podFilePaths(kubeletDir: string, uid: string): PodFilePaths {
  const dir = podDir(kubeletDir, uid);
  return { dir, hosts: join(dir, 'etc-hosts'), resolv: join(dir, 'resolv.conf'), hostname: join(dir, 'hostname') };
}

/** The pod's hostname and, with a subdomain, its fully qualified name. */
export function podHostnames(pod: Pod, clusterDomain = CLUSTER_DOMAIN): { hostname: string; fqdn?: string } {
  const hostname = (pod.spec?.hostname ?? pod.metadata.name ?? 'pod').slice(0, 63);
  const sub = pod.spec?.subdomain;
  return sub ? { hostname, fqdn: `${hostname}.${sub}.${pod.metadata.namespace ?? 'default'}.svc.${clusterDomain}` } : { hostname };
}

export function hostsFile(pod: Pod, podIP: string | undefined, clusterDomain = CLUSTER_DOMAIN): string {
  const { hostname, fqdn } = podHostnames(pod, clusterDomain);
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  if (podIP) lines.push(fqdn ? `${podIP}\t${fqdn}\t${hostname}` : `${podIP}\t${hostname}`);
  const aliases = pod.spec?.hostAliases ?? [];
  if (aliases.length > 0) {
    lines.push('', '# Entries added by HostAliases.');
    for (const a of aliases) lines.push(`${a.ip}\t${(a.hostnames ?? []).join('\t')}`);
  }
  return `${lines.join('\n')}\n`;
}

export async function resolvConf(pod: Pod, dns: PodDnsSettings = DEFAULT_POD_DNS): Promise<string> {
  const domain = dns.clusterDomain;
  const spec = pod.spec ?? { containers: [] };
  const ns = pod.metadata.namespace ?? 'default';
  let policy = spec.dnsPolicy ?? 'ClusterFirst';
  // A host-network pod with ClusterFirst falls back to the host's DNS (only
  // ClusterFirstWithHostNet gives it the cluster's).
  if (policy === 'ClusterFirst' && spec.hostNetwork) policy = 'Default';
  let nameservers: string[] = [];
  let searches: string[] = [];
  let options: string[] = [];
  if (policy === 'ClusterFirst' || policy === 'ClusterFirstWithHostNet') {
    nameservers = [...dns.clusterDNS];
    searches = [`${ns}.svc.${domain}`, `svc.${domain}`, domain];
    options = ['ndots:5'];
  } else if (policy === 'Default') {
    const host = await readFile(dns.resolvConf, 'utf8').catch(() => '');
    for (const line of host.split('\n')) {
      const [key, ...rest] = line.trim().split(/\s+/);
      if (key === 'nameserver' && rest[0]) nameservers.push(rest[0]);
      else if (key === 'search') searches = rest;
      else if (key === 'options') options = rest;
    }
  }
  const cfg = spec.dnsConfig;
  if (cfg) {
    nameservers = [...new Set([...nameservers, ...(cfg.nameservers ?? [])])];
    searches = [...new Set([...searches, ...(cfg.searches ?? [])])];
    const opts = new Map(options.map((o) => [o.split(':')[0]!, o]));
    for (const o of cfg.options ?? []) opts.set(o.name, o.value !== undefined ? `${o.name}:${o.value}` : o.name);
    options = [...opts.values()];
  }
  const out: string[] = [];
  if (searches.length > 0) out.push(`search ${searches.slice(0, 32).join(' ')}`);
  for (const n of nameservers.slice(0, 3)) out.push(`nameserver ${n}`);
  if (options.length > 0) out.push(`options ${options.join(' ')}`);
  return `${out.join('\n')}\n`;
}

async function writeAtomic(path: string, text: string): Promise<void> {
  const tmp = `${path}.tmp`;
  await writeFile(tmp, text, { mode: 0o644 });
  await rename(tmp, path);
}

/** Writes the pod's files (again: the hosts file carries the IP known once the sandbox exists). */
export async function writePodFiles(kubeletDir: string, pod: Pod, podIP: string | undefined, dns: PodDnsSettings = DEFAULT_POD_DNS): Promise<PodFilePaths> {
  const paths = podFilePaths(kubeletDir, pod.metadata.uid!);
  await mkdir(paths.dir, { recursive: true, mode: 0o750 });
  const { hostname } = podHostnames(pod);
  if (pod.spec?.hostNetwork) {
    await writeAtomic(paths.hosts, await readFile('/etc/hosts', 'utf8').catch(() => '127.0.0.1\tlocalhost\n'));
  } else {
    await writeAtomic(paths.hosts, hostsFile(pod, podIP, dns.clusterDomain));
  }
  await writeAtomic(paths.resolv, await resolvConf(pod, dns));
  await writeAtomic(paths.hostname, `${hostname}\n`);
  return paths;
}

export function podFileMounts(paths: PodFilePaths): VolumeMount[] {
  return [
    { source: paths.hosts, destination: '/etc/hosts' },
    { source: paths.resolv, destination: '/etc/resolv.conf' },
    { source: paths.hostname, destination: '/etc/hostname' },
  ];
}
