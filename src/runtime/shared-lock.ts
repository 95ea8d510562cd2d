// A readers–writer lock for async work: any number of shared holders run together; an exclusive
// holder runs alone. Waiting exclusive holders go first (new shared holders queue behind them),
// so a steady stream of shared work cannot starve them.
export class SharedLock {
  #shared = 0;
  #exclusive = false;
  readonly #waiting: { exclusive: boolean; grant: () => void }[] = [];

  async shared<T>(fn: () => Promise<T>): Promise<T> {
    await this.#acquire(false);
    try {
      return await fn();
    } finally {
      this.#shared--;
      this.#wake();
    }
  }

  async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    await this.#acquire(true);
    try {
      return await fn();
    } finally {
      this.#exclusive = false;
      this.#wake();
    }
  }

  #acquire(exclusive: boolean): Promise<void> {
    if (this.#waiting.length === 0 && this.#canRun(exclusive)) {
      this.#take(exclusive);
      return Promise.resolve();
    }
    return new Promise((grant) => this.#waiting.push({ exclusive, grant }));
  }

  #canRun(exclusive: boolean): boolean {
    return exclusive ? !this.#exclusive && this.#shared === 0 : !this.#exclusive;
  }

  #take(exclusive: boolean): void {
    if (exclusive) this.#exclusive = true;
    else this.#shared++;
  }

  #wake(): void {
    while (this.#waiting.length > 0 && this.#canRun(this.#waiting[0]!.exclusive)) {
      const next = this.#waiting.shift()!;
      this.#take(next.exclusive);
      next.grant();
      if (next.exclusive) return;
    }
  }
}
