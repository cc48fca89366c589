import { describe, expect, it } from 'vitest';
import { detectLevel, linesFromStreams, parseFields, traceIdOf } from './log-lines.js';

describe('log lines', () => {
  it('detects levels from labels, metadata, fields, pino numbers and bare words', () => {
    expect(detectLevel('x', { level: 'ERROR' })).toBe('error');
    expect(detectLevel('x', {}, { detected_level: 'warn' })).toBe('warn');
    expect(detectLevel('ts=1 level=debug msg=hi', {})).toBe('debug');
    expect(detectLevel('{"level":50,"msg":"boom"}', {})).toBe('error');
    expect(detectLevel('{"level":30,"msg":"ok"}', {})).toBe('info');
    expect(detectLevel('2026-11-25 WARNING disk almost full', {})).toBe('warn');
    expect(detectLevel('just text', {})).toBe('unknown');
  });

  it('flattens streams newest first with metadata', () => {
    const lines = linesFromStreams([
      { stream: { app: 'a' }, values: [['1764072000000000001', 'one'], ['1764072000000000003', 'three', { trace_id: 'abc' }]] },
      { stream: { app: 'b' }, values: [['1764072000000000002', 'two']] },
    ]);
    expect(lines.map((l) => l.line)).toEqual(['three', 'two', 'one']);
    expect(lines[0]!.metadata).toEqual({ trace_id: 'abc' });
    expect(lines[0]!.ms).toBeCloseTo(1_764_072_000_000, 3);
  });

  it('parses JSON and logfmt fields and finds trace ids', () => {
    expect(parseFields('{"msg":"hi","n":2,"o":{"a":1}}')).toEqual({ msg: 'hi', n: '2', o: '{"a":1}' });
    expect(parseFields('level=info msg="hello \\"you\\"" dur=5ms')).toEqual({ level: 'info', msg: 'hello "you"', dur: '5ms' });
    expect(traceIdOf({ traceId: '4BF92F3577B34DA6A3CE929D0E0E4736' })).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(traceIdOf({ trace_id: 'nope' })).toBeUndefined();
  });
});
