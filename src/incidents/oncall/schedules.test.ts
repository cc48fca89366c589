import { describe, expect, it } from 'vitest';
import { ScheduleView, type Schedule } from './schedules.js';
import { icalOccurrences, toIcs } from './ical.js';

const H = 3_600_000;
const sched = (timeZone: string, layers: unknown[]): Schedule => ({ id: 's1', tenant: 'default', name: 'primary', timeZone, layers: layers as Schedule['layers'] });

describe('on-call schedules', () => {
  it('daily rotation hands off at 09:00 local time on both sides of a DST change (Europe/Berlin, 2026-03-29)', () => {
    const v = new ScheduleView(sched('Europe/Berlin', [{ kind: 'rotation', name: '', start: '2026-03-27T09:00', frequency: 'daily', interval: 1, users: ['alice', 'bob'], restrictions: [] }]), []);
    // 2026-03-28 09:00 CET = 08:00Z; 2026-03-29 09:00 CEST = 07:00Z (the day is 23 hours long).
    expect(v.at(Date.UTC(2026, 2, 28, 7, 59))).toEqual(['alice']);
    expect(v.at(Date.UTC(2026, 2, 28, 8, 0))).toEqual(['bob']);
    expect(v.at(Date.UTC(2026, 2, 29, 6, 59))).toEqual(['bob']);
    expect(v.at(Date.UTC(2026, 2, 29, 7, 0))).toEqual(['alice']);
    const iv = v.intervals(Date.UTC(2026, 2, 28, 0), Date.UTC(2026, 2, 30, 12));
    expect(iv.map((i) => [new Date(i.start).toISOString(), i.users.join()])).toEqual([
      ['2026-03-28T00:00:00.000Z', 'alice'],
      ['2026-03-28T08:00:00.000Z', 'bob'],
      ['2026-03-29T07:00:00.000Z', 'alice'],
      ['2026-03-30T07:00:00.000Z', 'bob'],
    ]);
  });

  it('weekly rotation in America/New_York across the November fall-back, custom shifts are fixed length', () => {
    const v = new ScheduleView(sched('America/New_York', [{ kind: 'rotation', name: '', start: '2026-10-26T10:00', frequency: 'weekly', interval: 1, users: ['a', 'b', 'c'], restrictions: [] }]), []);
    // 2026-11-02 10:00 EST = 15:00Z (DST ended 2026-11-01).
    expect(v.at(Date.UTC(2026, 10, 2, 14, 59))).toEqual(['a']);
    expect(v.at(Date.UTC(2026, 10, 2, 15, 0))).toEqual(['b']);
    const c = new ScheduleView(sched('UTC', [{ kind: 'rotation', name: '', start: '2026-01-01T00:00', frequency: 'custom', interval: 1, shiftLength: '12h', users: ['x', ['y', 'z']], restrictions: [] }]), []);
    expect(c.at(Date.UTC(2026, 0, 1, 11))).toEqual(['x']);
    expect(c.at(Date.UTC(2026, 0, 1, 12))).toEqual(['y', 'z']);
    expect(c.at(Date.UTC(2025, 11, 31))).toEqual([]);
  });

  it('working-hours restrictions, higher layers, overrides and swaps', () => {
    const v = new ScheduleView(
      sched('Asia/Tokyo', [
        { kind: 'rotation', name: 'base', start: '2026-01-05T00:00', frequency: 'weekly', interval: 1, users: ['night'], restrictions: [] },
        { kind: 'rotation', name: 'office', start: '2026-01-05T09:00', frequency: 'daily', interval: 1, users: ['ann', 'ben'], restrictions: [{ days: [1, 2, 3, 4, 5], from: '09:00', to: '18:00' }] },
      ]),
      [
        { id: 'o1', user: 'zoe', replaces: null, start: Date.UTC(2026, 0, 7, 0), end: Date.UTC(2026, 0, 7, 2) },
        { id: 'o2', user: 'sam', replaces: 'ben', start: Date.UTC(2026, 0, 6, 0), end: Date.UTC(2026, 0, 6, 9) },
      ],
    );
    // Monday 2026-01-05 10:00 JST = 01:00Z: office hours, ann; 20:00 JST: outside, base layer.
    expect(v.at(Date.UTC(2026, 0, 5, 1))).toEqual(['ann']);
    expect(v.at(Date.UTC(2026, 0, 5, 11))).toEqual(['night']);
    // Tuesday: ben's day, swapped to sam.
    expect(v.at(Date.UTC(2026, 0, 6, 1))).toEqual(['sam']);
    // Saturday 10:00 JST: weekend, base layer.
    expect(v.at(Date.UTC(2026, 0, 10, 1))).toEqual(['night']);
    // Wednesday 09:30 JST = 00:30Z: override.
    expect(v.at(Date.UTC(2026, 0, 7, 0, 30))).toEqual(['zoe']);
  });

  it('iCal export and import round-trip gives the same on-call answer, and RRULE with TZID expands across DST', () => {
    const v = new ScheduleView(sched('Europe/Berlin', [{ kind: 'rotation', name: '', start: '2026-03-20T09:00', frequency: 'daily', interval: 1, users: ['alice', 'bob', ['carol', 'dan']], restrictions: [] }]), [
      { id: 'o', user: 'eve', replaces: null, start: Date.UTC(2026, 2, 29, 12), end: Date.UTC(2026, 2, 29, 15) },
    ]);
    const from = Date.UTC(2026, 2, 25);
    const to = Date.UTC(2026, 3, 5);
    const ics = toIcs('primary', v.intervals(from, to).map((i) => ({ ...i, uid: String(i.start) })), from);
    expect(ics).toContain('BEGIN:VCALENDAR\r\n');
    const back = new ScheduleView(sched('UTC', [{ kind: 'ical', name: 'imported', ics }]), []);
    for (let t = from; t < to; t += H / 2) expect(back.at(t).sort(), new Date(t).toISOString()).toEqual(v.at(t).sort());

    const external = [
      'BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:test',
      'BEGIN:VTIMEZONE', 'TZID:Europe/Berlin',
      'BEGIN:DAYLIGHT', 'TZOFFSETFROM:+0100', 'TZOFFSETTO:+0200', 'DTSTART:19700329T020000', 'RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU', 'END:DAYLIGHT',
      'BEGIN:STANDARD', 'TZOFFSETFROM:+0200', 'TZOFFSETTO:+0100', 'DTSTART:19701025T030000', 'RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU', 'END:STANDARD',
      'END:VTIMEZONE',
      'BEGIN:VEVENT', 'UID:1', 'DTSTAMP:20260101T000000Z', 'DTSTART;TZID=Europe/Berlin:20260327T090000', 'DTEND;TZID=Europe/Berlin:20260327T170000', 'RRULE:FREQ=DAILY;COUNT=5', 'EXDATE;TZID=Europe/Berlin:20260329T090000', 'SUMMARY:On call: frank', 'END:VEVENT',
      'END:VCALENDAR',
    ].join('\r\n');
    const occ = icalOccurrences(external, Date.UTC(2026, 2, 26), Date.UTC(2026, 3, 2));
    expect(occ.map((o) => new Date(o.start).toISOString())).toEqual(['2026-03-27T08:00:00.000Z', '2026-03-28T08:00:00.000Z', '2026-03-30T07:00:00.000Z', '2026-03-31T07:00:00.000Z']);
    expect(occ[0]!.users).toEqual(['frank']);
  });
});
