// Hands out fixed-size pod subnets from one cluster range: 10.42.0.0/16 cut into /24s by default
// (pkg/controller/nodeipam/ipam/cidrset/cidr_set.go, without the bitmap: a set of taken indexes).

export class CidrAllocatorError extends Error {
  readonly code = 'CidrAllocatorError';
}

export class CidrAllocator {
  readonly #base: number;
  readonly #count: number;
  readonly #subnetBits: number;
  readonly #taken = new Set<number>();

  constructor(clusterCidr = '10.42.0.0/16', subnetPrefix = 24) {
    const [ip, prefixText] = clusterCidr.split('/');
    const prefix = Number(prefixText);
    if (ip === undefined || !Number.isInteger(prefix) || prefix < 8 || prefix > subnetPrefix || subnetPrefix > 30) {
      throw new CidrAllocatorError(`invalid cluster CIDR "${clusterCidr}" for /${subnetPrefix} subnets`);
    }
    this.#subnetBits = 32 - subnetPrefix;
    this.#base = ipToNumber(ip) & maskOf(prefix);
    this.#count = 2 ** (subnetPrefix - prefix);
    this.prefix = subnetPrefix;
  }

  readonly prefix: number;

  /** Marks a CIDR some node already holds; ignores CIDRs outside the range or of another size. */
  occupy(cidr: string): void {
    const i = this.#indexOf(cidr);
    if (i !== undefined) this.#taken.add(i);
  }

  release(cidr: string): void {
    const i = this.#indexOf(cidr);
    if (i !== undefined) this.#taken.delete(i);
  }

  /** The lowest free subnet, marked taken. */
  allocateNext(): string {
    for (let i = 0; i < this.#count; i++) {
      if (this.#taken.has(i)) continue;
      this.#taken.add(i);
      return `${numberToIp(this.#base + i * 2 ** this.#subnetBits)}/${this.prefix}`;
    }
    throw new CidrAllocatorError('no pod CIDR left in the cluster range');
  }

  #indexOf(cidr: string): number | undefined {
    const [ip, p] = cidr.split('/');
    if (ip === undefined || Number(p) !== this.prefix || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return undefined;
    const offset = ipToNumber(ip) - this.#base;
    if (offset < 0 || offset % 2 ** this.#subnetBits !== 0) return undefined;
    const i = offset / 2 ** this.#subnetBits;
    return i < this.#count ? i : undefined;
  }
}

function maskOf(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, o) => n * 256 + Number(o), 0) >>> 0;
}

function numberToIp(n: number): string {
  return [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}
