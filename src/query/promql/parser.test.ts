import { describe, expect, it } from 'vitest';
import { formatExpr, parseExpr, parseSeriesSelector } from './index.js';

function err(q: string): string {
  try {
    parseExpr(q);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error(`expected a parse error for ${q}`);
}

describe('PromQL parser adapter', () => {
  it('builds the typed AST with modifiers in milliseconds', () => {
    const e = parseExpr('sum by (a) (rate(foo{a="b",c=~"x.*"}[5m] offset -1m @ start()))');
    expect(e.type).toBe('aggregate');
    if (e.type !== 'aggregate' || e.expr.type !== 'call') throw new Error('shape');
    const m = e.expr.args[0];
    if (m?.type !== 'matrixSelector') throw new Error('shape');
    expect(m.range).toBe(300_000);
    expect(m.vector.offset).toBe(-60_000);
    expect(m.vector.at).toEqual({ kind: 'start' });
    expect(m.vector.matchers).toEqual([
      { name: '__name__', type: '=', value: 'foo' },
      { name: 'a', type: '=', value: 'b' },
      { name: 'c', type: '=~', value: 'x.*' },
    ]);
  });

  it('reads numbers as Go does (hex, octal, Inf, durations as seconds)', () => {
    const val = (q: string): number => {
      const e = parseExpr(q);
      if (e.type !== 'number') throw new Error('not a number');
      return e.value;
    };
    expect(val('0x1f')).toBe(31);
    expect(val('010')).toBe(8);
    expect(val('1e3')).toBe(1000);
    expect(val('Inf')).toBe(Infinity);
    expect(Number.isNaN(val('NaN'))).toBe(true);
    expect(val('1m')).toBe(60);
  });

  it('keeps precedence: ^ is right-associative and binds tighter than unary minus', () => {
    expect(formatExpr(parseExpr('2 ^ 3 ^ 2'))).toBe('2 ^ 3 ^ 2');
    const e = parseExpr('-2 ^ 2');
    expect(e.type).toBe('unary');
  });

  it.each([
    ['foo bool', '1:5: parse error: unexpected <bool>'],
    ['foo{', '1:5: parse error: unexpected end of input inside braces'],
    ['sum(', '1:5: parse error: unclosed left parenthesis'],
    ['1 +', '1:4: parse error: unexpected end of input'],
    ['nosuch(foo)', '1:1: parse error: unknown function with name "nosuch"'],
    ['foo[5m] + 1', '1:1: parse error: binary expression must contain only scalar and instant vector types'],
    ['1 > 2', '1:3: parse error: comparisons between scalars must use BOOL modifier'],
    ['sum(foo,)', '1:8: parse error: trailing commas not allowed in function call args'],
    ['foo[0s]', '1:5: parse error: duration must be greater than 0'],
    ['{a=""}', '1:1: parse error: vector selector must contain at least one non-empty matcher'],
    ['"abc', '1:1: parse error: unterminated quoted string'],
    ['foo offset', '1:11: parse error: unexpected end of input in offset, expected duration'],
    ['sum by (a) (foo) by (b)', '1:18: parse error: unexpected <by>'],
    ['rate(foo)', '1:6: parse error: expected type range vector in call to function "rate", got instant vector'],
    ['round()', '1:1: parse error: expected at least 1 argument(s) in call to "round", got 0'],
    ['foo and on(a) group_left bar', '1:1: parse error: no grouping allowed for "and" operation'],
    ['topk(foo)', '1:1: parse error: wrong number of arguments for aggregate expression provided, expected 2, got 1'],
    ['foo{__name__="bar"}', '1:1: parse error: metric name must not be set twice: "foo" or "bar"'],
  ])('words errors like Prometheus: %s', (q, message) => {
    expect(err(q)).toBe(message);
  });

  it('reports errors as bad_data', () => {
    try {
      parseExpr('foo{');
    } catch (e) {
      expect((e as { errorType: string }).errorType).toBe('bad_data');
      expect((e as { status: number }).status).toBe(400);
    }
  });

  it('formats like Prometheus String()', () => {
    const cases: Array<[string, string]> = [
      ['sum by(a)(rate(foo{b="c"}[5m] offset 1m))', 'sum by (a) (rate(foo{b="c"}[5m] offset 1m))'],
      ['foo @ 100', 'foo @ 100.000'],
      ['1000000', '1e+06'],
      ['a / on(x) group_left(y) b', 'a / on (x) group_left (y) b'],
      ['rate(foo[5m])[1h:1m] offset -5m', 'rate(foo[5m])[1h:1m] offset -5m'],
      ['topk(3, foo) without (a)', 'topk without (a) (3, foo)'],
    ];
    for (const [q, want] of cases) expect(formatExpr(parseExpr(q))).toBe(want);
  });

  it('parses series selectors for match[]', () => {
    expect(parseSeriesSelector('up{job=~"a|b"}')).toEqual([
      { name: '__name__', type: '=', value: 'up' },
      { name: 'job', type: '=~', value: 'a|b' },
    ]);
    expect(() => parseSeriesSelector('rate(up[5m])')).toThrow(/parse error/);
  });
});
