// A binary heap keyed by string, with update and delete by key (pkg/scheduler/backend/heap).
export class Heap<T> {
  readonly #items: T[] = [];
  readonly #index = new Map<string, number>();
  readonly #key: (v: T) => string;
  readonly #less: (a: T, b: T) => boolean;

  constructor(key: (v: T) => string, less: (a: T, b: T) => boolean) {
    this.#key = key;
    this.#less = less;
  }

  get size(): number { return this.#items.length; }
  has(key: string): boolean { return this.#index.has(key); }
  get(key: string): T | undefined {
    const i = this.#index.get(key);
    return i === undefined ? undefined : this.#items[i];
  }
  peek(): T | undefined { return this.#items[0]; }
  values(): readonly T[] { return this.#items; }

  /** Add, or replace the item with the same key and restore order. */
  addOrUpdate(v: T): void {
    const k = this.#key(v);
    const i = this.#index.get(k);
    if (i !== undefined) {
      this.#items[i] = v;
      this.#fix(i);
      return;
    }
    this.#items.push(v);
    this.#index.set(k, this.#items.length - 1);
    this.#up(this.#items.length - 1);
  }

  pop(): T | undefined {
    if (this.#items.length === 0) return undefined;
    return this.#removeAt(0);
  }

  delete(key: string): T | undefined {
    const i = this.#index.get(key);
    return i === undefined ? undefined : this.#removeAt(i);
  }

  #removeAt(i: number): T {
    const items = this.#items;
    const v = items[i]!;
    const last = items.pop()!;
    this.#index.delete(this.#key(v));
    if (i < items.length) {
      items[i] = last;
      this.#index.set(this.#key(last), i);
      this.#fix(i);
    }
    return v;
  }

  #fix(i: number): void {
    if (!this.#up(i)) this.#down(i);
  }

  #swap(i: number, j: number): void {
    const items = this.#items;
    const a = items[i]!;
    const b = items[j]!;
    items[i] = b;
    items[j] = a;
    this.#index.set(this.#key(b), i);
    this.#index.set(this.#key(a), j);
  }

  #up(i: number): boolean {
    let moved = false;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.#less(this.#items[i]!, this.#items[parent]!)) break;
      this.#swap(i, parent);
      i = parent;
      moved = true;
    }
    return moved;
  }

  #down(i: number): void {
    const n = this.#items.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      const r = l + 1;
      const c = r < n && this.#less(this.#items[r]!, this.#items[l]!) ? r : l;
      if (!this.#less(this.#items[c]!, this.#items[i]!)) return;
      this.#swap(i, c);
      i = c;
    }
  }
}
