import { describe, expect, it } from 'vitest';
import { heatColor, heatmapFromBuckets } from './heatmap-data.js';

const times = Float64Array.of(0, 15, 30);
const s = (le: string, values: Array<number | null>, extra: Record<string, string> = {}) => ({ name: le, labels: { le, ...extra }, values });

describe('heatmap from histogram buckets', () => {
  it('differences cumulative buckets in le order, +Inf last, never below zero', () => {
    const h = heatmapFromBuckets({ times, series: [s('+Inf', [10, 12, 5]), s('0.1', [2, 3, null]), s('1', [7, 2, 4])] })!;
    expect(h.buckets).toEqual([
      { lower: -Infinity, upper: 0.1 },
      { lower: 0.1, upper: 1 },
      { lower: 1, upper: Infinity },
    ]);
    expect(h.counts).toEqual([
      [2, 3, null],
      [5, 0, 4],
      [3, 10, 1],
    ]);
    expect(h.max).toBe(10);
  });

  it('adds series that share a bound, skips those without le, and is undefined without any', () => {
    const h = heatmapFromBuckets({ times, series: [s('1', [1, 1, 1], { pod: 'a' }), s('1', [2, null, 2], { pod: 'b' }), { name: 'x', labels: {}, values: [9, 9, 9] }] })!;
    expect(h.counts).toEqual([[3, 1, 3]]);
    expect(heatmapFromBuckets({ times, series: [{ name: 'x', labels: { job: 'a' }, values: [1, 2, 3] }] })).toBeUndefined();
  });

  it('colours zero as nothing and the maximum darkest', () => {
    expect(heatColor(0, 10)).toBeUndefined();
    expect(heatColor(10, 10)).toBe('rgb(153, 52, 4)');
    expect(heatColor(1, 10)).not.toBe(heatColor(5, 10));
  });
});
