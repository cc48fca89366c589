import { IchigenError } from '../../model/index.js';

/**
 * Per-query limits: samples held at once (Prometheus' --query.max-samples, same wording, 422
 * `execution`) and the deadline (503 `timeout`). Loops call `tick()` often enough that a
 * heavy query stops promptly and the process keeps serving.
 */
export class QueryLimits {
  private current = 0;
  peak = 0;
  private ticks = 0;

  constructor(
    private readonly maxSamples: number,
    private readonly deadline: number,
  ) {}

  add(n: number): void {
    this.current += n;
    if (this.current > this.peak) this.peak = this.current;
    if (this.current > this.maxSamples) {
      throw new IchigenError('TOO_MANY_SAMPLES', 'query processing would load too many samples into memory in query execution');
    }
  }

  release(n: number): void {
    this.current -= n;
    if (this.current < 0) this.current = 0;
  }

  tick(): void {
    if ((++this.ticks & 1023) === 0) this.checkDeadline();
  }

  checkDeadline(): void {
    if (Date.now() > this.deadline) throw new IchigenError('TIMEOUT', 'query timed out in expression evaluation');
  }
}
