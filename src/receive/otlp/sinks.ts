import type { OtlpEncoding, OtlpSignal, OtlpRequestBySignal } from './decode.js';

/** The request body as it arrived (a store may keep it instead of encoding the request again). */
export interface OtlpRawBody {
  readonly body: Buffer;
  readonly encoding: OtlpEncoding;
}

/** What a sink reports back: how many items it refused (partial success) and why. */
export interface OtlpSinkResult {
  readonly rejected: number;
  readonly message?: string;
}

/**
 * Accepts one decoded export request for a tenant. Resolve only once the data is durable;
 * throw an IchigenError to refuse the whole request (429/503 make senders retry).
 */
export type OtlpSink<S extends OtlpSignal> = (tenant: string, request: OtlpRequestBySignal[S], raw?: OtlpRawBody) => Promise<OtlpSinkResult>;

/**
 * Where the OTLP endpoints hand each signal. The module that owns a signal's store sets
 * its entry (in src/server/modules.ts); a signal without a sink is answered with an error.
 */
export interface OtlpSinks {
  metrics?: OtlpSink<'metrics'>;
  logs?: OtlpSink<'logs'>;
  traces?: OtlpSink<'traces'>;
}
