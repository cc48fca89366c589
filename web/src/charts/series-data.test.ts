import { describe, expect, it } from 'vitest';
import { alignMatrix, parseSampleValue, seriesName, stackValues } from './series-data.js';

describe('range results on a grid', () => {
  it('names series like Prometheus, with escaped label values', () => {
    expect(seriesName({ __name__: 'up', job: 'node', instance: 'a:9100' })).toBe('up{instance="a:9100", job="node"}');
    expect(seriesName({ path: 'say "hi"' })).toBe('{path="say \\"hi\\""}');
    expect(seriesName({})).toBe('{}');
    expect(seriesName({ __name__: 'x' })).toBe('x');
  });

  it('aligns samples on start+k*step and leaves gaps as null', () => {
    const a = alignMatrix(
      [
        { metric: { __name__: 'a' }, values: [[100, '1'], [110, '2'], [130, 'NaN']] },
        { metric: { __name__: 'b' }, values: [[120, '+Inf'], [999, '5']] },
      ],
      100,
      130,
      10,
    );
    expect(Array.from(a.times)).toEqual([100, 110, 120, 130]);
    expect(a.series[0]!.values).toEqual([1, 2, null, NaN]);
    expect(a.series[1]!.values).toEqual([null, null, Infinity, null]);
  });

  it('parses special sample values', () => {
    expect(parseSampleValue('-Inf')).toBe(-Infinity);
    expect(parseSampleValue('1e3')).toBe(1000);
  });

  it('stacks visible series cumulatively, hidden ones add nothing, gaps stay gaps', () => {
    const s = stackValues(
      [
        [1, 2, null],
        [10, 20, 30],
        [100, 200, 300],
      ],
      [true, false, true],
    );
    expect(s).toEqual([
      [1, 2, null],
      [1, 2, 0],
      [101, 202, 300],
    ]);
  });
});
