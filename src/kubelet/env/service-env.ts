// Service links: the variables the kubelet gives every container for the Services of its
// namespace (pkg/kubelet/envvars/envvars.go FromServices, and kubelet_pods.go getServiceEnvVarMap):
// NAME_SERVICE_HOST and NAME_SERVICE_PORT[_PORTNAME], and the Docker-link style NAME_PORT,
// NAME_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]. The API server's own Service (default/kubernetes)
// is always there, so in-cluster clients find it even with enableServiceLinks: false.
import type { Service } from '../../api/types/core-v1.ts';

/** NAME as the variable prefix: upper case, '-' → '_'. */
function envName(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}

/** Services with a ClusterIP (not headless, not ExternalName) get variables. */
function hasClusterIP(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return ip !== undefined && ip !== '' && ip !== 'None';
}

/** The variables of the given Services, in the order upstream appends them. */
export function serviceEnvVars(services: readonly Service[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const svc of services) {
    if (!hasClusterIP(svc)) continue;
    const ports = svc.spec?.ports ?? [];
    const first = ports[0];
    if (!first) continue;
    const name = envName(svc.metadata.name!);
    const ip = svc.spec!.clusterIP!;
    out.push([`${name}_SERVICE_HOST`, ip], [`${name}_SERVICE_PORT`, String(first.port)]);
    for (const p of ports) if (p.name) out.push([`${name}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    const proto = (first.protocol ?? 'TCP').toLowerCase();
    out.push([`${name}_PORT`, `${proto}://${hostPort(ip, first.port)}`]);
    for (const p of ports) {
      const pp = (p.protocol ?? 'TCP');
      const prefix = `${name}_PORT_${p.port}_${pp.toUpperCase()}`;
      out.push([prefix, `${pp.toLowerCase()}://${hostPort(ip, p.port)}`], [`${prefix}_PROTO`, pp.toLowerCase()], [`${prefix}_PORT`, String(p.port)], [`${prefix}_ADDR`, ip]);
    }
  }
  return out;
}

function hostPort(ip: string, port: number): string {
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

/**
 * The Services whose variables a pod of `namespace` gets: its namespace's (when service links are
 * on) and default/kubernetes; for a name in both, the pod's namespace wins, as upstream's map.
 */
export function linkedServices(namespace: string, enableServiceLinks: boolean, own: readonly Service[], masterService: Service | undefined): Service[] {
  const byName = new Map<string, Service>();
  if (masterService) byName.set(masterService.metadata.name!, masterService);
  if (enableServiceLinks) for (const s of own) if ((s.metadata.namespace ?? namespace) === namespace) byName.set(s.metadata.name!, s);
  return [...byName.values()].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
}
