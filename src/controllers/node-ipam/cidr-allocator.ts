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

  /**
   * Marks a CIDR some node already holds (assigned here, or its agent's own --pod-subnet): every
   * subnet of the range it overlaps is taken, whatever its size; CIDRs outside the range are
   * ignored (cidr_set.go Occupy / getBeginningAndEndIndices).
   */
  occupy(cidr: string): void {
    for (const i of this.#indexesOf(cidr)) this.#taken.add(i);
  }

  release(cidr: string): void {
    for (const i of this.#indexesOf(cidr)) this.#taken.delete(i);
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

  /** Indexes of the subnets `cidr` overlaps; none when it is malformed or outside the range. */
  #indexesOf(cidr: string): number[] {
    const [ip, p] = cidr.split('/');
    const prefix = Number(p);
    if (ip === undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > 32 || !/^\d+\.\d+\.\d+\.\d+$/.test(ip)) return [];
    const size = 2 ** this.#subnetBits;
    const start = (ipToNumber(ip) & maskOf(prefix)) >>> 0;
    const last = start + 2 ** (32 - prefix) - 1;
    const rangeLast = this.#base + this.#count * size - 1;
    if (last < this.#base || start > rangeLast) return [];
    const first = Math.floor((Math.max(start, this.#base) - this.#base) / size);
    const end = Math.floor((Math.min(last, rangeLast) - this.#base) / size);
    const out: number[] = [];
    for (let i = first; i <= end; i++) out.push(i);
    return out;
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
