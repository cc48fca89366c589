import type { Kysely } from 'kysely';
import type { IchigenEvent } from '../model/index.js';
import type { StateSchema } from '../state/index.js';

/** Filters for searching stored events (all optional; newest first). */
export interface EventQuery {
  readonly tenant: string;
  readonly source?: string;
  readonly detailType?: string;
  /** Event time bounds, ms since the epoch (inclusive). */
  readonly from?: number;
  readonly to?: number;
  /** A resource the event must list. */
  readonly resource?: string;
  /** Case-insensitive text the detail JSON must contain. */
  readonly text?: string;
  /** Paging cursor: only events stored before this position. */
  readonly before?: number;
  readonly limit: number;
}

export interface StoredEvent {
  readonly seq: number;
  readonly event: IchigenEvent;
  readonly receivedAt: number;
}

type Row = StateSchema['events'] extends infer T ? { [K in keyof T]: K extends 'seq' ? number : T[K] } : never;

function fromRow(r: Row): StoredEvent {
  const event: IchigenEvent = {
    id: r.id,
    tenant: r.tenant,
    time: Number(r.time),
    source: r.source,
    detailType: r.detail_type,
    resources: JSON.parse(r.resources) as string[],
    detail: JSON.parse(r.detail) as Record<string, unknown>,
    ...(r.account !== '' ? { account: r.account } : {}),
    ...(r.region !== '' ? { region: r.region } : {}),
  };
  return { seq: Number(r.seq), event, receivedAt: Number(r.received_at) };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/** Events in the state database: insert (idempotent by id), search, retention. */
export class EventStore {
  constructor(private readonly db: Kysely<StateSchema>) {}

  /** Stores an event; false when an event with this id was already stored (a redelivery). */
  async insert(e: IchigenEvent, receivedAt: number): Promise<boolean> {
    const r = await this.db
      .insertInto('events')
      .values({
        id: e.id,
        tenant: e.tenant,
        time: e.time,
        source: e.source,
        detail_type: e.detailType,
        resources: JSON.stringify(e.resources),
        detail: JSON.stringify(e.detail),
        account: e.account ?? '',
        region: e.region ?? '',
        received_at: receivedAt,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0n) > 0;
  }

  async get(tenant: string, id: string): Promise<StoredEvent | undefined> {
    const r = await this.db.selectFrom('events').selectAll().where('tenant', '=', tenant).where('id', '=', id).executeTakeFirst();
    return r === undefined ? undefined : fromRow(r as Row);
  }

  /** Newest first; at most `limit` rows scanned after the SQL filters. */
  async search(q: EventQuery): Promise<StoredEvent[]> {
    let s = this.db.selectFrom('events').selectAll().where('tenant', '=', q.tenant);
    if (q.source !== undefined) s = s.where('source', '=', q.source);
    if (q.detailType !== undefined) s = s.where('detail_type', '=', q.detailType);
    if (q.from !== undefined) s = s.where('time', '>=', q.from);
    if (q.to !== undefined) s = s.where('time', '<=', q.to);
    if (q.before !== undefined) s = s.where('seq', '<', q.before);
    if (q.resource !== undefined) s = s.where('resources', 'like', `%${escapeLike(JSON.stringify(q.resource))}%`);
    if (q.text !== undefined && q.text !== '') {
      const needle = `%${escapeLike(q.text.toLowerCase())}%`;
      s = s.where((eb) => eb(eb.fn('lower', ['detail']), 'like', needle));
    }
    const rows = await s.orderBy('seq', 'desc').limit(q.limit).execute();
    return rows.map((r) => fromRow(r as Row));
  }

  /** Deletes events received before `cutoff`; returns how many went. */
  async deleteBefore(cutoff: number): Promise<number> {
    const r = await this.db.deleteFrom('events').where('received_at', '<', cutoff).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
