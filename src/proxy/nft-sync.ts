// Turning rendered Fragments into nft transactions. A partial sync writes only what differs
// between a Service's applied fragment and its new one (new chains and sets first, then changed
// chains, then map elements, and only then what is gone, so no statement refers to something
// missing); a full sync rewrites the whole table in one transaction, which the kernel swaps in
// atomically, so established and new connections see either the old rules or the new
// (pkg/proxy/nftables/proxier.go syncProxyRules: partial syncs and needFullSync).
import {
  baseChainNames, baseSetNames, ELEMENT_CONTAINERS, emptyFragment, renderBase,
  type Element, type Fragment, type ProxyLayout,
} from './nft-rules.ts';

/** What is in the kernel's table: names of chains and of sets and maps. */
export interface ExistingTable {
  chains: string[];
  sets: string[];
}

export interface SyncPlan {
  script: string;
  /** Record the plan as applied (call only after the kernel took the script). */
  commit(): void;
  /** Number of statements, for logs and tests. */
  statements: number;
}

/**
 * The table as last applied: each Service's fragment, and which Service owns each map element
 * (two Services claiming one key, e.g. the same NodePort, must not undo each other: the first
 * keeps it until it lets go, and the other gets it at the next full sync).
 */
export class AppliedTable {
  readonly #fragments = new Map<string, Fragment>();
  readonly #owners = new Map<string, string>();

