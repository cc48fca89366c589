import { EventEmitter } from 'node:events';
import pg from 'pg';
import { sql, type Kysely } from 'kysely';
import { IchigenError } from '../model/index.js';
import type { StateSchema } from './schema.js';

/**
 * Wake-ups between replicas sharing the state database: PostgreSQL's LISTEN/NOTIFY, or an
 * in-process emitter on SQLite (one process only). A notification is a hint that something
 * changed in a table, never the data itself: listeners read the rows, and also poll slowly,
 * so a notification lost while a listener reconnects only delays the work.
 */
export interface StateNotifier {
  notify(channel: string, payload: string): Promise<void>;
  listen(channel: string, handler: (payload: string) => void): Promise<{ close(): void }>;
  close(): Promise<void>;
}

const CHANNEL = /^[a-z_][a-z0-9_]{0,62}$/;

function checkChannel(channel: string): void {
  if (!CHANNEL.test(channel)) throw new IchigenError('INTERNAL', `invalid notification channel "${channel}"`);
}

export function inProcessNotifier(): StateNotifier {
  const emitter = new EventEmitter();
  emitter.setMaxListeners(0);
  return {
    async notify(channel, payload) {
      checkChannel(channel);
      // Asynchronous like a database notification: never re-entered from the notifier's caller.
      setImmediate(() => emitter.emit(channel, payload));
    },
    async listen(channel, handler) {
      checkChannel(channel);
      emitter.on(channel, handler);
      return { close: () => void emitter.off(channel, handler) };
    },
    close: () => Promise.resolve(),
  };
}

/** LISTEN on one dedicated connection (outside the pool), reconnected after errors. */
export function postgresNotifier(url: string, db: Kysely<StateSchema>): StateNotifier {
  const handlers = new Map<string, Set<(payload: string) => void>>();
  let client: pg.Client | undefined;
  let connecting: Promise<pg.Client> | undefined;
  let closed = false;
  let retry: NodeJS.Timeout | undefined;
  // One query at a time on the listening connection (pg deprecates overlapping queries).
  let chain: Promise<unknown> = Promise.resolve();
  const query = (c: pg.Client, text: string): Promise<void> => {
    const p = chain.then(() => c.query(text));
    chain = p.catch(() => undefined);
    return p.then(() => undefined);
  };

  const connect = (): Promise<pg.Client> => {
    connecting ??= (async () => {
      const c = new pg.Client({ connectionString: url });
      c.on('notification', (n) => {
        for (const h of handlers.get(n.channel) ?? []) h(n.payload ?? '');
      });
      const lost = (): void => {
        if (client !== c) return;
        client = undefined;
        connecting = undefined;
        void c.end().catch(() => undefined);
        if (!closed && handlers.size > 0) retry = setTimeout(() => void connect().catch(() => undefined), 1000);
      };
      c.on('error', lost);
      c.on('end', lost);
      try {
        await c.connect();
        for (const ch of handlers.keys()) await query(c, `LISTEN ${ch}`);
      } catch (err) {
        connecting = undefined;
        void c.end().catch(() => undefined);
        if (!closed) retry = setTimeout(() => void connect().catch(() => undefined), 1000);
        throw err;
      }
      client = c;
      return c;
    })();
    return connecting;
  };

  return {
    async notify(channel, payload) {
      checkChannel(channel);
      await sql`select pg_notify(${channel}, ${payload})`.execute(db);
    },
    async listen(channel, handler) {
      checkChannel(channel);
      let set = handlers.get(channel);
      const first = set === undefined;
      if (set === undefined) handlers.set(channel, (set = new Set()));
      set.add(handler);
      const c = await connect();
      if (first && client === c) await query(c, `LISTEN ${channel}`);
      return {
        close: () => {
          set.delete(handler);
          if (set.size === 0) {
            handlers.delete(channel);
            if (client !== undefined) void query(client, `UNLISTEN ${channel}`).catch(() => undefined);
          }
        },
      };
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      const c = client;
      client = undefined;
      if (c !== undefined) await c.end().catch(() => undefined);
    },
  };
}
