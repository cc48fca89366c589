import type { Kysely } from 'kysely';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { IchigenError, tryParseDuration } from '../../model/index.js';
import { parseWith } from '../../http/index.js';
import { newId, type StateSchema } from '../../state/index.js';
import { readJson } from '../json.js';
import { assertZone } from './layers.js';

const hhmm = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'use HH:MM (24h)');
const METHODS = ['email', 'slack', 'sms', 'voice', 'teams', 'webhook'] as const;

/** A user's personal escalation: notify by a method, or wait (e.g. Slack now, SMS after 5 min). */
export const userRuleSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('notify'), method: z.enum(METHODS) }),
  z.object({ type: z.literal('wait'), duration: z.string().refine((s) => (tryParseDuration(s) ?? -1) > 0, 'a duration like 5m') }),
]);
export type UserRule = z.infer<typeof userRuleSchema>;

export const userSettingsSchema = z.object({
  contact: z
    .object({
      email: z.string().email().optional(),
      phone: z.string().regex(/^\+[1-9]\d{6,14}$/, 'use an E.164 number like +14155550100').optional(),
      slackUserId: z.string().optional(),
      teamsWebhookUrl: z.string().url().optional(),
      webhookUrl: z.string().url().optional(),
    })
    .default({}),
  rules: z.array(userRuleSchema).max(20).default([{ type: 'notify', method: 'email' }]),
  importantRules: z.array(userRuleSchema).max(20).default([{ type: 'notify', method: 'email' }]),
  /** Non-important notifications inside quiet hours wait until they end. */
  quietHours: z.object({ from: hhmm, to: hhmm }).nullable().default(null),
  timeZone: z.string().default('UTC'),
});
export type UserSettings = z.infer<typeof userSettingsSchema>;

const DEFAULTS: UserSettings = userSettingsSchema.parse({});

export class PeopleStore {
  constructor(private readonly db: Kysely<StateSchema>) {}

  async userByName(username: string): Promise<{ id: string; username: string } | undefined> {
    return this.db.selectFrom('users').select(['id', 'username']).where('username', '=', username).where('disabled', '=', 0).executeTakeFirst();
  }

  async settings(userId: string): Promise<UserSettings> {
    const r = await this.db.selectFrom('incident_user_settings').selectAll().where('user_id', '=', userId).executeTakeFirst();
    if (!r) return DEFAULTS;
    return {
      contact: readJson(r.contact, {}),
      rules: readJson(r.rules, DEFAULTS.rules),
      importantRules: readJson(r.important_rules, DEFAULTS.importantRules),
      quietHours: readJson(r.quiet_hours, null),
      timeZone: r.time_zone,
    };
  }

  async saveSettings(userId: string, body: unknown): Promise<UserSettings> {
    const s = parseWith(userSettingsSchema, body);
    assertZone(s.timeZone);
    const row = { contact: JSON.stringify(s.contact), rules: JSON.stringify(s.rules), important_rules: JSON.stringify(s.importantRules), quiet_hours: s.quietHours === null ? null : JSON.stringify(s.quietHours), time_zone: s.timeZone };
    await this.db.insertInto('incident_user_settings').values({ user_id: userId, ...row }).onConflict((oc) => oc.column('user_id').doUpdateSet(row)).execute();
    return s;
  }

  async createTeam(tenant: string, body: unknown): Promise<{ id: string; name: string; members: string[] }> {
    const b = parseWith(z.object({ name: z.string().min(1).max(100), members: z.array(z.string().min(1)).min(1) }), body);
    const id = newId();
    await this.db.insertInto('incident_teams').values({ id, tenant, name: b.name, members: JSON.stringify(b.members) }).execute();
    return { id, ...b };
  }

  async teams(tenant: string): Promise<{ id: string; name: string; members: string[] }[]> {
    const rows = await this.db.selectFrom('incident_teams').selectAll().where('tenant', '=', tenant).orderBy('name').execute();
    return rows.map((r) => ({ id: r.id, name: r.name, members: readJson<string[]>(r.members, []) }));
  }

  async team(tenant: string, id: string): Promise<{ id: string; name: string; members: string[] }> {
    const t = (await this.teams(tenant)).find((x) => x.id === id);
    if (!t) throw new IchigenError('NOT_FOUND', `team ${id} not found`);
    return t;
  }
}

/** When a non-important notification may go out: now, or the end of the user's quiet hours. */
export function afterQuietHours(s: UserSettings, t: number): number {
  const q = s.quietHours;
  if (q === null) return t;
  const local = DateTime.fromMillis(t, { zone: s.timeZone });
  const m = local.hour * 60 + local.minute;
  const from = Number(q.from.slice(0, 2)) * 60 + Number(q.from.slice(3));
  const to = Number(q.to.slice(0, 2)) * 60 + Number(q.to.slice(3));
  const inside = from < to ? m >= from && m < to : m >= from || m < to;
  if (!inside) return t;
  let end = local.set({ hour: Math.floor(to / 60), minute: to % 60, second: 0, millisecond: 0 });
  if (end.toMillis() <= t) end = end.plus({ days: 1 });
  return end.toMillis();
}
