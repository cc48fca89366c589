import type { FastifyInstance } from 'fastify';
import { acceptRawBodies } from '../../http/index.js';
import { IchigenError } from '../../model/index.js';
import { decodeWriteRequest, uncompressSnappyBlock } from '../../receive/remote-write/index.js';
import type { MetricStore } from '../../store/index.js';

export interface RemoteWriteRouteOptions {
  readonly store: MetricStore;
  /** Largest body after snappy decompression. */
  readonly maxUncompressedBytes: number;
  readonly maxSeriesPerRequest: number;
}

const RW2_PROTO = 'io.prometheus.write.v2.request';

/**
 * `POST /api/v1/write`: Prometheus remote write 1.0. The answer is 204 only once every
 * accepted sample is in the write-ahead log (fsynced); 400 means "do not retry" and names
 * the series and the problem; 429 with Retry-After means over a limit, retry later; 5xx is
 * retryable. Must be registered inside an encapsulated plugin (raw body parser).
 */
export function registerRemoteWriteRoute(app: FastifyInstance, opts: RemoteWriteRouteOptions): void {
  acceptRawBodies(app, ['application/x-protobuf', 'application/octet-stream', 'application/protobuf']);
  app.post('/api/v1/write', { config: { scope: 'ingest' } }, async (request, reply) => {
    const contentType = String(request.headers['content-type'] ?? '').toLowerCase();
    if (contentType.includes('proto=') && contentType.replace(/\s/g, '').includes(`proto=${RW2_PROTO}`)) {
      throw new IchigenError('UNSUPPORTED_MEDIA_TYPE', `remote write 2.0 (${RW2_PROTO}) is not supported yet; configure the sender for remote write 1.0 (prometheus.WriteRequest)`);
    }
    const body = request.body;
    if (!Buffer.isBuffer(body)) throw new IchigenError('UNSUPPORTED_MEDIA_TYPE', 'remote write needs Content-Type: application/x-protobuf with a snappy-compressed body');
    const raw = uncompressSnappyBlock(body, opts.maxUncompressedBytes);
    const decoded = decodeWriteRequest(raw);
    if (decoded.series.length > opts.maxSeriesPerRequest) {
      throw new IchigenError('INVALID_BODY', `the request has ${decoded.series.length} series, over the limit of ${opts.maxSeriesPerRequest} per request; send smaller batches`);
    }
    if (decoded.series.length > 0 || decoded.metadata.length > 0) {
      await opts.store.append(request.tenant, { series: decoded.series, metadata: decoded.metadata });
    }
    return reply.status(204).send();
  });
}
