import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { APP_API_PREFIX, parseWith } from '../http/index.js';
import { IchigenError } from '../model/index.js';
import { toEnvelope } from './envelope.js';
import type { EventBus } from './event-bus.js';
import type { EventStore, StoredEvent } from './event-store.js';
import { compileEventPattern } from './pattern/event-pattern.js';

const MAX_LIMIT = 1000;
/** A pattern filter reads at most this many stored events per request, then hands back a cursor. */
const MAX_PATTERN_SCAN = 20_000;

/** Accepts RFC 3339, or a number of seconds (≤ 1e11) or milliseconds since the epoch. */
function parseTime(name: string, v: string | undefined): number | undefined {
  if (v === undefined || v === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(v)) {
    const n = Number(v);
    return Math.abs(n) < 1e11 ? Math.round(n * 1000) : Math.round(n);
  }
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new IchigenError('INVALID_PARAMETER', `invalid parameter "${name}": expected RFC 3339 or epoch seconds/milliseconds, got "${v}"`);
  return t;
}

const searchQuery = z.object({
  source: z.string().max(256).optional(),
  detail_type: z.string().max(256).optional(),
  from: z.string().max(64).optional(),
  to: z.string().max(64).optional(),
  resource: z.string().max(2048).optional(),
  q: z.string().max(256).optional(),
  pattern: z.string().max(64 * 1024).optional(),
  before: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).default(100),
});

const putBody = z.object({
  entries: z
    .array(
      z.object({
        // Checked for every entry before any is stored: a refused entry stores nothing.
        id: z.string().min(1).max(256).refine((v) => !v.startsWith('ichigen:'), 'ids starting with "ichigen:" are reserved for Ichigen\'s own events').optional(),
        source: z.string().min(1).max(256).refine((v) => !v.startsWith('ichigen.'), 'sources starting with "ichigen." are reserved for Ichigen\'s own events'),
        detailType: z.string().min(1).max(256),
        resources: z.array(z.string().max(2048)).max(100).optional(),
        detail: z.record(z.unknown()).optional(),
        time: z.number().optional(),
      }),
    )
    .min(1)
    .max(100),
});

const testBody = z.object({ pattern: z.unknown(), event: z.record(z.unknown()) });

function eventJson(s: StoredEvent): Record<string, unknown> {
  return { seq: s.seq, receivedAt: new Date(s.receivedAt).toISOString(), ...toEnvelope(s.event) };
}

/** Search, publish and pattern testing on the event stream (Ichigen's own API). */
export function registerEventRoutes(app: FastifyInstance, store: EventStore, bus: EventBus): void {
  app.get(`${APP_API_PREFIX}/events`, async (req) => {
    const q = parseWith(searchQuery, req.query, 'query');
    const pattern = q.pattern === undefined ? undefined : compileEventPattern(q.pattern);
    const base = {
      tenant: req.tenant,
      ...(q.source !== undefined ? { source: q.source } : {}),
      ...(q.detail_type !== undefined ? { detailType: q.detail_type } : {}),
      ...(q.resource !== undefined ? { resource: q.resource } : {}),
      ...(q.q !== undefined ? { text: q.q } : {}),
    };
    const from = parseTime('from', q.from);
    const to = parseTime('to', q.to);
    const out: StoredEvent[] = [];
    let before = q.before;
    let scanned = 0;
    let more = true;
    // Without a pattern one query answers; with one, read pages until enough match or the scan bound.
    const pageSize = pattern === undefined ? q.limit : 500;
    while (more && out.length < q.limit && scanned < MAX_PATTERN_SCAN) {
      const page = await store.search({ ...base, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(before !== undefined ? { before } : {}), limit: pageSize });
      let i = 0;
      for (; i < page.length && out.length < q.limit; i++) {
        const s = page[i]!;
        before = s.seq;
        scanned++;
        if (pattern === undefined || pattern.matches(toEnvelope(s.event))) out.push(s);
      }
      more = i < page.length || page.length === pageSize;
    }
    const next = more && before !== undefined ? before : null;
    return { status: 'success', data: { events: out.map(eventJson), next } };
  });

  app.get(`${APP_API_PREFIX}/events/:id`, async (req) => {
    const { id } = parseWith(z.object({ id: z.string().min(1).max(256) }), req.params, 'path');
    const s = await store.get(req.tenant, id);
    if (s === undefined) throw new IchigenError('NOT_FOUND', `event "${id}" not found`);
    return { status: 'success', data: eventJson(s) };
  });

  app.post(`${APP_API_PREFIX}/events`, async (req, reply) => {
    const body = parseWith(putBody, req.body);
    const results = [];
    for (const e of body.entries) {
      const r = await bus.publish({ ...e, tenant: req.tenant, external: true });
      results.push({ id: r.event.id, stored: r.stored });
    }
    return reply.code(201).send({ status: 'success', data: { entries: results } });
  });

  app.post(`${APP_API_PREFIX}/events/test-pattern`, { config: { scope: 'read' } }, async (req) => {
    const body = parseWith(testBody, req.body);
    return { status: 'success', data: { result: compileEventPattern(body.pattern).matches(body.event) } };
  });
}
