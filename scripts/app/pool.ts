// A pool of tasks run at most `limit` at a time, to which running tasks may
// add more (a part's wasm2c adds the clangs of its C files). The first
// failure stops it: no further task starts, and `idle()` rejects with that
// error once the running ones have ended (they are not waited on to succeed).

export class TaskPool {
  private readonly queue: (() => Promise<void>)[] = [];
  private running = 0;
  private failure: unknown = null;
  private waiters: { resolve: () => void; reject: (error: unknown) => void }[] = [];

  constructor(private readonly limit: number) {}

  add(task: () => Promise<void>): void {
    this.queue.push(task);
    this.pump();
  }

  /** Resolves when every task added so far (and every task they add) has run; rejects on the first failure. */
  idle(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.waiters.push({ resolve, reject });
      this.settle();
    });
  }

  private pump(): void {
    while (this.failure === null && this.running < this.limit && this.queue.length > 0) {
      const task = this.queue.shift()!;
      this.running++;
      task().then(
        () => this.finished(),
        (error) => {
          this.failure ??= error;
          this.finished();
        },
      );
    }
  }

  private finished(): void {
    this.running--;
    this.pump();
    this.settle();
  }

  private settle(): void {
    if (this.failure !== null) {
      if (this.running > 0) return;
      for (const waiter of this.waiters.splice(0)) waiter.reject(this.failure);
    } else if (this.running === 0 && this.queue.length === 0) {
      for (const waiter of this.waiters.splice(0)) waiter.resolve();
    }
  }
}
