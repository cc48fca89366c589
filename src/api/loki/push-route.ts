import type { FastifyInstance, FastifyRequest } from 'fastify';
import { acceptRawBodies } from '../../http/index.js';
import { IchigenError } from '../../model/index.js';
import { withDetectedLevel } from '../../pipeline/index.js';
import { decodeJsonPush, decodeProtobufPush, type PushBatch } from '../../receive/loki-push/index.js';
import type { LogStore } from '../../store/logs/index.js';

/** Decodes a push body by its content type: JSON (gzip is undone by the HTTP layer) or snappy protobuf. */
export function decodePushBody(request: FastifyRequest): PushBatch {
  const ct = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  const body = request.body;
  if (ct === 'application/json') return decodeJsonPush(body);
  if (ct === 'application/x-protobuf' || ct === '' || ct === 'application/octet-stream') {
    if (!Buffer.isBuffer(body)) throw new IchigenError('INVALID_BODY', 'empty push body');
    const enc = (request.headers['content-encoding'] ?? '').toLowerCase();
    // Loki's protobuf push is snappy-compressed whatever Content-Encoding says; accept raw protobuf too.
    return decodeProtobufPush(body, enc !== 'identity-protobuf');
  }
  throw new IchigenError('UNSUPPORTED_MEDIA_TYPE', `unsupported Content-Type "${ct}" (use application/json or application/x-protobuf)`);
}

/** Every entry with a `detected_level` (Loki's discover_log_levels), for Logs Drilldown. */
export function addDetectedLevels(batch: PushBatch): PushBatch {
  return { streams: batch.streams.map((s) => ({ labels: s.labels, entries: s.entries.map((e) => ({ ...e, metadata: withDetectedLevel(s.labels, e.metadata, e.line) })) })) };
}

/** `POST /loki/api/v1/push`: 204 once every accepted entry is durable; 400 names refused entries. */
export function registerPushRoute(app: FastifyInstance, store: () => LogStore, options: { readonly detectLevels: boolean }): void {
  acceptRawBodies(app, ['application/x-protobuf', 'application/octet-stream']);
  for (const url of ['/loki/api/v1/push', '/api/prom/push']) {
    app.post(url, { config: { scope: 'ingest' } }, async (request, reply) => {
      const decoded = decodePushBody(request);
      const batch = options.detectLevels ? addDetectedLevels(decoded) : decoded;
      const outcome = await store().push(request.tenant, batch);
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
