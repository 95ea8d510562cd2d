// In-process serialization: one operation at a time per container id, and network-wide removal
// excluding every other operation. (Plugins lock their own state on disk; these locks keep skiff's
// cache and the plugins' view of it consistent.)

export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await fn();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}

interface Waiter {
  exclusive: boolean;
  grant: () => void;
}

/** Shared holders run together; an exclusive holder runs alone. FIFO, so writers do not starve. */
export class SharedExclusiveLock {
  #shared = 0;
  #exclusive = false;
  readonly #queue: Waiter[] = [];

  shared<T>(fn: () => Promise<T>): Promise<T> {
    return this.#with(false, fn);
  }

  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.#with(true, fn);
  }

  async #with<T>(exclusive: boolean, fn: () => Promise<T>): Promise<T> {
    await new Promise<void>((grant) => {
      this.#queue.push({ exclusive, grant });
      this.#drain();
    });
    try {
      return await fn();
    } finally {
      if (exclusive) this.#exclusive = false;
      else this.#shared--;
      this.#drain();
    }
  }

  #drain(): void {
    while (this.#queue.length > 0) {
      const next = this.#queue[0];
      if (next === undefined || this.#exclusive) return;
      if (next.exclusive && this.#shared > 0) return;
      this.#queue.shift();
      if (next.exclusive) this.#exclusive = true;
      else this.#shared++;
      next.grant();
    }
  }
}
