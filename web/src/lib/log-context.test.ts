import { describe, expect, it } from 'vitest';
import { contextRequests, mergeContext, streamSelector } from './log-context.js';
import type { LogLine } from './log-lines.js';

const line = (ts: string, text: string): LogLine => ({ ts, ms: Number(ts) / 1e6, line: text, labels: {}, metadata: {}, level: 'info' });

describe('log line context', () => {
  it('selects the stream by its indexed labels only, escaped', () => {
    expect(streamSelector({ app: 'checkout', env: 'prod "eu"', level: 'error', order: '3' }, new Set(['app', 'env', 'job']))).toBe('{app="checkout", env="prod \\"eu\\""}');
  });

  it('asks for n older lines before the line and n newer from its timestamp', () => {
    const r = contextRequests('{app="a"}', '1764000000123456789', 10, 20);
    expect(r.before).toEqual({ query: '{app="a"}', start: '1763913600123456789', end: '1764000000123456789', limit: 10, direction: 'backward' });
    expect(r.after).toEqual({ query: '{app="a"}', start: '1764000000123456789', end: '1764086400123456789', limit: 21, direction: 'forward' });
  });

  it('orders oldest first, drops the line itself once, keeps its same-time neighbours', () => {
    const anchor = line('1000000000000000002', 'b');
    const { lines, anchorIndex } = mergeContext([line('1000000000000000001', 'a2'), line('1000000000000000000', 'a1')], anchor, [line('1000000000000000002', 'b'), line('1000000000000000002', 'b2'), line('1000000000000000003', 'c')]);
    expect(lines.map((l) => l.line)).toEqual(['a1', 'a2', 'b', 'b2', 'c']);
    expect(anchorIndex).toBe(2);
  });
});
