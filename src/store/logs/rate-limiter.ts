/** A token bucket per tenant, in bytes: Loki's local ingestion rate strategy. */
export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {}

  /** Takes `n` tokens if all are available; otherwise takes none and returns false. */
  take(tenant: string, n: number, now = Date.now()): boolean {
    if (this.ratePerSecond <= 0) return true;
    let b = this.buckets.get(tenant);
    if (!b) {
      b = { tokens: this.burst, at: now };
      this.buckets.set(tenant, b);
    }
    b.tokens = Math.min(this.burst, b.tokens + ((now - b.at) / 1000) * this.ratePerSecond);
    b.at = now;
    if (n > b.tokens) return false;
    b.tokens -= n;
    return true;
  }
}
