import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { WebSocket, WebSocketServer } from 'ws';
import { resolveTenant, type Authenticator } from '../../auth/index.js';
import { IchigenError, TENANT_HEADER, hasScope, type Labels } from '../../model/index.js';
import { compilePipeline, parseLogQL } from '../../query/logql/index.js';
import { RemoteLogStore, type LogStore } from '../../store/logs/index.js';
import { parseLimit, parseTime } from './params.js';

const TAIL_PATH = '/loki/api/v1/tail';

interface TailItem {
  readonly labels: Labels;
  readonly meta: Labels;
  readonly ts: bigint;
  readonly line: string;
}

/**
 * `GET /loki/api/v1/tail` over WebSocket: first the last entries since `start` (up to
 * `limit`), then every new entry that matches, as `{"streams":[…],"dropped_entries":null}`.
 * Why plain `ws` on the upgrade event: only this path upgrades, and authentication runs
 * here exactly as for every other route (token, Basic or session; `read` scope; tenant).
 */
export function registerTailRoute(app: FastifyInstance, store: () => LogStore, authenticator: Authenticator): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  app.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== TAIL_PATH) return;
    void authorize(req, authenticator).then(
      (tenant) => wss.handleUpgrade(req, socket, head, (ws) => {
          const s = store();
          if (s instanceof RemoteLogStore) proxyTail(ws, s.tailTarget(tenant, url.searchParams));
          else startTail(ws, url.searchParams, tenant, store);
        }),
      (e: unknown) => {
        const err = e instanceof IchigenError ? e : new IchigenError('UNAUTHENTICATED', 'authentication failed');
        socket.end(`HTTP/1.1 ${err.status} ${err.status === 401 ? 'Unauthorized' : 'Forbidden'}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${err.message}\n`);
      },
    );
  });
  app.addHook('onClose', async () => {
    for (const c of wss.clients) c.terminate();
    wss.close();
  });
  // A plain GET (no upgrade) gets Loki's answer: this endpoint needs a WebSocket.
  app.get(TAIL_PATH, { config: { scope: 'read' } }, async () => {
    throw new IchigenError('BAD_REQUEST', 'the tail endpoint needs a WebSocket upgrade');
  });
}

/**
 * With a remote Loki, the tail is the backend's own: a WebSocket to it whose messages are
 * relayed as they come; either side closing closes the other.
 */
function proxyTail(client: WebSocket, target: { url: string; headers: Record<string, string> }): void {
  const backend = new WebSocket(target.url, { headers: target.headers, handshakeTimeout: 10_000 });
  backend.on('message', (data, isBinary) => {
    if (client.readyState === WebSocket.OPEN) client.send(data, { binary: isBinary });
  });
  backend.on('close', (code, reason) => {
    if (client.readyState === WebSocket.OPEN) client.close(code === 1005 || code === 1006 ? 1011 : code, reason);
  });
  backend.on('error', (e) => {
    if (client.readyState === WebSocket.OPEN) client.close(1011, `log backend tail: ${e.message}`.slice(0, 120));
  });
  client.on('close', () => backend.terminate());
}

async function authorize(req: IncomingMessage, authenticator: Authenticator): Promise<string> {
  const result = await authenticator.authenticate({ headers: req.headers, ip: req.socket.remoteAddress ?? '' });
  if (!result) throw new IchigenError('UNAUTHENTICATED', 'authentication required');
  if (!hasScope(result.principal, 'read')) throw new IchigenError('FORBIDDEN', 'this credential lacks the "read" scope');
  const h = req.headers[TENANT_HEADER];
  return resolveTenant(result.principal, Array.isArray(h) ? h[0] : h);
}

function startTail(ws: WebSocket, params: URLSearchParams, tenant: string, store: () => LogStore): void {
  let unsubscribe: (() => void) | undefined;
  try {
    const expr = parseLogQL(params.get('query') ?? '');
    if (expr.kind !== 'log') throw new IchigenError('INVALID_PARAMETER', 'tail needs a log query');
    const pipeline = compilePipeline(expr);
    const limit = parseLimit(params.get('limit') ?? undefined, 100);
    const startNs = parseTime(params.get('start') ?? undefined, BigInt(Date.now() - 3_600_000) * 1_000_000n, 'start');
    const send = (items: TailItem[]): void => {
      const streams = new Map<string, { stream: Record<string, string>; values: Array<[string, string]> }>();
      for (const it of items) {
        const r = pipeline.run(it.line, it.ts, it.labels, it.meta);
        if (!r) continue;
        const labels = Object.fromEntries([...r.lb.all()].sort());
        const key = JSON.stringify(labels);
        let s = streams.get(key);
        if (!s) streams.set(key, (s = { stream: labels, values: [] }));
        s.values.push([String(it.ts), r.line]);
      }
      if (streams.size > 0 && ws.readyState === ws.OPEN) ws.send(JSON.stringify({ streams: [...streams.values()], dropped_entries: null }));
    };
    const s = store();
    const known = new Map<number, boolean>();
    const matches = (id: number): boolean => {
      let m = known.get(id);
      if (m === undefined) {
        m = s.allStreams(tenant, expr.matchers).some((x) => x.id === id);
        known.set(id, m);
      }
      return m;
    };
    unsubscribe = s.subscribe(tenant, (events) => {
      const mine = events.filter((e) => matches(e.stream.id));
      if (mine.length > 0) send(mine.map((e) => ({ labels: e.stream.labels, meta: e.entry.metadata, ts: e.entry.tsNs, line: e.entry.line })));
    });
    void s.select({ tenant, matchers: expr.matchers, startNs, endNs: BigInt(Date.now() + 1000) * 1_000_000n }).then((sel) => {
      const all = sel.flatMap((x) => x.entries.map((e) => ({ labels: x.stream.labels, meta: e.metadata, ts: e.tsNs, line: e.line })));
      all.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
      send(all.slice(Math.max(0, all.length - limit)));
    });
  } catch (e) {
    ws.close(1008, (e as Error).message.slice(0, 120));
    return;
  }
  ws.on('close', () => unsubscribe?.());
}
