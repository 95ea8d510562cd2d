// Host-gateway routes to other nodes' pod subnets (`10.42.3.0/24 via 10.0.0.3`), the way
// flannel's host-gw backend keeps them (flannel pkg/backend/hostgw, pkg/backend/route_network.go).
// Every route skiff adds carries its own routing protocol number, so listing and cleanup find
// exactly skiff's routes and never touch the kernel's connected routes or anyone else's.
import { HostCommandFailed } from './errors.ts';
import { runCommand } from '../runtime/netns/run-command.ts';

/**
 * The `proto` of skiff's routes: a number /etc/iproute2/rt_protos does not reserve (flannel and
 * calico mark theirs the same way), so `ip route show proto 147` lists skiff's and nothing else.
 */
export const SKIFF_ROUTE_PROTOCOL = 147;

export interface PodRoute {
  /** A node's pod subnet, e.g. 10.42.3.0/24. */
  dst: string;
  /** That node's InternalIP. */
  via: string;
}

export interface RouteOptions {
  /** A named network namespace (`ip -n NAME`) instead of the caller's own (tests). */
  netns?: string;
}

async function ip(args: string[], o: RouteOptions): Promise<{ code: number; stdout: string; stderr: string }> {
  return runCommand('ip', o.netns ? ['-n', o.netns, ...args] : args);
}

/** One route as `ip -j route show table all` prints it. */
export interface RouteEntry {
  type?: string;
  dst?: string;
  gateway?: string;
  dev?: string;
  protocol?: string;
  scope?: string;
  /** Absent for the main table. */
  table?: string;
}

/**
 * Every IPv4 route of the namespace (main and local tables): one `ip` run per sync, however many
 * nodes, so a thousand simulated nodes cost one process, not a thousand.
 */
export async function readRouteTable(o: RouteOptions = {}): Promise<RouteEntry[]> {
  const r = await ip(['-j', '-4', 'route', 'show', 'table', 'all'], o);
  if (r.code !== 0) throw new HostCommandFailed(`Cannot list routes: ip route show: ${r.stderr.trim()}`);
  try {
    const v = JSON.parse(r.stdout.trim() === '' ? '[]' : r.stdout) as unknown;
    return Array.isArray(v) ? (v as RouteEntry[]) : [];
  } catch (err) {
    throw new HostCommandFailed(`Cannot parse the output of ip route show: ${(err as Error).message}`, { cause: err });
  }
}

const isMain = (r: RouteEntry): boolean => r.table === undefined || r.table === 'main';
const isSkiff = (r: RouteEntry): boolean => r.protocol === String(SKIFF_ROUTE_PROTOCOL);
/** A /32 prints without its prefix length; `default` is 0.0.0.0/0. */
const withPrefix = (dst: string): string => (dst === 'default' ? '0.0.0.0/0' : dst.includes('/') ? dst : `${dst}/32`);

/** skiff's routes inside `within` (the cluster CIDR) in the main table. */
export function skiffRoutes(table: readonly RouteEntry[], within: string): PodRoute[] {
  const out: PodRoute[] = [];
  for (const r of table) {
    if (!isMain(r) || !isSkiff(r) || !r.dst || !r.gateway) continue;
    const dst = withPrefix(r.dst);
    if (cidrContains(within, dst)) out.push({ dst, via: r.gateway });
  }
  return out;
}

/** skiff's routes inside `within`, read from the kernel. */
export async function listPodRoutes(within: string, o: RouteOptions = {}): Promise<PodRoute[]> {
  return skiffRoutes(await readRouteTable(o), within);
}

/**
 * Who else holds `dst` exactly in the main table (a bridge's connected subnet, say), which a
 * `replace` would silently take over; undefined when nobody or only skiff does.
 */
export function otherRouteTo(table: readonly RouteEntry[], dst: string): string | undefined {
  const other = table.find((r) => isMain(r) && !isSkiff(r) && r.dst !== undefined && withPrefix(r.dst) === dst);
  if (!other) return undefined;
  return `${dst}${other.dev ? ` dev ${other.dev}` : ''}${other.protocol ? ` proto ${other.protocol}` : ''}`;
}

