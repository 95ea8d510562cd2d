// Reads host-local's lease store (<dataDir>/<network>/<ip>, holding "<containerID>\r\n<ifname>")
// so crash recovery can find containers that hold an address but have no cache entry.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

export interface Lease {
  ip: string;
  containerId: string;
  ifName: string;
}

export async function readLeases(leaseDir: string, networkName: string): Promise<Lease[]> {
  const dir = join(leaseDir, networkName);
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw err;
  }
  const leases: Lease[] = [];
  for (const name of names) {
    // Lease files are named by address; lock and last_reserved_ip.* are bookkeeping.
    if (!/^[0-9.]+$/.test(name) && !name.includes(':')) continue;
    let text: string;
    try {
      text = await readFile(join(dir, name), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue; // released meanwhile
      throw err;
    }
    const [containerId = '', ifName = ''] = text.split('\r\n');
    if (containerId !== '') leases.push({ ip: name, containerId: containerId.trim(), ifName: ifName.trim() });
  }
  return leases;
}
