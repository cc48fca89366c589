import { describe, expect, it } from 'vitest';
import { escapeLogqlString, logqlContext } from './logql-complete.js';

const at = (q: string): ReturnType<typeof logqlContext> => {
  const pos = q.indexOf('▮');
  return logqlContext(q.replace('▮', ''), pos);
};

describe('LogQL completion context', () => {
  it('completes label names at the start of a selector and after a comma', () => {
    expect(at('{▮')).toEqual({ kind: 'labelName', from: 1, prefix: '' });
    expect(at('{ap▮')).toEqual({ kind: 'labelName', from: 1, prefix: 'ap' });
    expect(at('{app="x", en▮')).toEqual({ kind: 'labelName', from: 10, prefix: 'en' });
    expect(at('sum(rate({app="a,b", ▮')).toEqual({ kind: 'labelName', from: 21, prefix: '' });
  });

  it('completes label values after an operator, with or without the opening quote', () => {
    expect(at('{app=▮')).toEqual({ kind: 'labelValue', from: 5, prefix: '', label: 'app', quoted: false });
    expect(at('{app=~"ch▮')).toEqual({ kind: 'labelValue', from: 7, prefix: 'ch', label: 'app', quoted: true });
    expect(at('{a="1", env != "pr▮')).toEqual({ kind: 'labelValue', from: 16, prefix: 'pr', label: 'env', quoted: true });
    expect(at('{a="x\\"y", b="▮')).toEqual({ kind: 'labelValue', from: 14, prefix: '', label: 'b', quoted: true });
  });

  it('completes stages after a pipe, but not inside a line filter', () => {
    expect(at('{a="b"} | ▮')).toEqual({ kind: 'pipeline', from: 10, prefix: '' });
    expect(at('{a="b"} |= "x" | js▮')).toEqual({ kind: 'pipeline', from: 17, prefix: 'js' });
    expect(at('{a="b"} |= "x▮')).toBeUndefined();
    expect(at('{a="b"} |= ▮')).toBeUndefined();
    expect(at('{a="b"} | line_format "{{.a}} ▮')).toBeUndefined();
  });

  it('completes functions outside selectors, label names in by (…)', () => {
    expect(at('▮')).toEqual({ kind: 'function', from: 0, prefix: '' });
    expect(at('su▮')).toEqual({ kind: 'function', from: 0, prefix: 'su' });
    expect(at('sum(cou▮')).toEqual({ kind: 'function', from: 4, prefix: 'cou' });
    expect(at('sum by (ap▮')).toEqual({ kind: 'labelName', from: 8, prefix: 'ap' });
    expect(at('sum without (a, ▮')).toEqual({ kind: 'labelName', from: 16, prefix: '' });
    expect(at('{a="b"} ▮')).toBeUndefined();
    expect(at('rate({a="b"}[5m]) ▮')).toBeUndefined();
  });

  it('ignores braces in comments and in line_format templates', () => {
    expect(at('# {x\n{▮')).toEqual({ kind: 'labelName', from: 6, prefix: '' });
    expect(at('{a="b"} | line_format "{{.a}}" | ▮')).toEqual({ kind: 'pipeline', from: 33, prefix: '' });
  });

  it('escapes values for a string literal', () => {
    expect(escapeLogqlString('a"b\\c')).toBe('a\\"b\\\\c');
  });
});

describe('LogQL completion context after operators', () => {
  it('offers functions after binary operators, nothing after a parser stage', () => {
    expect(at('sum(rate({a="b"}[1m])) / ▮')).toEqual({ kind: 'function', from: 25, prefix: '' });
    expect(at('x and co▮')).toEqual({ kind: 'function', from: 6, prefix: 'co' });
    expect(at('{a="b"} | json ▮')).toBeUndefined();
    expect(at('{a="b"} != ▮')).toBeUndefined();
  });
});
