import { describe, expect, it } from 'vitest';
import { FakeClock } from './fake-clock.js';
import { parseSchedule, Scheduler } from './schedule.js';

const T = (iso: string): number => Date.parse(iso);

describe('schedules', () => {
  it('cron with seconds in a time zone', () => {
    const s = parseSchedule('30 0 9 * * 1-5', 'Asia/Tokyo', 0);
    // 09:00:30 JST on weekdays = 00:00:30 UTC. 2026-11-27 is a Friday, so the next is Monday.
    expect(new Date(s.next(T('2026-11-26T23:00:00Z'))!).toISOString()).toBe('2026-11-27T00:00:30.000Z');
    expect(new Date(s.next(T('2026-11-27T00:00:30Z'))!).toISOString()).toBe('2026-11-30T00:00:30.000Z');
  });

  it('cron across a daylight-saving change keeps local wall time', () => {
    const s = parseSchedule('0 0 2 * * *', 'Europe/Berlin', 0);
    // 02:00 Berlin: 01:00Z in winter; on 2026-03-29 02:00 does not exist locally (clocks jump to 03:00).
    expect(new Date(s.next(T('2026-03-27T12:00:00Z'))!).toISOString()).toBe('2026-03-28T01:00:00.000Z');
    const after = s.next(T('2026-03-28T01:00:00Z'))!;
    expect(after).toBeGreaterThan(T('2026-03-28T01:00:00Z'));
    expect(new Date(s.next(T('2026-03-30T12:00:00Z'))!).toISOString()).toBe('2026-03-31T00:00:00.000Z');
  });

  it('rate expressions are anchored at the rule creation time', () => {
    const anchor = T('2026-11-25T10:02:00Z');
    const s = parseSchedule('rate(5 minutes)', 'UTC', anchor);
    expect(s.next(anchor)).toBe(anchor + 300_000);
    expect(s.next(anchor + 299_999)).toBe(anchor + 300_000);
    expect(s.next(anchor + 300_000)).toBe(anchor + 600_000);
    expect(parseSchedule('rate(1 hour)', 'UTC', anchor).next(anchor)).toBe(anchor + 3_600_000);
    expect(parseSchedule('rate(2 days)', 'UTC', anchor).next(anchor)).toBe(anchor + 2 * 86_400_000);
  });

  it('refuses bad expressions with clear errors', () => {
    expect(() => parseSchedule('rate(0 minutes)', 'UTC', 0)).toThrow(/at least 1/);
    expect(() => parseSchedule('rate(5 fortnights)', 'UTC', 0)).toThrow(/invalid rate expression/);
    expect(() => parseSchedule('61 * * * *', 'UTC', 0)).toThrow(/invalid cron expression/);
    expect(() => parseSchedule('* * * * *', 'Mars/Olympus', 0)).toThrow(/unknown time zone/);
  });

  it('the scheduler fires on a fake clock', () => {
    const clock = new FakeClock(T('2026-11-25T00:00:00Z'));
    const sched = new Scheduler(clock);
    const fired: string[] = [];
    sched.set('every-10s', parseSchedule('*/10 * * * * *', 'UTC', 0), (at) => fired.push(`a@${new Date(at).toISOString().slice(11, 19)}`));
    sched.set('rate', parseSchedule('rate(1 minute)', 'UTC', clock.now()), (at) => fired.push(`b@${new Date(at).toISOString().slice(11, 19)}`));
    clock.advance(60_000);
    expect(fired).toEqual(['a@00:00:10', 'a@00:00:20', 'a@00:00:30', 'a@00:00:40', 'a@00:00:50', 'a@00:01:00', 'b@00:01:00']);
    sched.delete('every-10s');
    fired.length = 0;
    clock.advance(120_000);
    expect(fired).toEqual(['b@00:02:00', 'b@00:03:00']);
    sched.stop();
    clock.advance(600_000);
    expect(fired).toHaveLength(2);
  });
});