  get services(): number { return this.#fragments.size; }
  fragment(key: string): Fragment | undefined { return this.#fragments.get(key); }

  /** A transaction turning the applied fragments of `updates`' keys into the given ones (undefined: the Service is gone). */
  planPartial(l: ProxyLayout, updates: ReadonlyMap<string, Fragment | undefined>): SyncPlan {
    const t = `ip ${l.table}`;
    const s = new Steps();
    const nextOwners = new Map<string, string | undefined>();
    const nextFragments = new Map<string, Fragment | undefined>();
    for (const [key, next] of updates) {
      const old = this.#fragments.get(key) ?? emptyFragment();
      const want = next ?? emptyFragment();
      const kept = emptyFragment();
      for (const [name, timeout] of want.affinitySets) {
        if (!old.affinitySets.has(name)) s.addSets.push(affinitySetDecl(t, name, timeout));
      }
      for (const name of old.affinitySets.keys()) {
        if (!want.affinitySets.has(name)) s.delSets.push(`delete set ${t} ${name}`);
      }
      for (const [name, rules] of want.chains) {
        const before = old.chains.get(name);
        if (before === undefined) s.addChains.push(`add chain ${t} ${name}`);
        else if (sameRules(before, rules)) continue;
        else s.rules.push(`flush chain ${t} ${name}`);
        for (const r of rules) s.rules.push(`add rule ${t} ${name} ${r}`);
      }
      for (const name of old.chains.keys()) {
        if (!want.chains.has(name)) {
          s.flushChains.push(`flush chain ${t} ${name}`);
          s.delChains.push(`delete chain ${t} ${name}`);
        }
      }
      // Elements: only those this Service owns are written or removed.
      for (const [id, e] of want.elements) {
        const owner = nextOwners.has(id) ? nextOwners.get(id) : this.#owners.get(id);
        if (owner !== undefined && owner !== key) continue;
        kept.elements.set(id, e);
        nextOwners.set(id, key);
        const before = old.elements.get(id);
        if (before !== undefined) {
          if (before.value === e.value) continue;
          s.delElements.add(before);
        }
        s.addElements.add(e);
      }
      for (const [id, e] of old.elements) {
        if (kept.elements.has(id)) continue;
        s.delElements.add(e);
        nextOwners.set(id, undefined);
      }
      if (next === undefined) nextFragments.set(key, undefined);
      else nextFragments.set(key, { chains: want.chains, elements: kept.elements, affinitySets: want.affinitySets });
    }
    const lines = s.lines(t);
    return {
      script: lines.join('\n') + '\n',
      statements: lines.length,
      commit: () => {
        for (const [key, f] of nextFragments) {
          if (f === undefined) this.#fragments.delete(key);
          else this.#fragments.set(key, f);
        }
        for (const [id, owner] of nextOwners) {
          if (owner === undefined) this.#owners.delete(id);
          else this.#owners.set(id, owner);
        }
      },
    };
  }

  /**
   * A transaction making the table exactly `all` (Service key → fragment) over whatever is in
   * it now (`existing`, as listed from the kernel; chains and sets no Service wants are deleted).
   */
  planFull(l: ProxyLayout, all: ReadonlyMap<string, Fragment>, existing: ExistingTable): SyncPlan {
    const t = `ip ${l.table}`;
    const out: string[] = [`add table ${t}`, `flush table ${t}`, ...renderBase(l)];
    for (const c of ELEMENT_CONTAINERS) out.push(`flush ${c === 'cluster-ips' ? 'set' : 'map'} ${t} ${c}`);
    const owners = new Map<string, string>();
    const fragments = new Map<string, Fragment>();
    const wantChains = baseChainNames();
    const wantSets = baseSetNames();
    const elements = new ElementBatch();
    for (const f of all.values()) {
      for (const [name, timeout] of f.affinitySets) {
        out.push(affinitySetDecl(t, name, timeout));
        wantSets.add(name);
      }
    }
    // Every chain is declared before any rule, as rules jump to chains of the same Service.
    for (const f of all.values()) {
      for (const name of f.chains.keys()) {
        wantChains.add(name);
        out.push(`add chain ${t} ${name}`);
      }
    }
    for (const [key, f] of all) {
      for (const [name, rules] of f.chains) {
        for (const r of rules) out.push(`add rule ${t} ${name} ${r}`);
      }
      const kept = new Map<string, Element>();
      for (const [id, e] of f.elements) {
        if (owners.has(id)) continue;
        owners.set(id, key);
        kept.set(id, e);
        elements.add(e);
      }
      fragments.set(key, { chains: f.chains, elements: kept, affinitySets: f.affinitySets });
    }
    out.push(...elements.render('add', t));
    const stale = existing.chains.filter((c) => !wantChains.has(c));
    for (const c of stale) out.push(`delete chain ${t} ${c}`);
    for (const set of existing.sets) if (!wantSets.has(set)) out.push(`delete set ${t} ${set}`);
    return {
      script: out.join('\n') + '\n',
      statements: out.length,
      commit: () => {
        this.#fragments.clear();
        for (const [k, f] of fragments) this.#fragments.set(k, f);
        this.#owners.clear();
        for (const [id, k] of owners) this.#owners.set(id, k);
      },
    };
  }

  /** Forget everything (after a failed apply the next sync is a full one). */
  clear(): void {
    this.#fragments.clear();
    this.#owners.clear();
  }
}

function affinitySetDecl(t: string, name: string, timeout: number): string {
  return `add set ${t} ${name} { type ipv4_addr; flags dynamic,timeout; timeout ${timeout}s; }`;
}

function sameRules(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((r, i) => r === b[i]);
}

/** Elements grouped by map or set, written as one statement each. */
class ElementBatch {
  readonly #by = new Map<string, Element[]>();
  add(e: Element): void {
    let list = this.#by.get(e.container);
    if (list === undefined) this.#by.set(e.container, (list = []));
    list.push(e);
  }
  render(verb: 'add' | 'delete', t: string): string[] {
    const out: string[] = [];
    for (const [container, list] of this.#by) {
      const items = list.map((e) => (verb === 'add' && e.value !== undefined ? `${e.key} : ${e.value}` : e.key));
      out.push(`${verb} element ${t} ${container} { ${items.join(', ')} }`);
    }
    return out;
  }
}

class Steps {
  readonly addSets: string[] = [];
  readonly addChains: string[] = [];
  readonly rules: string[] = [];
  /** Elements that go or whose value changes: deleted before any is added (a key another Service lets go may be taken in the same transaction). */
  readonly delElements = new ElementBatch();
  readonly addElements = new ElementBatch();
  readonly flushChains: string[] = [];
  readonly delChains: string[] = [];
  readonly delSets: string[] = [];

  lines(t: string): string[] {
    return [
      ...this.addSets, ...this.addChains, ...this.rules,
      ...this.delElements.render('delete', t), ...this.addElements.render('add', t),
      ...this.flushChains, ...this.delChains, ...this.delSets,
    ];
  }
}

/** Names of the chains and of the sets and maps in `nft -j list table` output. */
export function parseTableListing(json: string): ExistingTable {
  const doc = JSON.parse(json) as { nftables?: Array<Record<string, { name?: string }>> };
  const chains: string[] = [];
  const sets: string[] = [];
  for (const item of doc.nftables ?? []) {
    if (item.chain?.name) chains.push(item.chain.name);
    else if (item.set?.name) sets.push(item.set.name);
    else if (item.map?.name) sets.push(item.map.name);
  }
  return { chains, sets };
}
