// What the node reports about the machine: capacity (cpu, memory from /proc/meminfo, pods,
// ephemeral storage from statfs of the data directory), system info and addresses
// (pkg/kubelet/nodestatus/setters.go MachineInfo, NodeAddress, VersionInfo).
import { readFile, statfs } from 'node:fs/promises';
import { cpus, hostname, networkInterfaces, release } from 'node:os';
import { formatBytes, formatDecimalSI, formatNanoCores } from '../../api/quantity-format.ts';
import type { NodeAddress, NodeSystemInfo, ResourceList } from '../../api/types/core-v1.ts';
import { parseQuantity } from '../../api/validation/quantity.ts';

export const KUBELET_VERSION = 'v1.33.0-skiff.0';
export const CONTAINER_RUNTIME_VERSION = 'skiff://0.1.0';
export const DEFAULT_MAX_PODS = 110;

export interface MachineFacts {
  cpuCores: number;
  memoryBytes: number;
  /** MemAvailable, for the MemoryPressure condition. */
  memoryAvailableBytes: number;
  storageBytes: number;
  storageAvailableBytes: number;
  pidMax: number;
  pidsInUse: number;
}

export async function readMeminfo(): Promise<{ total: number; available: number }> {
  const text = await readFile('/proc/meminfo', 'utf8');
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  return { total: field('MemTotal'), available: field('MemAvailable') };
}

export async function readMachineFacts(dataDir: string): Promise<MachineFacts> {
  const mem = await readMeminfo();
  const fs = await statfs(dataDir);
  const pidMax = Number((await readFile('/proc/sys/kernel/pid_max', 'utf8').catch(() => '32768')).trim());
  const loadavg = await readFile('/proc/loadavg', 'utf8').catch(() => '');
  // Fourth field of /proc/loadavg: runnable/total scheduling entities (threads).
  const pidsInUse = Number(/\d+\/(\d+)/.exec(loadavg)?.[1] ?? 0);
  return {
    cpuCores: cpus().length,
    memoryBytes: mem.total,
    memoryAvailableBytes: mem.available,
    storageBytes: fs.blocks * fs.bsize,
    storageAvailableBytes: fs.bavail * fs.bsize,
    pidMax,
    pidsInUse,
  };
}

export interface AllocatableOverrides {
  /** Quantity text, e.g. "2Gi". */
  memory?: string;
  /** Quantity text, e.g. "1500m". */
  cpu?: string;
  pods?: number;
}

export function capacityOf(facts: MachineFacts, maxPods = DEFAULT_MAX_PODS): ResourceList {
  return {
    cpu: String(facts.cpuCores),
    memory: `${Math.floor(facts.memoryBytes / 1024)}Ki`,
    pods: String(maxPods),
    'ephemeral-storage': `${Math.floor(facts.storageBytes / 1024)}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
  };
}

/**
 * A quantity from a flag in the form the API server would store it (resource.Quantity's canonical
 * form): "1.25Gi" → "1280Mi", "1.5" CPUs → "1500m", "2000M" → "2G".
 */
export function canonicalQuantity(kind: 'cpu' | 'memory', text: string): string {
  const value = parseQuantity(text);
  if (kind === 'cpu') return formatNanoCores(Math.round(value * 1e9));
  return /[KMGTPE]i$/.test(text.trim()) ? formatBytes(Math.round(value)) : formatDecimalSI(Math.round(value), 0);
}

export function allocatableOf(capacity: ResourceList, overrides: AllocatableOverrides): ResourceList {
  return {
    ...capacity,
    ...(overrides.cpu !== undefined ? { cpu: canonicalQuantity('cpu', overrides.cpu) } : {}),
    ...(overrides.memory !== undefined ? { memory: canonicalQuantity('memory', overrides.memory) } : {}),
    ...(overrides.pods !== undefined ? { pods: String(overrides.pods) } : {}),
  };
}

async function firstLine(path: string): Promise<string> {
  return (await readFile(path, 'utf8').catch(() => '')).split('\n')[0]!.trim();
}

async function osImage(): Promise<string> {
  const text = await readFile('/etc/os-release', 'utf8').catch(() => '');
  const m = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(text);
  return m?.[1] ?? 'Linux';
}

export async function systemInfo(): Promise<NodeSystemInfo> {
  const machineID = await firstLine('/etc/machine-id');
  return {
    machineID,
    systemUUID: (await firstLine('/sys/class/dmi/id/product_uuid')) || machineID,
    bootID: await firstLine('/proc/sys/kernel/random/boot_id'),
    kernelVersion: release(),
    osImage: await osImage(),
    containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
    kubeletVersion: KUBELET_VERSION,
    kubeProxyVersion: '',
    operatingSystem: 'linux',
    architecture: process.arch === 'x64' ? 'amd64' : process.arch,
  };
}

/** The first non-loopback IPv4 address of the machine, or 127.0.0.1. */
export function defaultNodeIP(): string {
  for (const addrs of Object.values(networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
}

export function nodeAddresses(nodeIP: string, host = hostname()): NodeAddress[] {
  return [{ type: 'InternalIP', address: nodeIP }, { type: 'Hostname', address: host }];
}
