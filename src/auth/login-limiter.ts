import { IchigenError } from '../model/index.js';

export interface LoginLimiterOptions {
  /** Failures allowed per key inside the window. */
  readonly maxFailures: number;
  readonly windowMs: number;
}

/**
 * Counts failed logins per client address and per username (a sliding window of failure
 * times). Over the limit, further attempts get 429 until the oldest failure leaves the window.
 */
export class LoginLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(private readonly options: LoginLimiterOptions) {}

  private prune(key: string, now: number): number[] {
    const list = (this.failures.get(key) ?? []).filter((t) => now - t < this.options.windowMs);
    if (list.length === 0) this.failures.delete(key);
    else this.failures.set(key, list);
    return list;
  }

  /** Throws RATE_LIMITED when either key is over its budget. */
  check(keys: readonly string[], now = Date.now()): void {
    for (const key of keys) {
      const list = this.prune(key, now);
      if (list.length >= this.options.maxFailures) {
        const retry = Math.max(1, Math.ceil((list[0]! + this.options.windowMs - now) / 1000));
        throw new IchigenError('RATE_LIMITED', 'too many failed login attempts; try again later', { retryAfterSeconds: retry });
      }
    }
  }

  recordFailure(keys: readonly string[], now = Date.now()): void {
    for (const key of keys) {
      const list = this.prune(key, now);
      list.push(now);
      this.failures.set(key, list);
    }
    if (this.failures.size > 100_000) this.failures.clear();
  }

  recordSuccess(keys: readonly string[]): void {
    for (const key of keys) this.failures.delete(key);
  }
}
