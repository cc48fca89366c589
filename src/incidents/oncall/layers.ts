import { DateTime, IANAZone } from 'luxon';
import { z } from 'zod';
import { IchigenError, tryParseDuration } from '../../model/index.js';
import { icalOccurrences, type IcalEvent } from './ical.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24h)');

/** Times of day (and weekdays, 1 = Monday) when a rotation's users are on call. */
export const restrictionSchema = z.object({
  days: z.array(z.number().int().min(1).max(7)).min(1).default([1, 2, 3, 4, 5, 6, 7]),
  from: hhmm,
  to: hhmm,
});

export const rotationLayerSchema = z.object({
  kind: z.literal('rotation'),
  name: z.string().max(100).default(''),
  /** First handoff, as local wall time in the schedule's time zone: `2026-03-01T09:00`. */
  start: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/, 'use YYYY-MM-DDTHH:MM (local time in the schedule time zone)'),
  frequency: z.enum(['daily', 'weekly', 'custom']),
  /** Every N days/weeks (daily, weekly). */
  interval: z.number().int().min(1).max(52).default(1),
  /** Shift length for `custom` (a duration like `12h`): fixed elapsed time, not wall time. */
  shiftLength: z.string().optional(),
  /** Users in turn; an entry may be a list (several people on call together). */
  users: z.array(z.union([z.string().min(1), z.array(z.string().min(1)).min(1)])).min(1),
  restrictions: z.array(restrictionSchema).default([]),
  until: z.string().regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/).optional(),
});

export const icalLayerSchema = z.object({
  kind: z.literal('ical'),
  name: z.string().max(100).default(''),
  /** The calendar text (read-only layer): each event's SUMMARY names the usernames on call. */
  ics: z.string().min(1).max(2_000_000),
});

export const layerSchema = z.discriminatedUnion('kind', [rotationLayerSchema, icalLayerSchema]);
export type Layer = z.infer<typeof layerSchema>;
export type RotationLayer = z.infer<typeof rotationLayerSchema>;

export function assertZone(zone: string): void {
  if (!IANAZone.isValidZone(zone)) throw new IchigenError('INVALID_PARAMETER', `unknown IANA time zone "${zone}"`);
}

/** Prepared form of a layer: fast "who at T" and the instants where that may change. */
export interface CompiledLayer {
  usersAt(t: number): string[];
  boundaries(from: number, to: number): number[];
}

export function compileLayer(layer: Layer, zone: string): CompiledLayer {
  if (layer.kind === 'ical') return compileIcal(layer.ics);
  return compileRotation(layer, zone);
}

function compileRotation(layer: RotationLayer, zone: string): CompiledLayer {
  const start = DateTime.fromISO(layer.start, { zone });
  if (!start.isValid) throw new IchigenError('INVALID_PARAMETER', `rotation start "${layer.start}" is not a valid local time`);
  const startMs = start.toMillis();
  const untilMs = layer.until === undefined ? Infinity : DateTime.fromISO(layer.until, { zone }).toMillis();
  let shiftMs = 0;
  if (layer.frequency === 'custom') {
    const d = layer.shiftLength === undefined ? undefined : tryParseDuration(layer.shiftLength);
    if (d === undefined || d < 60_000) throw new IchigenError('INVALID_PARAMETER', 'a custom rotation needs shiftLength of at least 1m');
    shiftMs = d;
  }
  const days = layer.frequency === 'weekly' ? 7 * layer.interval : layer.interval;
  // Daily/weekly shifts follow wall time (a handoff at 09:00 stays at 09:00 across DST).
  const shiftStart = (k: number): number => (layer.frequency === 'custom' ? startMs + k * shiftMs : start.plus({ days: k * days }).toMillis());
  const shiftIndex = (t: number): number => {
    if (layer.frequency === 'custom') return Math.floor((t - startMs) / shiftMs);
    let k = Math.floor((t - startMs) / (days * 86_400_000));
    while (shiftStart(k + 1) <= t) k++;
    while (k > 0 && shiftStart(k) > t) k--;
    return k;
  };
  const restricted = (t: number): boolean => {
    if (layer.restrictions.length === 0) return true;
    const local = DateTime.fromMillis(t, { zone });
    const minutes = local.hour * 60 + local.minute;
    return layer.restrictions.some((r) => {
      const from = Number(r.from.slice(0, 2)) * 60 + Number(r.from.slice(3));
      const to = Number(r.to.slice(0, 2)) * 60 + Number(r.to.slice(3));
      if (from < to) return r.days.includes(local.weekday) && minutes >= from && minutes < to;
      // Wraps midnight: the part after midnight belongs to the previous day's window.
      const prevDay = local.weekday === 1 ? 7 : local.weekday - 1;
      return (r.days.includes(local.weekday) && minutes >= from) || (r.days.includes(prevDay) && minutes < to);
    });
  };
  return {
    usersAt(t) {
      if (t < startMs || t >= untilMs || !restricted(t)) return [];
      const k = shiftIndex(t);
      const entry = layer.users[k % layer.users.length]!;
      return typeof entry === 'string' ? [entry] : [...entry];
    },
    boundaries(from, to) {
      const out: number[] = [];
      if (startMs >= from && startMs < to) out.push(startMs);
      if (untilMs >= from && untilMs < to) out.push(untilMs);
      for (let k = Math.max(0, shiftIndex(Math.max(from, startMs))), n = 0; n < 10_000; k++, n++) {
        const s = shiftStart(k);
        if (s >= to) break;
        if (s >= from) out.push(s);
      }
      if (layer.restrictions.length > 0) {
        let day = DateTime.fromMillis(from, { zone }).startOf('day').minus({ days: 1 });
        for (let n = 0; n < 400 && day.toMillis() < to; n++, day = day.plus({ days: 1 })) {
          for (const r of layer.restrictions) {
            for (const hm of [r.from, r.to]) {
              const t = day.set({ hour: Number(hm.slice(0, 2)), minute: Number(hm.slice(3)) }).toMillis();
              if (t >= from && t < to) out.push(t);
            }
          }
        }
      }
      return out;
    },
  };
}

function compileIcal(ics: string): CompiledLayer {
  let cache: { from: number; to: number; events: IcalEvent[] } | undefined;
  const eventsIn = (from: number, to: number): IcalEvent[] => {
    if (!cache || from < cache.from || to > cache.to) cache = { from: from - 86_400_000, to: to + 86_400_000, events: icalOccurrences(ics, from - 86_400_000, to + 86_400_000) };
    return cache.events;
  };
  return {
    usersAt(t) {
      const users: string[] = [];
      for (const e of eventsIn(t, t + 1)) if (e.start <= t && t < e.end) users.push(...e.users);
      return [...new Set(users)];
    },
    boundaries(from, to) {
      return eventsIn(from, to).flatMap((e) => [e.start, e.end]).filter((t) => t >= from && t < to);
    },
  };
}
