import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { acceptRawBodies, toIchigenError } from '../../http/index.js';
import { IchigenError } from '../../model/index.js';
import { encodeExportResponse, type OtlpEncoding, type OtlpSignal } from '../../receive/otlp/index.js';
import type { OtlpIngest } from './otlp-ingest.js';
import { encodeRpcStatus } from './rpc-status.js';

const PROTOBUF_TYPES = ['application/x-protobuf', 'application/protobuf'];
const SIGNALS: readonly OtlpSignal[] = ['traces', 'metrics', 'logs'];
/** Paths per signal: the OTLP default, and Loki's `/otlp/v1/logs` so a Loki OTLP endpoint setting works unchanged. */
const PATHS: Record<OtlpSignal, readonly string[]> = { traces: ['/v1/traces'], metrics: ['/v1/metrics'], logs: ['/v1/logs', '/otlp/v1/logs'] };

function encodingOf(request: FastifyRequest): OtlpEncoding | undefined {
  const ct = (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (PROTOBUF_TYPES.includes(ct)) return 'protobuf';
  if (ct === 'application/json') return 'json';
  return undefined;
}

function contentType(encoding: OtlpEncoding): string {
  return encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json';
}

/**
 * OTLP/HTTP (spec 1.x): POST /v1/{traces,metrics,logs} (and /otlp/v1/logs), protobuf or JSON, gzip allowed.
 * Success is 200 with an Export*ServiceResponse in the request's encoding (partial_success
 * when a sink refused some items); errors carry a google.rpc.Status in the same encoding,
 * with 429/503 + Retry-After for what a sender should retry. Register inside its own plugin.
 */
export function registerOtlpHttpRoutes(app: FastifyInstance, ingest: OtlpIngest, transport: string): void {
  acceptRawBodies(app, PROTOBUF_TYPES);
  // Raw JSON too: the decoder reports OTLP-specific problems, and 64-bit ints as strings stay exact.
  app.removeContentTypeParser('application/json');
  acceptRawBodies(app, ['application/json']);
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.setErrorHandler((err, request, reply) => sendError(err, request, reply));

  for (const signal of SIGNALS) {
    for (const url of PATHS[signal]) {
      app.post(url, { config: { scope: 'ingest' } }, async (request, reply) => {
        const encoding = encodingOf(request);
        if (encoding === undefined) {
          throw new IchigenError(
            'UNSUPPORTED_MEDIA_TYPE',
            `unsupported Content-Type "${request.headers['content-type'] ?? ''}" for OTLP: use application/x-protobuf or application/json`,
          );
        }
        const body = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const result = await ingest.export(signal, request.tenant, body, encoding, transport);
        return reply.status(200).type(contentType(encoding)).send(encodeExportResponse(signal, encoding, result));
      });
    }
  }
}

function sendError(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const e = toIchigenError(err);
  if (e.status >= 500) request.log.error({ err: e.cause ?? err, code: e.code }, e.message);
  const encoding = encodingOf(request) ?? 'json';
  if (e.retryAfterSeconds !== undefined) void reply.header('retry-after', String(e.retryAfterSeconds));
  else if (e.status === 429 || e.status === 503) void reply.header('retry-after', '5');
  void reply
    .status(e.status)
    .type(contentType(encoding))
    .send(encodeRpcStatus(e, encoding));
}
