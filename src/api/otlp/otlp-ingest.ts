import { IchigenError } from '../../model/index.js';
import type { Counter } from '../../self/index.js';
import {
  countDataPoints,
  countLogRecords,
  countSpans,
  decodeOtlpRequest,
  type OtlpEncoding,
  type OtlpRawBody,
  type OtlpRequestBySignal,
  type OtlpSignal,
  type OtlpSinkResult,
  type OtlpSinks,
} from '../../receive/otlp/index.js';

const COUNTERS: { [S in OtlpSignal]: (r: OtlpRequestBySignal[S]) => number } = { traces: countSpans, metrics: countDataPoints, logs: countLogRecords };
const NOUN: Record<OtlpSignal, string> = { traces: 'spans', metrics: 'data points', logs: 'log records' };

export interface OtlpIngestMetrics {
  readonly received: Counter<'signal' | 'transport'>;
  readonly rejected: Counter<'signal' | 'transport'>;
}

/**
 * The one path every transport (HTTP main port, HTTP 4318, gRPC 4317) takes: decode, hand
 * to the signal's sink, count. Throws IchigenError; each transport maps it to its statuses.
 */
export class OtlpIngest {
  constructor(
    private readonly sinks: OtlpSinks,
    private readonly metrics: OtlpIngestMetrics,
  ) {}

  async export(signal: OtlpSignal, tenant: string, body: Buffer, encoding: OtlpEncoding, transport: string): Promise<OtlpSinkResult> {
    const sink = this.sinks[signal] as ((tenant: string, r: OtlpRequestBySignal[OtlpSignal], raw: OtlpRawBody) => Promise<OtlpSinkResult>) | undefined;
    if (sink === undefined) {
      throw new IchigenError('NOT_FOUND', `this server does not accept OTLP ${signal}: no ${signal} store is enabled`);
    }
    const request = decodeOtlpRequest(signal, body, encoding);
    const total = (COUNTERS[signal] as (r: OtlpRequestBySignal[OtlpSignal]) => number)(request);
    if (total === 0) return { rejected: 0 };
    const result = await sink(tenant, request, { body, encoding });
    this.metrics.received.inc({ signal, transport }, total - result.rejected);
    if (result.rejected > 0) this.metrics.rejected.inc({ signal, transport }, result.rejected);
    return result;
  }

  static noun(signal: OtlpSignal): string {
    return NOUN[signal];
  }
}
