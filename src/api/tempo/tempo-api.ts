import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { toIchigenError } from '../../http/index.js';
import type { TraceStore } from '../../store/index.js';
import { metricsQuery } from './metrics.js';
import { parseTraceId, rangeParam, param, type Query } from './params.js';
import { search } from './search.js';
import { tagNames, tagValues } from './tags.js';
import { encodeTraceByIdResponse, traceJson, traceProto } from './trace-by-id.js';

export interface TempoApiOptions {
  readonly store: TraceStore;
  readonly version: string;
  /** Most traces one metrics query reads (more fails), and one tag search reads (the newest). */
  readonly maxTraces: number;
  /** How long one search or metrics query may read. */
  readonly searchTimeoutMs: number;
}

function wantsProtobuf(request: FastifyRequest): boolean {
  return /application\/(x-)?protobuf/.test(String(request.headers.accept ?? ''));
}

/**
 * Tempo's HTTP API (the Grafana Tempo data source and Traces Drilldown use it unchanged).
 * Errors are plain text with the HTTP status, as Tempo answers them.
 */
export function registerTempoApi(app: FastifyInstance, o: TempoApiOptions): void {
  app.setErrorHandler((err, request, reply: FastifyReply) => {
    const e = toIchigenError(err);
    if (e.status >= 500) request.log.error({ err: e.cause ?? err, code: e.code }, e.message);
    if (e.retryAfterSeconds !== undefined) void reply.header('retry-after', String(e.retryAfterSeconds));
    void reply.status(e.status).type('text/plain; charset=utf-8').send(e.message);
  });
  const { store } = o;

  app.get('/api/echo', async (_req, reply) => reply.type('text/plain').send('echo\n'));
  app.get('/api/status/buildinfo', async () => ({
    version: o.version,
    revision: '',
    branch: '',
    buildUser: '',
    buildDate: '',
    goVersion: 'ichigen (Node.js ' + process.version + ')',
  }));

  const byId = (v2: boolean) => async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply) => {
    const id = parseTraceId(request.params.id);
    const q = request.query as Query;
    const range = param(q, 'start') !== undefined || param(q, 'end') !== undefined ? rangeParam(q) : undefined;
    const spans = await store.getTrace(request.tenant, id, range);
    const proto = wantsProtobuf(request);
    if (spans.length === 0 && !v2) return reply.status(404).type('text/plain').send(`trace not found: ${request.params.id}`);
    if (proto) return reply.type('application/protobuf').send(v2 ? encodeTraceByIdResponse(spans) : traceProto(spans));
    if (!v2) {
      const j = traceJson(spans) as { resourceSpans: unknown[] };
      return { batches: j.resourceSpans };
    }
    return { trace: spans.length === 0 ? {} : traceJson(spans) };
  };
  app.get('/api/traces/:id', byId(false));
  app.get('/api/v2/traces/:id', byId(true));

  // A store backed by a Tempo-compatible API answers these itself: passed through unchanged.
  const forwarded = <R extends FastifyRequest>(local: (request: R) => Promise<unknown>) => async (request: R, reply: FastifyReply) => {
    if (store.forward === undefined) return local(request);
    const a = await store.forward(request.tenant, request.url.split('?')[0]!, request.query as Query);
    return reply.status(a.status).type(a.contentType).send(a.body);
  };
  type TagRequest = FastifyRequest<{ Params: { tag: string } }>;
  app.get('/api/search', forwarded(async (request) => search(store, request.tenant, request.query as Query, { timeoutMs: o.searchTimeoutMs })));
  app.get('/api/search/tags', forwarded(async (request) => tagNames(store, request.tenant, request.query as Query, false, o.maxTraces)));
  app.get('/api/v2/search/tags', forwarded(async (request) => tagNames(store, request.tenant, request.query as Query, true, o.maxTraces)));
  app.get('/api/search/tag/:tag/values', forwarded(async (request: TagRequest) => tagValues(store, request.tenant, request.params.tag, request.query as Query, false, o.maxTraces)));
  app.get('/api/v2/search/tag/:tag/values', forwarded(async (request: TagRequest) => tagValues(store, request.tenant, request.params.tag, request.query as Query, true, o.maxTraces)));
  const limits = { maxTraces: o.maxTraces, timeoutMs: o.searchTimeoutMs };
  app.get('/api/metrics/query_range', forwarded(async (request) => metricsQuery(store, request.tenant, request.query as Query, false, limits)));
  app.get('/api/metrics/query', forwarded(async (request) => metricsQuery(store, request.tenant, request.query as Query, true, limits)));
}
