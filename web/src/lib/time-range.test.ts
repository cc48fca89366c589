import { describe, expect, it } from 'vitest';
import { absoluteRange, describeRange, parseDurationMs, resolveRange, resolveTime, stepFor } from './time-range.js';

describe('time ranges', () => {
  const now = Date.UTC(2026, 10, 25, 12, 0, 0);

  it('parses Prometheus-style durations, compound ones too', () => {
    expect(parseDurationMs('5m')).toBe(300_000);
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('250ms')).toBe(250);
    expect(parseDurationMs('7d')).toBe(604_800_000);
    expect(() => parseDurationMs('5 minutes')).toThrow(/not a duration/);
    expect(() => parseDurationMs('')).toThrow();
  });

  it('resolves relative, ISO and epoch ends', () => {
    expect(resolveTime('now', now)).toBe(now);
    expect(resolveTime('now-1h', now)).toBe(now - 3_600_000);
    expect(resolveTime('now - 15m', now)).toBe(now - 900_000);
    expect(resolveTime('2026-11-25T11:00:00Z', now)).toBe(now - 3_600_000);
    expect(resolveTime('1764072000', now)).toBe(1_764_072_000_000);
    expect(resolveTime('1764072000123', now)).toBe(1_764_072_000_123);
    expect(() => resolveTime('yesterday', now)).toThrow(/not a time/);
  });

  it('refuses a range that ends before it starts', () => {
    expect(resolveRange({ from: 'now-1h', to: 'now' }, now)).toEqual({ start: now - 3_600_000, end: now });
    expect(() => resolveRange({ from: 'now', to: 'now-1h' }, now)).toThrow(/before its end/);
  });

  it('picks round steps that give about the wanted number of points', () => {
    expect(stepFor(3_600_000)).toBe(10); // 1h / 500 = 7.2s → 10s
    expect(stepFor(300_000)).toBe(1); // never below 1s
    expect(stepFor(86_400_000)).toBe(300); // 1d / 500 = 172.8s → 5m
    expect(stepFor(30 * 86_400_000, 500)).toBe(7200);
    expect(stepFor(3_600_000, 500, 15)).toBe(15); // a minimum step (scrape interval) wins
    expect(stepFor(3_650 * 86_400_000, 100)).toBe(86400 * 37);
  });

  it('describes ranges and makes absolute ones from a zoom', () => {
    expect(describeRange({ from: 'now-6h', to: 'now' })).toEqual({ relative: '6h' });
    expect(describeRange({ from: '1', to: '2' })).toEqual({ from: '1', to: '2' });
    expect(absoluteRange(1000.4, 2000.6)).toEqual({ from: '1000', to: '2001' });
  });
});
