import type { FastifyInstance } from 'fastify';
import { acceptRawBodies } from '../../http/index.js';
import { IchigenError, isValidLabelName, type Label } from '../../model/index.js';
import { parseJsonRecords, recordsToPush } from '../../receive/json-records/index.js';
import type { LogStore } from '../../store/logs/index.js';
import { addDetectedLevels } from './push-route.js';

type Query = Record<string, string | undefined>;

const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '');

function fixedLabels(v: string | undefined): Label[] {
  return list(v).map((pair) => {
    const eq = pair.indexOf('=');
    const name = eq > 0 ? pair.slice(0, eq).trim() : '';
    if (!isValidLabelName(name) || eq === pair.length - 1) throw new IchigenError('INVALID_PARAMETER', `labels: expected name=value pairs separated by commas, got "${pair}"`);
    return { name, value: pair.slice(eq + 1).trim() };
  });
}

/**
 * `POST /api/ichigen/v1/logs/push`: JSON log records from shippers that speak plain HTTP
 * (Fluent Bit's `http` output with `format json_lines`, `json` or `json_stream`). The query
 * string maps records to streams: `labels=k=v,…`, `label_keys=…`, `metadata_keys=…`,
 * `line_key=…`, `time_key=…` (default `date`, Fluent Bit's `json_date_key`). 204 once durable.
 * Register in its own plugin: it reads `application/json` raw (NDJSON is often sent with it).
 */
export function registerJsonRecordsRoute(app: FastifyInstance, store: () => LogStore, options: { readonly detectLevels: boolean }): void {
  app.removeContentTypeParser('application/json');
  acceptRawBodies(app, ['application/json', 'application/x-ndjson', 'application/jsonl', 'application/json-seq', 'text/plain']);
  app.post('/api/ichigen/v1/logs/push', { config: { scope: 'ingest' } }, async (request, reply) => {
    const q = (request.query ?? {}) as Query;
    const body = Buffer.isBuffer(request.body) ? request.body.toString('utf8') : '';
    const records = parseJsonRecords(body);
    const mapping = {
      labels: fixedLabels(q.labels),
      labelKeys: list(q.label_keys),
      metadataKeys: list(q.metadata_keys),
      lineKey: q.line_key === undefined || q.line_key === '' ? undefined : q.line_key,
      timeKey: q.time_key === undefined || q.time_key === '' ? 'date' : q.time_key,
    };
    const decoded = recordsToPush(records, mapping, () => BigInt(Date.now()) * 1_000_000n);
    const batch = options.detectLevels ? addDetectedLevels(decoded) : decoded;
    const outcome = await store().push(request.tenant, batch);
    if (outcome.rejected.length > 0) {
      throw new IchigenError('BAD_REQUEST', `${outcome.rejected.length} record(s) refused, ${outcome.accepted} stored: ${outcome.rejected.slice(0, 10).join('; ')}`);
    }
    return reply.status(204).send();
  });
}
