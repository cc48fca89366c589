import { describe, expect, it } from 'vitest';
import { forGrammar, prometheus2LiteralError } from './literal-scan.js';

describe('number and duration literals', () => {
  it('rewrites the number forms Prometheus accepts for the grammar, keeping every position', () => {
    expect(forGrammar('.5 + 5.')).toBe('.5 + 5 ');
    expect(forGrammar('5.e3 * 5.E-3')).toBe('5e+3 * 5e-03');
    expect(forGrammar('0X1f')).toBe('0x1f');
    expect(forGrammar('job:rate5m:sum{a="5."}[5m:1m]')).toBe('job:rate5m:sum{a="5."}[5m:1m]');
  });

  it("refuses what Prometheus 2.42's lexer refuses, with its words and positions", () => {
    const cases: Array<[string, number, string]> = [
      ['time() - 5m', 9, 'unexpected duration "5m"'],
      ['x[5]', 2, 'missing unit character in duration'],
      ['x[:5m]', 2, 'missing unit character in duration'],
      ['x[1y2y]', 2, 'bad duration syntax: "1y2"'],
      ['x[1h1m1h]', 2, 'not a valid duration string: "1h1m1h"'],
      ['x[5m:1]', 5, 'unexpected number "1" in subquery selector, expected duration or "]"'],
      ['x offset 5', 9, 'unexpected number "5" in offset, expected duration'],
      ['x offset -0s', 10, 'duration must be greater than 0'],
      ['0x1p4', 0, 'bad number or duration syntax: "0x1"'],
      ['1e+', 0, 'error parsing number: strconv.ParseFloat: parsing "1e+": invalid syntax'],
    ];
    for (const [q, offset, message] of cases) expect(prometheus2LiteralError(q)).toEqual({ offset, message });
    for (const q of ['x[ 5m]', 'rate(x[5m])[10m:1m]', 'x offset -1h30m', 'x @ 1.5e9', '.5 + 5.', 'x # 5m']) expect(prometheus2LiteralError(q)).toBeUndefined();
  });
});
