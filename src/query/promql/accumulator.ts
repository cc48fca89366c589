import { IchigenError, type Labels } from '../../model/index.js';
import type { AggregateOp } from './ast.js';
import { newSeries, type StepSeries } from './values.js';

/** The aggregations folded series by series, without holding their inputs. */
export const STREAMABLE_OPS: ReadonlySet<AggregateOp> = new Set(['sum', 'avg', 'min', 'max', 'count', 'group', 'stddev', 'stdvar']);

/**
 * One output group of sum/avg/min/max/count/group/stddev/stdvar, per step: input series are
 * added one at a time (in input order, as Prometheus folds them), so an aggregation over a
 * function's output never needs the whole input in memory. Prometheus 3 sums with Neumaier
 * compensation and a mean that switches to a scaled running mean only on overflow;
 * Prometheus 2 summed plainly and used a running mean throughout.
 */
export class GroupAccumulator {
  readonly out: StepSeries;
  private readonly count: Float64Array;
  private readonly comp: Float64Array;
  private readonly mean: Float64Array;
  private readonly incremental: Uint8Array;

  constructor(
    labels: Labels,
    private readonly op: AggregateOp,
    n: number,
    private readonly p3: boolean,
  ) {
    this.out = newSeries(labels, n);
    this.count = new Float64Array(n);
    const needs = op === 'sum' || op === 'avg' || op === 'stddev' || op === 'stdvar';
    this.comp = new Float64Array(needs ? n : 0);
    this.mean = new Float64Array(needs ? n : 0);
    this.incremental = new Uint8Array(op === 'avg' ? n : 0);
  }

  add(values: Float64Array, present: Uint8Array): void {
    const v = this.out.values;
    const has = this.out.present;
    const count = this.count;
    const n = present.length;
    switch (this.op) {
      case 'sum': {
        const comp = this.comp;
        for (let i = 0; i < n; i++) {
          if (!present[i]) continue;
          const x = values[i]!;
          if (count[i]!++ === 0) {
            v[i] = x;
            has[i] = 1;
          } else if (this.p3) {
            const sum = v[i]!;
            const t = sum + x;
            if (t === Infinity || t === -Infinity) comp[i] = 0;
            else if (Math.abs(sum) >= Math.abs(x)) comp[i] = comp[i]! + (sum - t + x);
            else comp[i] = comp[i]! + (x - t + sum);
            v[i] = t;
          } else v[i] = v[i]! + x;
        }
        return;
      }
      case 'avg':
        for (let i = 0; i < n; i++) {
          if (!present[i]) continue;
          const x = values[i]!;
          if (count[i]!++ === 0) {
            v[i] = x;
            this.mean[i] = x;
            has[i] = 1;
          } else if (this.p3) this.avg3(i, x);
          else this.avg2(i, x);
        }
        return;
      case 'min':
      case 'max': {
        const max = this.op === 'max';
        for (let i = 0; i < n; i++) {
          if (!present[i]) continue;
          const x = values[i]!;
          if (count[i]!++ === 0 || (max ? v[i]! < x : v[i]! > x) || Number.isNaN(v[i]!)) v[i] = x;
          has[i] = 1;
        }
        return;
      }
      case 'count':
      case 'group':
        for (let i = 0; i < n; i++) {
          if (!present[i]) continue;
          count[i]!++;
          has[i] = 1;
        }
        return;
      case 'stddev':
      case 'stdvar': {
        const mean = this.mean;
        for (let i = 0; i < n; i++) {
          if (!present[i]) continue;
          const x = values[i]!;
          const c = ++count[i]!;
          if (c === 1) {
            mean[i] = x;
            // Prometheus 3 starts from NaN when the first value is NaN or infinite.
            v[i] = this.p3 && !Number.isFinite(x) ? NaN : 0;
            has[i] = 1;
          } else {
            const delta = x - mean[i]!;
            mean[i] = mean[i]! + delta / c;
            v[i] = v[i]! + delta * (x - mean[i]!);
          }
        }
        return;
      }
      default:
        throw new IchigenError('EXECUTION', `unknown aggregation ${this.op}`);
    }
  }

  /** Prometheus 2's running mean (the difference first, so it overflows as late as possible), with its infinity handling. */
  private avg2(i: number, x: number): void {
    const m = this.mean[i]!;
    if (m === Infinity || m === -Infinity) {
      if ((x === Infinity || x === -Infinity) && m > 0 === x > 0) return;
      if (!(x === Infinity || x === -Infinity) && !Number.isNaN(x)) return;
    }
    const n = this.count[i]!;
    this.mean[i] = m + (x / n - m / n);
  }

  /** Prometheus 3: compensated sum; once it would overflow, a compensated running mean scaled by (n-1)/n. */
  private avg3(i: number, x: number): void {
    const n = this.count[i]!;
    const sum = this.out.values;
    const c = this.comp;
    const mean = this.mean;
    if (!this.incremental[i]) {
      const s = sum[i]!;
      const t = s + x;
      if (t !== Infinity && t !== -Infinity) {
        c[i] = c[i]! + (Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s);
        sum[i] = t;
        return;
      }
      this.incremental[i] = 1;
      mean[i] = s / (n - 1);
      c[i] = c[i]! / (n - 1);
    }
    const q = (n - 1) / n;
    const m = q * mean[i]!;
    const inc = x / n;
    const t = m + inc;
    if (t === Infinity || t === -Infinity) c[i] = 0;
    else c[i] = q * c[i]! + (Math.abs(m) >= Math.abs(inc) ? m - t + inc : inc - t + m);
    mean[i] = t;
  }

  /** The group's output series (steps without input stay absent). */
  finish(): StepSeries {
    const v = this.out.values;
    const has = this.out.present;
    const count = this.count;
    for (let i = 0; i < v.length; i++) {
      if (!has[i]) continue;
      switch (this.op) {
        case 'sum':
          if (this.p3) v[i] = v[i]! + this.comp[i]!;
          break;
        case 'avg':
          if (!this.p3) v[i] = this.mean[i]!;
          else if (this.incremental[i]) v[i] = this.mean[i]! + this.comp[i]!;
          else v[i] = v[i]! / count[i]! + this.comp[i]! / count[i]!;
          break;
        case 'count':
          v[i] = count[i]!;
          break;
        case 'group':
          v[i] = 1;
          break;
        case 'stdvar':
          v[i] = v[i]! / count[i]!;
          break;
        case 'stddev':
          v[i] = Math.sqrt(v[i]! / count[i]!);
          break;
        default:
      }
    }
    return this.out;
  }
}
