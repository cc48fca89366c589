import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { IchigenError } from '../model/index.js';
import { parseWith } from '../http/index.js';
import type { StateSchema, StateSql } from '../state/index.js';
import { readJson, type LabelRecord } from './json.js';
import { compileMatchers, toLabelMatcher, type AmMatcher, type RecordPredicate } from './matchers.js';

export type SilenceState = 'pending' | 'active' | 'expired';

/** A silence in the Alertmanager API v2 shape (gettableSilence). */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly AmMatcher[];
  readonly startsAt: number;
  readonly endsAt: number;
  readonly createdBy: string;
  readonly comment: string;
  readonly updatedAt: number;
}

export const postableSilenceSchema = z.object({
  id: z.string().optional(),
  matchers: z
    .array(
      z.object({
        name: z.string().min(1),
        value: z.string(),
        isRegex: z.boolean(),
        isEqual: z.boolean().optional(),
      }),
    )
    .min(1, 'a silence needs at least one matcher'),
  startsAt: z.string().datetime({ offset: true }),
  endsAt: z.string().datetime({ offset: true }),
  createdBy: z.string().min(1, 'createdBy is required'),
  comment: z.string().min(1, 'comment is required'),
});

export function silenceState(s: Silence, now: number): SilenceState {
  if (s.endsAt <= now) return 'expired';
  return s.startsAt > now ? 'pending' : 'active';
}

type Row = StateSchema['incident_silences'];

function toSilence(r: Row): Silence {
  return {
    id: r.id,
    matchers: readJson<AmMatcher[]>(r.matchers, []),
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    createdBy: r.created_by,
    comment: r.comment,
    updatedAt: Number(r.updated_at),
  };
}

export interface ActiveSilences {
  /** Ids of the active silences that match the labels. */
  matching(labels: LabelRecord): string[];
}

/** Read once per intake batch or notification batch: written out once (see StateSql), no query building. */
const ACTIVE = 'select * from incident_silences where tenant = ? and ends_at > ? and starts_at <= ?';

export class SilenceStore {
  constructor(
    private readonly db: Kysely<StateSchema>,
    private readonly sql?: StateSql,
  ) {}

  /** Creates or (with an id) replaces a silence, like Alertmanager's POST /api/v2/silences. */
  async upsert(tenant: string, body: unknown, now: number): Promise<string> {
    const input = parseWith(postableSilenceSchema, body);
    const matchers: AmMatcher[] = input.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex, isEqual: m.isEqual ?? true }));
    const predicate = compileMatchers(matchers.map(toLabelMatcher));
    if (predicate({})) throw new IchigenError('INVALID_PARAMETER', 'silence matchers must not all match the empty label set (it would silence every alert)');
    const startsAt = Date.parse(input.startsAt);
    const endsAt = Date.parse(input.endsAt);
    if (endsAt < startsAt) throw new IchigenError('INVALID_PARAMETER', 'silence endsAt must not be before startsAt');
    if (endsAt < now) throw new IchigenError('INVALID_PARAMETER', 'silence endsAt is in the past');
    const row: Row = {
      // UUIDs, as Alertmanager uses: amtool and Grafana validate the silence id format.
      id: randomUUID(),
      tenant,
      matchers: JSON.stringify(matchers),
      starts_at: startsAt < now ? now : startsAt,
      ends_at: endsAt,
      created_by: input.createdBy,
      comment: input.comment,
      updated_at: now,
    };
    if (input.id !== undefined && input.id !== '') {
      const old = await this.get(tenant, input.id);
      // Alertmanager: an active silence whose matchers change is expired and a new one made.
      if (silenceState(old, now) !== 'expired' && JSON.stringify(old.matchers) === row.matchers) {
        await this.db.updateTable('incident_silences').set({ ends_at: endsAt, starts_at: row.starts_at, comment: row.comment, created_by: row.created_by, updated_at: now }).where('id', '=', old.id).execute();
        return old.id;
      }
      if (silenceState(old, now) !== 'expired') await this.expire(tenant, old.id, now);
    }
    await this.db.insertInto('incident_silences').values(row).execute();
    return row.id;
  }

  async get(tenant: string, id: string): Promise<Silence> {
    const r = await this.db.selectFrom('incident_silences').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    if (!r) throw new IchigenError('NOT_FOUND', `silence ${id} not found`);
    return toSilence(r);
  }

  async list(tenant: string): Promise<Silence[]> {
    const rows = await this.db.selectFrom('incident_silences').selectAll().where('tenant', '=', tenant).orderBy('updated_at', 'desc').limit(10_000).execute();
    return rows.map(toSilence);
  }

  async expire(tenant: string, id: string, now: number): Promise<void> {
    const s = await this.get(tenant, id);
    if (silenceState(s, now) === 'expired') throw new IchigenError('CONFLICT', `silence ${id} already expired`);
    await this.db.updateTable('incident_silences').set({ ends_at: now, starts_at: Math.min(s.startsAt, now), updated_at: now }).where('id', '=', id).execute();
  }

  async active(tenant: string, now: number): Promise<ActiveSilences> {
    const rows =
      this.sql !== undefined
        ? await this.sql.all<StateSchema['incident_silences']>(this.db, ACTIVE, [tenant, now, now])
        : await this.db.selectFrom('incident_silences').selectAll().where('tenant', '=', tenant).where('ends_at', '>', now).where('starts_at', '<=', now).execute();
    const compiled: { id: string; test: RecordPredicate }[] = rows.map((r) => ({ id: r.id, test: compileMatchers(readJson<AmMatcher[]>(r.matchers, []).map(toLabelMatcher)) }));
    return { matching: (labels) => compiled.filter((c) => c.test(labels)).map((c) => c.id) };
  }
}
