import type { OtlpSignal, OtlpRequestBySignal } from './decode.js';

/** What a sink reports back: how many items it refused (partial success) and why. */
export interface OtlpSinkResult {
  readonly rejected: number;
  readonly message?: string;
}

/**
 * Accepts one decoded export request for a tenant. Resolve only once the data is durable;
 * throw an IchigenError to refuse the whole request (429/503 make senders retry).
 */
export type OtlpSink<S extends OtlpSignal> = (tenant: string, request: OtlpRequestBySignal[S]) => Promise<OtlpSinkResult>;

/**
 * Where the OTLP endpoints hand each signal. The module that owns a signal's store sets
 * its entry (in src/server/modules.ts); a signal without a sink is answered with an error.
 */
export interface OtlpSinks {
  metrics?: OtlpSink<'metrics'>;
  logs?: OtlpSink<'logs'>;
  traces?: OtlpSink<'traces'>;
}
