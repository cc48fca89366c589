import { describe, expect, it } from 'vitest';
import { formatMatchers, matcherOf, matchersFromLabels, opOf, silenceWindow } from './silence.js';

describe('silence helpers', () => {
  it('round-trips the four matcher operators through the v2 flags', () => {
    for (const op of ['=', '!=', '=~', '!~'] as const) expect(opOf(matcherOf('a', op, 'b'))).toBe(op);
    expect(matcherOf(' severity ', '!~', 'info|debug')).toEqual({ name: 'severity', value: 'info|debug', isRegex: true, isEqual: false });
  });

  it('formats matchers with escaped values', () => {
    expect(formatMatchers([matcherOf('alertname', '=', 'Disk "full"'), matcherOf('env', '=~', 'p.*')])).toBe('{alertname="Disk \\"full\\"", env=~"p.*"}');
  });

  it('makes a window from a duration and refuses a bad one', () => {
    expect(silenceWindow(Date.UTC(2026, 0, 1), '1h30m')).toEqual({ startsAt: '2026-01-01T00:00:00.000Z', endsAt: '2026-01-01T01:30:00.000Z' });
    expect(() => silenceWindow(0, 'soon')).toThrow(/duration/);
  });

  it('turns an alert’s labels into equality matchers, sorted', () => {
    expect(matchersFromLabels({ job: 'node', alertname: 'Down' }).map((m) => m.name)).toEqual(['alertname', 'job']);
  });
});
