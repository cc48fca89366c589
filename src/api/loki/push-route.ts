import type { FastifyInstance, FastifyRequest } from 'fastify';
import { acceptRawBodies } from '../../http/index.js';
import { IchigenError } from '../../model/index.js';
import { withDetectedLevel } from '../../pipeline/index.js';
import { decodeJsonPush, decodeProtobufPush, type PushBatch } from '../../receive/loki-push/index.js';
import type { LogStore, PushSource } from '../../store/logs/index.js';

/**
 * Decodes a push body by its content type: JSON (gzip is undone by the HTTP layer) or snappy
 * protobuf. Also returns the body's bytes: the store logs them as they came when it accepts
 * every entry.
 */
export function decodePushBody(request: FastifyRequest): { batch: PushBatch; source?: PushSource } {
  const ct = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const body = request.body;
  if (ct === 'application/json') {
    if (!Buffer.isBuffer(body)) return { batch: decodeJsonPush(body) };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw new IchigenError('INVALID_BODY', `loghttp.PushRequest: invalid JSON body: ${(e as Error).message}`);
    }
    return { batch: decodeJsonPush(parsed), source: { format: 'loki-json', body } };
  }
  if (ct === 'application/x-protobuf' || ct === '' || ct === 'application/octet-stream') {
    if (!Buffer.isBuffer(body)) throw new IchigenError('INVALID_BODY', 'empty push body');
    const enc = (request.headers['content-encoding'] ?? '').toLowerCase();
    // Loki's protobuf push is snappy-compressed whatever Content-Encoding says; accept raw protobuf too.
    const snappy = enc !== 'identity-protobuf';
    return { batch: decodeProtobufPush(body, snappy), source: { format: snappy ? 'loki-protobuf-snappy' : 'loki-protobuf', body } };
  }
  throw new IchigenError('UNSUPPORTED_MEDIA_TYPE', `unsupported Content-Type "${ct}" (use application/json or application/x-protobuf)`);
}

/** Every entry with a `detected_level` (Loki's discover_log_levels), for Logs Drilldown. */
export function addDetectedLevels(batch: PushBatch): PushBatch {
  return { streams: batch.streams.map((s) => ({ labels: s.labels, entries: s.entries.map((e) => ({ ...e, metadata: withDetectedLevel(s.labels, e.metadata, e.line) })) })) };
}

/** `POST /loki/api/v1/push`: 204 once every accepted entry is durable; 400 names refused entries. */
export function registerPushRoute(app: FastifyInstance, store: () => LogStore, options: { readonly detectLevels: boolean }): void {
  // Its own scope: JSON arrives as bytes here (parsed by decodePushBody, kept for the log).
  void app.register(async (scope) => registerIn(scope, store, options));
}

function registerIn(app: FastifyInstance, store: () => LogStore, options: { readonly detectLevels: boolean }): void {
  app.removeContentTypeParser('application/json');
  acceptRawBodies(app, ['application/json', 'application/x-protobuf', 'application/octet-stream']);
  for (const url of ['/loki/api/v1/push', '/api/prom/push']) {
    app.post(url, { config: { scope: 'ingest' } }, async (request, reply) => {
      const decoded = decodePushBody(request);
      // Levels added at ingest are not in the body: such a batch is logged re-encoded.
      const outcome = options.detectLevels ? await store().push(request.tenant, addDetectedLevels(decoded.batch)) : await store().push(request.tenant, decoded.batch, decoded.source);
      if (outcome.rejected.length > 0) {
        const shown = outcome.rejected.slice(0, 10);
        const more = outcome.rejected.length - shown.length;
        const text = shown.join('\n') + (more > 0 ? `\nuser '${request.tenant}', total ignored: ${outcome.rejected.length} out of ${outcome.rejected.length + outcome.accepted}` : '');
        throw new IchigenError('BAD_REQUEST', text);
      }
      return reply.status(204).send();
    });
  }
}
