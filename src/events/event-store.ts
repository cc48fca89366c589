import type { Kysely } from 'kysely';
import type { IchigenEvent } from '../model/index.js';
import type { StateDb, StateSchema } from '../state/index.js';

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

const INSERT_EVENT =
  'insert into events (id, tenant, time, source, detail_type, resources, detail, account, region, received_at) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) on conflict (id) do nothing';

/** Events in the state database: insert (idempotent by id), search, retention. */
export class EventStore {
  private readonly db: Kysely<StateSchema>;

  constructor(private readonly state: StateDb) {
    this.db = state.db;
  }

  /** Stores an event; false when an event with this id was already stored (a redelivery). */
  async insert(e: IchigenEvent, receivedAt: number): Promise<boolean> {
    return (await this.insertAll([{ event: e, receivedAt }]))[0]!;
  }

  /** Stores events in one transaction (one commit for many); for each, false when its id was stored before. */
  async insertAll(events: readonly { event: IchigenEvent; receivedAt: number }[]): Promise<boolean[]> {
    const sql = this.state.sql;
    const insert = (db: Kysely<StateSchema>, { event: e, receivedAt }: { event: IchigenEvent; receivedAt: number }): Promise<number> =>
      sql.run(db, INSERT_EVENT, [e.id, e.tenant, e.time, e.source, e.detailType, JSON.stringify(e.resources), JSON.stringify(e.detail), e.account ?? '', e.region ?? '', receivedAt]);
    if (events.length === 1) return [(await insert(this.db, events[0]!)) > 0];
    return this.db.transaction().execute(async (trx) => {
      const stored: boolean[] = [];
      for (const e of events) stored.push((await insert(trx, e)) > 0);
      return stored;
    });
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