/**
 * Why `addr` cannot be a next hop, or undefined when it can: a host-gateway route needs the other
 * node on a directly connected link (flannel's host-gw has the same limit), and not an address of
 * this host. Simulated nodes' made-up addresses fail here.
 */
export function nextHopProblem(table: readonly RouteEntry[], addr: string): string | undefined {
  const host = ipv4Number(addr);
  if (host === undefined) return 'not an IPv4 address';
  if (table.some((r) => r.type === 'local' && r.dst !== undefined && inCidr(withPrefix(r.dst), host))) return 'it is an address of this host';
  const linked = table.some((r) => isMain(r) && r.scope === 'link' && !r.gateway && (r.type === undefined || r.type === 'unicast')
    && r.dst !== undefined && inCidr(withPrefix(r.dst), host));
  return linked ? undefined : 'not on a directly connected link';
}

function ipv4Number(addr: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(addr);
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((x) => x > 255)) return undefined;
  return octets.reduce((acc, x) => acc * 256 + x, 0);
}

function inCidr(cidr: string, host: number): boolean {
  const [addr, len] = cidr.split('/') as [string, string];
  const base = ipv4Number(addr);
  const prefix = Number(len);
  if (base === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return false;
  const size = 2 ** (32 - prefix);
  return Math.floor(base / size) === Math.floor(host / size);
}

/** Adds or changes a route (`ip route replace … proto 147`). */
export async function replacePodRoute(route: PodRoute, o: RouteOptions = {}): Promise<void> {
  const r = await ip(['route', 'replace', route.dst, 'via', route.via, 'proto', String(SKIFF_ROUTE_PROTOCOL)], o);
  if (r.code !== 0) throw new HostCommandFailed(`Cannot add route ${route.dst} via ${route.via}: ${r.stderr.trim()}`);
}

/** Removes one of skiff's routes; a route already gone is not an error. */
export async function deletePodRoute(route: PodRoute, o: RouteOptions = {}): Promise<void> {
  const r = await ip(['route', 'del', route.dst, 'via', route.via, 'proto', String(SKIFF_ROUTE_PROTOCOL)], o);
  if (r.code !== 0 && !/No such process|not found/i.test(r.stderr)) {
    throw new HostCommandFailed(`Cannot remove route ${route.dst} via ${route.via}: ${r.stderr.trim()}`);
  }
}

/** Removes every route of skiff's inside `within` (`skiff down`-style cleanup); answers what went. */
export async function deleteAllPodRoutes(within: string, o: RouteOptions = {}): Promise<PodRoute[]> {
  const routes = await listPodRoutes(within, o);
  for (const route of routes) await deletePodRoute(route, o);
  return routes;
}

export interface RouteDiff {
  /** Routes to add, or to change to a new next hop (`replace`). */
  replace: PodRoute[];
  /** Routes no node wants any more. */
  remove: PodRoute[];
}

/** What to change so that `current` becomes `desired` (dst → via). */
export function diffRoutes(desired: ReadonlyMap<string, string>, current: readonly PodRoute[]): RouteDiff {
  const have = new Map<string, Set<string>>();
  for (const r of current) {
    const set = have.get(r.dst) ?? new Set<string>();
    set.add(r.via);
    have.set(r.dst, set);
  }
  const replace: PodRoute[] = [];
  const remove: PodRoute[] = [];
  for (const [dst, via] of [...desired].sort(([a], [b]) => a.localeCompare(b))) {
    const vias = have.get(dst);
    if (!vias?.has(via) || vias.size > 1) replace.push({ dst, via });
  }
  for (const r of current) {
    const want = desired.get(r.dst);
    // A changed next hop is handled by replace; a second route to the same subnet (another
    // metric) would shadow or be shadowed, so it goes as well.
    if (want === undefined || (want !== r.via && (have.get(r.dst)?.size ?? 0) > 1)) remove.push(r);
  }
  return { replace, remove };
}

/** Whether `cidr` lies inside `within` (both IPv4 CIDRs); false for anything that does not parse. */
export function cidrContains(within: string, cidr: string): boolean {
  const [addr, len] = cidr.split('/') as [string, string | undefined];
  const inner = ipv4Number(addr);
  const outerLen = Number(within.split('/')[1]);
  if (inner === undefined || len === undefined || Number(len) < outerLen) return false;
  return inCidr(within, inner);
}
