import type { FastifyInstance } from 'fastify';
import websocket from '@fastify/websocket';
import { IchigenError } from '../../model/index.js';
import { compilePipeline, parseLogQL } from '../../query/logql/index.js';
import type { LogStore, TailEvent } from '../../store/logs/index.js';
import { parseLimit, parseTime } from './params.js';

/**
 * `GET /loki/api/v1/tail` over WebSocket: first the last entries since `start` (up to
 * `limit`), then every new entry that matches, as `{"streams":[…],"dropped_entries":null}`.
 */
export async function registerTailRoute(app: FastifyInstance, store: () => LogStore): Promise<void> {
  await app.register(websocket);
  app.get('/loki/api/v1/tail', { websocket: true, config: { scope: 'read' } }, (socket, request) => {
    const q = request.query as Record<string, string | undefined>;
    let unsubscribe: (() => void) | undefined;
    try {
      const expr = parseLogQL(q.query ?? '');
      if (expr.kind !== 'log') throw new IchigenError('INVALID_PARAMETER', 'tail needs a log query');
      const pipeline = compilePipeline(expr);
      const limit = parseLimit(q.limit, 100);
      const startNs = parseTime(q.start, BigInt(Date.now() - 3_600_000) * 1_000_000n, 'start');
      const send = (events: Array<{ labels: TailEvent['stream']['labels']; meta: TailEvent['entry']['metadata']; ts: bigint; line: string }>): void => {
        const streams = new Map<string, { stream: Record<string, string>; values: Array<[string, string]> }>();
        for (const ev of events) {
          const r = pipeline.run(ev.line, ev.ts, ev.labels, ev.meta);
          if (!r) continue;
          const labels = Object.fromEntries([...r.lb.all()].sort());
          const key = JSON.stringify(labels);
          let s = streams.get(key);
          if (!s) streams.set(key, (s = { stream: labels, values: [] }));
          s.values.push([String(ev.ts), r.line]);
        }
        if (streams.size > 0) socket.send(JSON.stringify({ streams: [...streams.values()], dropped_entries: null }));
      };
      const tenant = request.tenant;
      const s = store();
      const matchStream = new Set(s.allStreams(tenant, expr.matchers).map((x) => x.id));
      unsubscribe = s.subscribe(tenant, (events) => {
        const mine = events.filter((e) => matchStream.has(e.stream.id) || (s.allStreams(tenant, expr.matchers).some((x) => x.id === e.stream.id) && matchStream.add(e.stream.id)));
        if (mine.length > 0) send(mine.map((e) => ({ labels: e.stream.labels, meta: e.entry.metadata, ts: e.entry.tsNs, line: e.entry.line })));
      });
      void s.select({ tenant, matchers: expr.matchers, startNs, endNs: BigInt(Date.now() + 1000) * 1_000_000n }).then((sel) => {
        const all = sel.flatMap((x) => x.entries.map((e) => ({ labels: x.stream.labels, meta: e.metadata, ts: e.tsNs, line: e.line })));
        all.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
        send(all.slice(Math.max(0, all.length - limit)));
      });
    } catch (e) {
      socket.close(1008, (e as Error).message.slice(0, 120));
      return;
    }
    socket.on('close', () => unsubscribe?.());
  });
}
