import ICAL from 'ical.js';
import { IchigenError } from '../../model/index.js';

/** One on-call occurrence from a calendar: who (usernames from SUMMARY) and when. */
export interface IcalEvent {
  readonly start: number;
  readonly end: number;
  readonly users: readonly string[];
}

/** The usernames an event names: "alice", "alice, bob", or "On call: alice". */
export function usersOfSummary(summary: string): string[] {
  const s = summary.replace(/^on[- ]call:\s*/i, '');
  return s.split(/[,;]/).map((u) => u.trim()).filter((u) => u !== '');
}

/** Expands a calendar's events (RRULE, EXDATE, time zones) that overlap [from, to). */
export function icalOccurrences(ics: string, from: number, to: number): IcalEvent[] {
  let comp: ICAL.Component;
  try {
    comp = new ICAL.Component(ICAL.parse(ics) as unknown[]);
  } catch (err) {
    throw new IchigenError('INVALID_PARAMETER', `the iCalendar text does not parse: ${(err as Error).message}`);
  }
  // Calendars bring their own VTIMEZONE definitions; register them so local times convert.
  for (const tz of comp.getAllSubcomponents('vtimezone')) ICAL.TimezoneService.register(new ICAL.Timezone(tz));
  const out: IcalEvent[] = [];
  for (const v of comp.getAllSubcomponents('vevent')) {
    const ev = new ICAL.Event(v);
    const users = usersOfSummary(ev.summary ?? '');
    if (users.length === 0) continue;
    if (!ev.isRecurring()) {
      const s = ev.startDate.toJSDate().getTime();
      const e = ev.endDate.toJSDate().getTime();
      if (e > from && s < to) out.push({ start: s, end: e, users });
      continue;
    }
    const it = ev.iterator();
    for (let n = 0; n < 100_000; n++) {
      const next = it.next();
      if (!next) break;
      const details = ev.getOccurrenceDetails(next);
      const s = details.startDate.toJSDate().getTime();
      if (s >= to) break;
      const e = details.endDate.toJSDate().getTime();
      if (e > from) out.push({ start: s, end: e, users });
    }
  }
  return out;
}

function icsTime(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function escapeText(s: string): string {
  return s.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\n/g, '\\n');
}

/** An iCalendar (RFC 5545) text with one VEVENT per on-call interval, times in UTC. */
export function toIcs(name: string, intervals: readonly { start: number; end: number; users: readonly string[]; uid: string }[], now: number): string {
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//Ichigen//On-call//EN', 'CALSCALE:GREGORIAN', `X-WR-CALNAME:${escapeText(name)}`];
  for (const i of intervals) {
    lines.push('BEGIN:VEVENT', `UID:${i.uid}`, `DTSTAMP:${icsTime(now)}`, `DTSTART:${icsTime(i.start)}`, `DTEND:${icsTime(i.end)}`, `SUMMARY:${escapeText(i.users.join(', '))}`, 'END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return lines.join('\r\n') + '\r\n';
}
