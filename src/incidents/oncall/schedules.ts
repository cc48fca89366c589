import type { Kysely } from 'kysely';
import { z } from 'zod';
import { IchigenError } from '../../model/index.js';
import { parseWith } from '../../http/index.js';
import { newId, type StateSchema } from '../../state/index.js';
import { readJson } from '../json.js';
import { toIcs } from './ical.js';
import { assertZone, compileLayer, layerSchema, type CompiledLayer, type Layer } from './layers.js';

export interface Schedule {
  readonly id: string;
  readonly tenant: string;
  readonly name: string;
  readonly timeZone: string;
  /** Lowest priority first: a later layer with someone on call wins over earlier ones. */
  readonly layers: readonly Layer[];
}

/** An override replaces everyone on call; a swap (`replaces`) replaces one person. Users are usernames. */
export interface Override {
  readonly id: string;
  readonly user: string;
  readonly replaces: string | null;
  readonly start: number;
  readonly end: number;
}

const scheduleBody = z.object({
  name: z.string().min(1).max(100),
  timeZone: z.string().default('UTC'),
  layers: z.array(layerSchema).max(20).default([]),
});

const overrideBody = z.object({
  user: z.string().min(1),
  replaces: z.string().min(1).optional(),
  start: z.string().datetime({ offset: true }),
  end: z.string().datetime({ offset: true }),
});

export interface OnCallInterval {
  readonly start: number;
  readonly end: number;
  readonly users: readonly string[];
}

/** A schedule prepared for queries: who is on call at T, and the intervals over a window. */
export class ScheduleView {
  private readonly layers: CompiledLayer[];

  constructor(
    readonly schedule: Schedule,
    private readonly overrides: readonly Override[],
  ) {
    this.layers = schedule.layers.map((l) => compileLayer(l, schedule.timeZone));
  }

  at(t: number): string[] {
    let users: string[] = [];
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const u = this.layers[i]!.usersAt(t);
      if (u.length > 0) {
        users = u;
        break;
      }
    }
    for (const o of this.overrides) {
      if (o.replaces !== null && o.start <= t && t < o.end) users = users.map((u) => (u === o.replaces ? o.user : u));
    }
    const full = this.overrides.filter((o) => o.replaces === null && o.start <= t && t < o.end).map((o) => o.user);
    if (full.length > 0) users = full;
    return [...new Set(users)];
  }

  /** On-call intervals over [from, to): exact, computed at every instant where anything may change. */
  intervals(from: number, to: number): OnCallInterval[] {
    const points = new Set<number>([from]);
    for (const l of this.layers) for (const b of l.boundaries(from, to)) points.add(b);
    for (const o of this.overrides) for (const b of [o.start, o.end]) if (b >= from && b < to) points.add(b);
    const sorted = [...points].sort((a, b) => a - b);
    const out: { start: number; end: number; users: string[] }[] = [];
    for (let i = 0; i < sorted.length; i++) {
      const start = sorted[i]!;
      const end = sorted[i + 1] ?? to;
      const users = this.at(start).sort();
      const last = out[out.length - 1];
      if (last && last.end === start && last.users.join('\0') === users.join('\0')) last.end = end;
      else out.push({ start, end, users });
    }
    return out.filter((i) => i.users.length > 0);
  }
}

type Row = StateSchema['incident_schedules'];
const toSchedule = (r: Row): Schedule => ({ id: r.id, tenant: r.tenant, name: r.name, timeZone: r.time_zone, layers: readJson<Layer[]>(r.layers, []) });

export class ScheduleStore {
  constructor(private readonly db: Kysely<StateSchema>) {}

  private validate(body: unknown): z.infer<typeof scheduleBody> {
    const b = parseWith(scheduleBody, body);
    assertZone(b.timeZone);
    for (const l of b.layers) compileLayer(l, b.timeZone).usersAt(Date.now());
    return b;
  }

  async create(tenant: string, body: unknown, now: number): Promise<Schedule> {
    const b = this.validate(body);
    const row: Row = { id: newId(now), tenant, name: b.name, time_zone: b.timeZone, layers: JSON.stringify(b.layers), created_at: now, updated_at: now };
    await this.db.insertInto('incident_schedules').values(row).execute();
    return toSchedule(row);
  }

