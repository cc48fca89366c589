import type { FastifyInstance } from 'fastify';
import { acceptRawBodies } from '../../http/index.js';
import { IchigenError } from '../../model/index.js';
import type { OtlpSink } from '../../receive/otlp/index.js';
import { decodeZipkinV2Json } from '../../receive/zipkin/index.js';

/**
 * `POST /api/v2/spans`: Zipkin v2 JSON (what Zipkin reporters and the OpenTelemetry Zipkin
 * exporters send), converted to OTLP and handed to the traces sink, so it is stored, searched
 * and turned into span metrics exactly like OTLP. 202 once durable, as Zipkin answers; 400
 * names the bad span; 415 for anything but JSON. Register inside an encapsulated plugin.
 */
export function registerZipkinRoute(app: FastifyInstance, sink: OtlpSink<'traces'>): void {
  app.removeContentTypeParser('application/json');
  acceptRawBodies(app, ['application/json']);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.post('/api/v2/spans', { config: { scope: 'ingest' } }, async (request, reply) => {
    const ct = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (ct !== 'application/json') {
      throw new IchigenError('UNSUPPORTED_MEDIA_TYPE', `unsupported Content-Type "${request.headers['content-type'] ?? ''}" for Zipkin spans: send Zipkin v2 JSON as application/json`);
    }
    const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
    const traces = decodeZipkinV2Json(body);
    if (traces.resourceSpans.length > 0) {
      const result = await sink(request.tenant, traces);
      if (result.rejected > 0) throw new IchigenError('INVALID_BODY', result.message ?? `${result.rejected} spans were refused`);
    }
    return reply.status(202).send();
  });
}
