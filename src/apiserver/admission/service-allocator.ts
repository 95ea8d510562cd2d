// Services get their cluster IP from the service CIDR and node ports from 30000–32767 when they
// are created (pkg/registry/core/service/ipallocator and portallocator). Allocation state is what
// the stored services hold, plus what this process handed out and has not yet seen stored.
import { invalid, type FieldError } from '../../api/errors.ts';
import type { KubeObject } from '../../api/meta.ts';
import type { AdmissionAttributes, AdmissionPlugin } from './types.ts';

type Obj = Record<string, any>;

export interface ServiceRanges {
  /** e.g. 10.43.0.0/16 */
  serviceCIDR: string;
  nodePortMin: number;
  nodePortMax: number;
}

export const DEFAULT_SERVICE_RANGES: ServiceRanges = { serviceCIDR: '10.43.0.0/16', nodePortMin: 30000, nodePortMax: 32767 };

function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  if (p.length !== 4 || p.some((n) => !Number.isInteger(n) || n < 0 || n > 255)) return NaN;
  return ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!;
}

function intToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCIDR(cidr: string): { base: number; size: number } {
  const [ip, bits] = cidr.split('/');
  const b = Number(bits);
  const base = ipToInt(ip ?? '');
  if (Number.isNaN(base) || !Number.isInteger(b) || b < 8 || b > 30) throw new Error(`invalid service CIDR "${cidr}"`);
  const size = 2 ** (32 - b);
  return { base: base - (base % size), size };
}

export function serviceAllocator(listServices: () => Promise<KubeObject[]>, ranges: ServiceRanges = DEFAULT_SERVICE_RANGES): AdmissionPlugin {
  const { base, size } = parseCIDR(ranges.serviceCIDR);
  // Handed out but perhaps not yet visible in the listing; forgotten after a while.
  const recentIPs = new Map<string, number>();
  const recentPorts = new Map<number, number>();
  let lock: Promise<void> = Promise.resolve();

  const inRange = (ip: string): boolean => {
    const n = ipToInt(ip);
    return !Number.isNaN(n) && n > base && n < base + size - 1;
  };

  async function allocate(a: AdmissionAttributes): Promise<void> {
    const svc = a.object!;
    const spec = (svc.spec ?? {}) as Obj;
    const old = a.oldObject?.spec as Obj | undefined;
    const errs: FieldError[] = [];
    const others = (await listServices()).filter((s) => s.metadata.uid !== svc.metadata.uid);
    const now = Date.now();
    for (const [k, t] of recentIPs) if (now - t > 30_000) recentIPs.delete(k);
    for (const [k, t] of recentPorts) if (now - t > 30_000) recentPorts.delete(k);
    const usedIPs = new Set<string>(recentIPs.keys());
    const usedPorts = new Set<number>(recentPorts.keys());
    for (const s of others) {
      const sp = (s.spec ?? {}) as Obj;
      for (const ip of [sp.clusterIP, ...(sp.clusterIPs ?? [])]) if (ip) usedIPs.add(ip);
      for (const p of (sp.ports ?? []) as Obj[]) if (p.nodePort) usedPorts.add(p.nodePort);
    }

    if (spec.type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    } else if (old?.clusterIP && (spec.clusterIP === undefined || spec.clusterIP === '' || spec.clusterIP === old.clusterIP)) {
      spec.clusterIP = old.clusterIP;
      spec.clusterIPs = old.clusterIPs ?? [old.clusterIP];
    } else if (spec.clusterIP === 'None') {
      spec.clusterIPs = ['None'];
    } else if (spec.clusterIP) {
      if (!inRange(spec.clusterIP)) {
        errs.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', badValue: [spec.clusterIP], detail: `failed to allocate IP ${spec.clusterIP}: the provided IP (${spec.clusterIP}) is not in the valid range. The range of valid IPs is ${ranges.serviceCIDR}` });
      } else if (usedIPs.has(spec.clusterIP) && old?.clusterIP !== spec.clusterIP) {
        errs.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', badValue: [spec.clusterIP], detail: `failed to allocate IP ${spec.clusterIP}: provided IP is already allocated` });
      } else {
        spec.clusterIPs = [spec.clusterIP];
        recentIPs.set(spec.clusterIP, now);
      }
    } else {
      // Random probing like upstream's allocator, skipping the first 10 addresses (kubernetes, DNS).
      let found: string | undefined;
      for (let i = 0; i < size * 2 && !found; i++) {
        const off = 11 + Math.floor(Math.random() * (size - 12));
        const ip = intToIp(base + off);
        if (!usedIPs.has(ip)) found = ip;
      }
      if (!found) errs.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', detail: 'failed to allocate a serviceIP: range is full' });
      else {
        spec.clusterIP = found;
        spec.clusterIPs = [found];
        recentIPs.set(found, now);
      }
    }

    const wantsNodePorts = spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
    const ports = (spec.ports ?? []) as Obj[];
    ports.forEach((p, i) => {
      if (!wantsNodePorts) { delete p.nodePort; return; }
      const prev = ((old?.ports ?? []) as Obj[]).find((o) => o.port === p.port && (o.protocol ?? 'TCP') === (p.protocol ?? 'TCP'))?.nodePort;
      if (p.nodePort) {
        if (p.nodePort < ranges.nodePortMin || p.nodePort > ranges.nodePortMax) {
          errs.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, badValue: p.nodePort, detail: `provided port is not in the valid range. The range of valid ports is ${ranges.nodePortMin}-${ranges.nodePortMax}` });
        } else if (usedPorts.has(p.nodePort) && p.nodePort !== prev) {
          errs.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, badValue: p.nodePort, detail: 'provided port is already allocated' });
        } else {
          usedPorts.add(p.nodePort);
          recentPorts.set(p.nodePort, now);
        }
        return;
      }
      if (prev) { p.nodePort = prev; return; }
      const span = ranges.nodePortMax - ranges.nodePortMin + 1;
      for (let k = 0; k < span * 2; k++) {
        const port = ranges.nodePortMin + Math.floor(Math.random() * span);
        if (!usedPorts.has(port)) {
          p.nodePort = port;
          usedPorts.add(port);
          recentPorts.set(port, now);
          return;
        }
      }
      errs.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, detail: 'failed to allocate a nodePort: range is full' });
    });
    if (errs.length) throw invalid('Service', '', svc.metadata.name ?? '', errs);
  }

  return {
    name: 'ServiceAllocator',
    async mutate(a: AdmissionAttributes): Promise<void> {
      if (a.info.storage.resource !== 'services' || a.subresource !== '' || !a.object) return;
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      // One allocation at a time in this process.
      const run = lock.then(() => allocate(a));
      lock = run.catch(() => undefined);
      await run;
    },
  };
}
