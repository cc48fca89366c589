import { IchigenError } from '../../model/index.js';
import { fastDecodeTraces } from './fast-traces.js';
import { readLogs, type OtlpLogs } from './logs.js';
import { readMetrics, type OtlpMetrics } from './metrics.js';
import { otlpTypes } from './schema.js';
import { readTraces, type OtlpTraces } from './traces.js';

export type OtlpSignal = 'traces' | 'metrics' | 'logs';
export type OtlpEncoding = 'protobuf' | 'json';

export interface OtlpRequestBySignal {
  traces: OtlpTraces;
  metrics: OtlpMetrics;
  logs: OtlpLogs;
}

const REQUEST_TYPES = { traces: otlpTypes.traceRequest, metrics: otlpTypes.metricsRequest, logs: otlpTypes.logsRequest } as const;
const READERS: { [S in OtlpSignal]: (root: unknown) => OtlpRequestBySignal[S] } = { traces: readTraces, metrics: readMetrics, logs: readLogs };

/**
 * Decodes an Export<Signal>ServiceRequest body (already decompressed) into the normalised
 * form. Garbage is an IchigenError 400 naming what is wrong and where.
 */
export function decodeOtlpRequest<S extends OtlpSignal>(signal: S, body: Buffer, encoding: OtlpEncoding): OtlpRequestBySignal[S] {
  if (signal === 'traces' && encoding === 'protobuf') {
    const fast = fastDecodeTraces(body);
    if (fast !== undefined) return fast as OtlpRequestBySignal[S];
  }
  let root: unknown;
  if (encoding === 'protobuf') {
    try {
      root = REQUEST_TYPES[signal].decode(body);
    } catch (e) {
      throw new IchigenError('INVALID_BODY', `cannot decode the OTLP ${signal} protobuf body: ${(e as Error).message}`);
    }
  } else {
    if (body.length === 0) {
      root = {};
    } else {
      try {
        root = JSON.parse(body.toString('utf8'));
      } catch (e) {
        throw new IchigenError('INVALID_BODY', `the OTLP/JSON ${signal} body is not valid JSON: ${(e as Error).message}`);
      }
    }
    if (typeof root !== 'object' || root === null || Array.isArray(root)) {
      throw new IchigenError('INVALID_BODY', `the OTLP/JSON ${signal} body must be a JSON object`);
    }
  }
  return READERS[signal](root);
}
