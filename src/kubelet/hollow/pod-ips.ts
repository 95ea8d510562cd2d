// Fake pod IPs for a simulated node: host addresses of the node's spec.podCIDR handed out lowest
// first and given back when the pod goes (kwok's per-node IP pool; no network behind them). The
// first address stays free, as the real agent's bridge holds it.

export class PodIpPoolError extends Error {
  readonly code = 'PodIpPoolError';
}

export class PodIpPool {
  readonly cidr: string;
  readonly #base: number;
  readonly #size: number;
  /** pod uid → host index. */
  readonly #byPod = new Map<string, number>();
  readonly #taken = new Set<number>();

  constructor(cidr: string) {
    const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(cidr);
    const prefix = Number(m?.[5]);
    if (!m || prefix < 8 || prefix > 30) throw new PodIpPoolError(`Cannot use pod CIDR "${cidr}": expected an IPv4 CIDR from /8 to /30`);
    const ip = [m[1], m[2], m[3], m[4]].reduce((n, o) => n * 256 + Number(o), 0);
    const hostBits = 32 - prefix;
    this.#base = ip - (ip % 2 ** hostBits);
    this.#size = 2 ** hostBits;
    this.cidr = cidr;
  }

  /** The pod's address: the one it already holds, or the lowest free one. */
  allocate(podUid: string): string {
    const held = this.#byPod.get(podUid);
    if (held !== undefined) return this.#ip(held);
    // Skip the network address and the gateway (.1); the broadcast address is the last one.
    for (let i = 2; i < this.#size - 1; i++) {
      if (this.#taken.has(i)) continue;
      this.#taken.add(i);
      this.#byPod.set(podUid, i);
      return this.#ip(i);
    }
    throw new PodIpPoolError(`no pod IP left in ${this.cidr}`);
  }

  /** Marks an address a pod already reports (after a restart of the simulator). */
  occupy(podUid: string, ip: string): void {
    const n = ip.split('.').reduce((acc, o) => acc * 256 + Number(o), 0);
    const i = n - this.#base;
    if (!/^\d+\.\d+\.\d+\.\d+$/.test(ip) || i < 2 || i >= this.#size - 1 || this.#byPod.has(podUid)) return;
    if (this.#taken.has(i)) return;
    this.#taken.add(i);
    this.#byPod.set(podUid, i);
  }

  release(podUid: string): void {
    const i = this.#byPod.get(podUid);
    if (i === undefined) return;
    this.#byPod.delete(podUid);
    this.#taken.delete(i);
  }

  get used(): number { return this.#byPod.size; }

  #ip(i: number): string {
    const n = this.#base + i;
    return [Math.floor(n / 2 ** 24) % 256, Math.floor(n / 2 ** 16) % 256, Math.floor(n / 256) % 256, n % 256].join('.');
  }
}
