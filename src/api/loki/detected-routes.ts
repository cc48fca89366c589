import type { FastifyInstance, FastifyRequest } from 'fastify';
import { IchigenError } from '../../model/index.js';
import { detectFields, detectLabels, detectPatterns, detectedFieldValues, type DetectedFieldsRequest } from '../../query/logql/index.js';
import type { LogStore } from '../../store/logs/index.js';
import { forwardedToLoki } from './query-routes.js';
import { parseStep, parseTime, selectorOf } from './params.js';

const HOUR_NS = 3_600_000_000_000n;
/** Loki's max_entries_limit_per_query default: the most lines one detection may read. */
const MAX_LINE_LIMIT = 5000;
/** Lines one patterns request reads (the newest); older ones are not counted. */
const PATTERN_MAX_LINES = 200_000;

type Params = Record<string, string | string[] | undefined>;

function param(request: FastifyRequest, name: string): string | undefined {
  const q = (request.query ?? {}) as Params;
  const b = typeof request.body === 'object' && request.body !== null && !Buffer.isBuffer(request.body) ? (request.body as Params) : {};
  const v = b[name] ?? q[name];
  return Array.isArray(v) ? v[v.length - 1] : v;
}

function positiveInt(value: string | undefined, def: number, what: string): number {
  if (value === undefined || value === '') return def;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new IchigenError('INVALID_PARAMETER', `invalid ${what}: "${value}" is not an integer`);
  if (n <= 0) throw new IchigenError('INVALID_PARAMETER', 'limit must be a positive value');
  return n;
}

function detectionRequest(request: FastifyRequest): DetectedFieldsRequest {
  const query = param(request, 'query');
  if (!query) throw new IchigenError('INVALID_PARAMETER', 'query parameter is required: a stream selector such as {service_name="api"}');
  const nowNs = BigInt(Date.now()) * 1_000_000n;
  const endNs = parseTime(param(request, 'end'), nowNs, 'end');
  const startNs = parseTime(param(request, 'start'), endNs - HOUR_NS, 'start');
  if (endNs < startNs) throw new IchigenError('INVALID_PARAMETER', 'end timestamp must not be before or equal to start time');
  const lineLimit = positiveInt(param(request, 'line_limit'), 100, 'line_limit');
  if (lineLimit > MAX_LINE_LIMIT) throw new IchigenError('INVALID_PARAMETER', `max entries limit per query exceeded, limit > max_entries_limit_per_query (${lineLimit} > ${MAX_LINE_LIMIT})`);
  // `field_limit` is the older name Loki still reads.
  const limit = positiveInt(param(request, 'limit') ?? param(request, 'field_limit'), 1000, 'limit');
  return { tenant: request.tenant, query, startNs, endNs, lineLimit, limit };
}

/**
 * The endpoints Grafana's Logs Drilldown calls besides the query API, with Loki 3.4's
 * response shapes (Go's `omitempty`: empty lists are left out; `parsers` is null for
 * structured metadata).
 */
export function registerDetectedRoutes(app: FastifyInstance, store: () => LogStore): void {
  const both = (url: string, local: (request: FastifyRequest) => Promise<unknown>): void => {
    const handler = forwardedToLoki(store, local);
    app.get(url, { config: { scope: 'read' } }, handler);
    app.post(url, { config: { scope: 'read' } }, handler);
  };

  both('/loki/api/v1/detected_fields', async (request) => {
    const req = detectionRequest(request);
    const fields = await detectFields(store(), req);
    const out: Record<string, unknown> = {};
    if (fields.length > 0) out.fields = fields.map((f) => ({ label: f.label, type: f.type, cardinality: f.cardinality, parsers: f.parsers.length > 0 ? f.parsers : null }));
    out.limit = req.limit;
    return out;
  });

  both('/loki/api/v1/detected_field/:name/values', async (request) => {
    const req = detectionRequest(request);
    const values = await detectedFieldValues(store(), req, (request.params as { name: string }).name);
    return values.length > 0 ? { values, limit: req.limit } : { limit: req.limit };
  });

  both('/loki/api/v1/detected_labels', async (request) => {
    const query = param(request, 'query') ?? '';
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const endNs = parseTime(param(request, 'end'), nowNs, 'end');
    const startNs = parseTime(param(request, 'start'), endNs - HOUR_NS, 'start');
    const labels = await detectLabels(store(), request.tenant, query.trim() === '' || query.trim() === '{}' ? [] : selectorOf(query), startNs, endNs);
    return labels.length > 0 ? { detectedLabels: labels } : {};
  });

  both('/loki/api/v1/patterns', async (request) => {
    const query = param(request, 'query');
    if (!query) throw new IchigenError('INVALID_PARAMETER', 'query parameter is required: a stream selector such as {service_name="api"}');
    const nowNs = BigInt(Date.now()) * 1_000_000n;
    const endNs = parseTime(param(request, 'end'), nowNs, 'end');
    const startNs = parseTime(param(request, 'start'), endNs - HOUR_NS, 'start');
    if (endNs < startNs) throw new IchigenError('INVALID_PARAMETER', 'end timestamp must not be before or equal to start time');
    // Loki's default step: the range over 250, at least a second.
    const defaultStep = Math.max(1000, Math.floor(Number((endNs - startNs) / 1_000_000_000n) / 250) * 1000);
    const stepMs = parseStep(param(request, 'step'), 'step') ?? defaultStep;
    const data = await detectPatterns(store(), { tenant: request.tenant, query, startNs, endNs, stepMs, maxLines: PATTERN_MAX_LINES });
    return { status: 'success', data };
  });
}
