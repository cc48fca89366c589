import { describe, expect, it } from 'vitest';
import { formatRate, formatValue, unitFromMetricName } from './units.js';

describe('unit formatting', () => {
  it('short: SI prefixes without trailing zeros', () => {
    expect(formatValue(0)).toBe('0');
    expect(formatValue(999)).toBe('999');
    expect(formatValue(1500)).toBe('1.5k');
    expect(formatValue(2_000_000)).toBe('2M');
    expect(formatValue(-12_345)).toBe('-12.35k');
    expect(formatValue(0.0001234)).toBe('1.23e-4');
    expect(formatValue(0.5)).toBe('0.5');
  });

  it('bytes in IEC and SI', () => {
    expect(formatValue(512, 'bytes')).toBe('512 B');
    expect(formatValue(1536, 'bytes')).toBe('1.5 KiB');
    expect(formatValue(5 * 1024 ** 3, 'bytes')).toBe('5 GiB');
    expect(formatValue(1_500_000, 'bytes_si')).toBe('1.5 MB');
  });

  it('durations from seconds and milliseconds', () => {
    expect(formatValue(0, 'seconds')).toBe('0s');
    expect(formatValue(0.000_002_5, 'seconds')).toBe('2.5µs');
    expect(formatValue(0.25, 'seconds')).toBe('250ms');
    expect(formatValue(90, 'seconds')).toBe('1.5min');
    expect(formatValue(7200, 'seconds')).toBe('2h');
    expect(formatValue(172_800, 'seconds')).toBe('2d');
    expect(formatValue(1500, 'ms')).toBe('1.5s');
  });

  it('percent, rates and special values', () => {
    expect(formatValue(0.256, 'percentunit')).toBe('25.6%');
    expect(formatValue(42, 'percent')).toBe('42%');
    expect(formatValue(2500, 'reqps')).toBe('2.5k req/s');
    expect(formatValue(NaN)).toBe('NaN');
    expect(formatValue(Infinity)).toBe('+Inf');
    expect(formatValue(-Infinity, 'bytes')).toBe('-Inf');
    expect(formatValue(null)).toBe('–');
    expect(formatValue(1.23456, 'none')).toBe('1.23456');
  });

  it('guesses units from metric name suffixes', () => {
    expect(unitFromMetricName('node_memory_MemFree_bytes')).toBe('bytes');
    expect(unitFromMetricName('http_request_duration_seconds_sum')).toBe('seconds');
    expect(unitFromMetricName('http_request_duration_seconds_count')).toBe('short');
    expect(unitFromMetricName('cache_hit_ratio')).toBe('percentunit');
    expect(unitFromMetricName('up')).toBe('short');
  });
});

describe('formatRate', () => {
  it('picks the period in which the rate reaches one', () => {
    expect(formatRate(1500)).toBe('1.5k req/s');
    expect(formatRate(2.345)).toBe('2.35 req/s');
    expect(formatRate(0.5)).toBe('30 req/min');
    expect(formatRate(2 / 3600)).toBe('2 req/h');
    expect(formatRate(0)).toBe('0 req/s');
    expect(formatRate(undefined)).toBe('–');
    expect(formatRate(3, 'lines')).toBe('3 lines/s');
  });
});
