/**
 * Coalesces concurrent requests into one unit of work (one state transaction): while a batch
 * is being applied, new entries queue up and go together in the next one. Each caller's
 * promise settles with its own result. If a batch fails, its entries are retried one by one,
 * so one bad entry fails only its own request.
 */
export class Batcher<E, R> {
  private queue: { entry: E; size: number; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private running: Promise<void> | undefined;

  constructor(
    private readonly apply: (entries: readonly E[]) => Promise<R[]>,
    /** Most entry sizes (e.g. alerts) in one batch; an entry larger than this runs alone. */
    private readonly maxSize: number,
  ) {}

  submit(entry: E, size: number): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ entry, size, resolve, reject });
      this.running ??= this.drain().finally(() => {
        this.running = undefined;
      });
    });
  }

  /** Settles once everything submitted so far has been applied. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drain(): Promise<void> {
    // Let requests that arrived in the same turn of the event loop join the first batch.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length > 0) {
      let size = 0;
      let n = 0;
      while (n < this.queue.length && (n === 0 || size + this.queue[n]!.size <= this.maxSize)) size += this.queue[n++]!.size;
      const batch = this.queue.splice(0, n);
      try {
        const results = await this.apply(batch.map((b) => b.entry));
        batch.forEach((b, i) => b.resolve(results[i]!));
      } catch (err) {
        if (batch.length === 1) {
          batch[0]!.reject(err);
          continue;
        }
        for (const b of batch) {
          try {
            b.resolve((await this.apply([b.entry]))[0]!);
          } catch (e) {
            b.reject(e);
          }
        }
      }
    }
  }
}
