import type { FastifyInstance, FastifyReply } from 'fastify';
import { acceptRawBodies } from '../../http/index.js';
import { IchigenError } from '../../model/index.js';
import { LabelsInterner, decodeWriteRequest, decodeWriteRequestV2, uncompressSnappyBlock, type DecodedWriteRequest } from '../../receive/remote-write/index.js';
import { PartialWriteError, type AppendResult, type MetricStore } from '../../store/index.js';
import { remoteWriteMessage } from './remote-write-content-type.js';

export interface RemoteWriteRouteOptions {
  readonly store: MetricStore;
  /** Largest body after snappy decompression. */
  readonly maxUncompressedBytes: number;
  readonly maxSeriesPerRequest: number;
}

/**
 * `POST /api/v1/write`: Prometheus remote write 1.0 and 2.0, told apart by the
 * `Content-Type` `proto` parameter (415 for anything else). The answer is 204 only once
 * every accepted sample is in the write-ahead log (fsynced); 400 means "do not retry" and
 * names the series and the problem; 429 with Retry-After means over a limit, retry later;
 * 5xx is retryable. Remote write 2.0 answers carry the `X-Prometheus-Remote-Write-*-Written`
 * counts, on success and on a 400 alike. Must be registered inside an encapsulated plugin
 * (raw body parser).
 */
export function registerRemoteWriteRoute(app: FastifyInstance, opts: RemoteWriteRouteOptions): void {
  acceptRawBodies(app, ['application/x-protobuf', 'application/octet-stream', 'application/protobuf']);
  const interner = new LabelsInterner();
  app.post('/api/v1/write', { config: { scope: 'ingest' } }, async (request, reply) => {
    const version = remoteWriteMessage(request.headers['content-type'], request.headers['content-encoding']);
    const { appending, refused, histograms } = startWrite(request.body, version, request.tenant, interner, opts);
    let written: AppendResult = { samples: 0, exemplars: 0, metadata: 0 };
    let problem: string | undefined;
    try {
      if (appending) written = await appending;
    } catch (e) {
      if (!(e instanceof PartialWriteError)) throw e;
      written = e.written;
      problem = e.message;
    }
    if (version === 2) setWrittenHeaders(reply, written);
    if (refused.length > 0) {
      const more = refused.length > 3 ? `; and ${refused.length - 3} more series` : '';
      problem = [problem, `${refused.slice(0, 3).join('; ')}${more} (${histograms} histogram samples refused, ${written.samples} samples written)`].filter((x) => x !== undefined).join('; ');
    }
    if (problem !== undefined) throw new IchigenError('INVALID_BODY', problem);
    return reply.status(204).send();
  });
}

/**
 * Decodes and hands the request to the store, synchronously: the decoded series (an object
 * and two array views each) are garbage before the wait for the fsync starts. Kept alive
 * across it, those of every request in flight were promoted out of V8's young generation
 * at each scavenge (~3 MB at a time) and the heap grew in steps of ~100 MB.
 */
function startWrite(
  body: unknown,
  version: 1 | 2,
  tenant: string,
  interner: LabelsInterner,
  opts: RemoteWriteRouteOptions,
): { appending: Promise<AppendResult> | undefined; refused: string[]; histograms: number } {
  if (!Buffer.isBuffer(body)) throw new IchigenError('UNSUPPORTED_MEDIA_TYPE', 'remote write needs Content-Type: application/x-protobuf with a snappy-compressed body');
  const raw = uncompressSnappyBlock(body, opts.maxUncompressedBytes);
  const decoded: DecodedWriteRequest & { histograms?: number; refused?: string[] } = version === 2 ? decodeWriteRequestV2(raw) : decodeWriteRequest(raw, interner);
  const seriesCount = decoded.series.length + (decoded.refused?.length ?? 0);
  if (seriesCount > opts.maxSeriesPerRequest) {
    throw new IchigenError('INVALID_BODY', `the request has ${seriesCount} series, over the limit of ${opts.maxSeriesPerRequest} per request; send smaller batches`);
  }
  const appending = decoded.series.length > 0 || decoded.metadata.length > 0 ? opts.store.append(tenant, { series: decoded.series, metadata: decoded.metadata }) : undefined;
  return { appending, refused: decoded.refused ?? [], histograms: decoded.histograms ?? 0 };
}

/** Remote write 2.0: the precise counts written, so a sender can tell a partial write. */
function setWrittenHeaders(reply: FastifyReply, written: AppendResult): void {
  void reply.header('x-prometheus-remote-write-samples-written', String(written.samples));
  // Native histograms are never stored (see decodeWriteRequestV2).
  void reply.header('x-prometheus-remote-write-histograms-written', '0');
  void reply.header('x-prometheus-remote-write-exemplars-written', String(written.exemplars));
}