  async update(tenant: string, id: string, body: unknown, now: number): Promise<Schedule> {
    await this.get(tenant, id);
    const b = this.validate(body);
    await this.db.updateTable('incident_schedules').set({ name: b.name, time_zone: b.timeZone, layers: JSON.stringify(b.layers), updated_at: now }).where('id', '=', id).execute();
    return this.get(tenant, id);
  }

  async get(tenant: string, id: string): Promise<Schedule> {
    const r = await this.db.selectFrom('incident_schedules').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    if (!r) throw new IchigenError('NOT_FOUND', `schedule ${id} not found`);
    return toSchedule(r);
  }

  async list(tenant: string): Promise<Schedule[]> {
    return (await this.db.selectFrom('incident_schedules').selectAll().where('tenant', '=', tenant).orderBy('name').execute()).map(toSchedule);
  }

  async remove(tenant: string, id: string): Promise<void> {
    await this.get(tenant, id);
    await this.db.deleteFrom('incident_overrides').where('schedule_id', '=', id).execute();
    await this.db.deleteFrom('incident_schedules').where('id', '=', id).execute();
  }

  async addOverride(tenant: string, scheduleId: string, body: unknown, actor: string, now: number): Promise<Override> {
    await this.get(tenant, scheduleId);
    const b = parseWith(overrideBody, body);
    const start = Date.parse(b.start);
    const end = Date.parse(b.end);
    if (end <= start) throw new IchigenError('INVALID_PARAMETER', 'override end must be after start');
    const id = newId(now);
    // user_id holds the username: schedules name people by username (as iCal SUMMARY does).
    await this.db.insertInto('incident_overrides').values({ id, schedule_id: scheduleId, user_id: b.user, replaces_user_id: b.replaces ?? null, starts_at: start, ends_at: end, created_by: actor, created_at: now }).execute();
    return { id, user: b.user, replaces: b.replaces ?? null, start, end };
  }

  async removeOverride(tenant: string, scheduleId: string, id: string): Promise<void> {
    await this.get(tenant, scheduleId);
    const res = await this.db.deleteFrom('incident_overrides').where('schedule_id', '=', scheduleId).where('id', '=', id).executeTakeFirst();
    if (Number(res.numDeletedRows) === 0) throw new IchigenError('NOT_FOUND', `override ${id} not found`);
  }

  async overrides(scheduleId: string): Promise<Override[]> {
    const rows = await this.db.selectFrom('incident_overrides').selectAll().where('schedule_id', '=', scheduleId).orderBy('created_at').execute();
    return rows.map((r) => ({ id: r.id, user: r.user_id, replaces: r.replaces_user_id, start: Number(r.starts_at), end: Number(r.ends_at) }));
  }

  async view(tenant: string, id: string): Promise<ScheduleView> {
    const s = await this.get(tenant, id);
    return new ScheduleView(s, await this.overrides(id));
  }

  async exportIcs(tenant: string, id: string, from: number, to: number, now: number, user?: string): Promise<string> {
    const v = await this.view(tenant, id);
    let intervals = v.intervals(from, to);
    if (user !== undefined) intervals = intervals.filter((i) => i.users.includes(user)).map((i) => ({ ...i, users: [user] }));
    return toIcs(v.schedule.name, intervals.map((i) => ({ ...i, uid: `${id}-${i.start}@ichigen` })), now);
  }

  /** Every schedule's shifts for one user (the per-user calendar feed). */
  async exportUserIcs(tenant: string, user: string, from: number, to: number, now: number): Promise<string> {
    const all: { start: number; end: number; users: string[]; uid: string }[] = [];
    for (const s of await this.list(tenant)) {
      const v = new ScheduleView(s, await this.overrides(s.id));
      for (const i of v.intervals(from, to)) if (i.users.includes(user)) all.push({ start: i.start, end: i.end, users: [user], uid: `${s.id}-${user}-${i.start}@ichigen` });
    }
    return toIcs(`${user} on call`, all.sort((a, b) => a.start - b.start), now);
  }
}
