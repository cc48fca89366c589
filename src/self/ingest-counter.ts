import { Counter, type Registry } from 'prom-client';

/** What a store counts as one accepted item. */
export type IngestSignal = 'samples' | 'log_lines' | 'spans';

const SIGNALS: readonly IngestSignal[] = ['samples', 'log_lines', 'spans'];

/**
 * A counter by signal, created once per registry: several modules ask for the same one on
 * their own (get-or-create). At zero from the start for every signal, since rate() needs two
 * samples and the first may as well be a zero.
 */
function signalCounter(registry: Registry, name: string, help: string): Counter<'signal'> {
  const existing = registry.getSingleMetric(name) as Counter<'signal'> | undefined;
  if (existing) return existing;
  const c = new Counter({ name, help, labelNames: ['signal'], registers: [registry] });
  for (const s of SIGNALS) c.inc({ signal: s }, 0);
  return c;
}

/**
 * Items each store accepted and made durable, by signal: the overview's ingest rates come
 * from it (self-scraped, `rate(ichigen_ingested_total[5m])`).
 */
export function ingestCounter(registry: Registry): Counter<'signal'> {
  return signalCounter(registry, 'ichigen_ingested_total', 'Items accepted and made durable by a store, by signal (samples, log_lines, spans).');
}

/**
 * Ingest requests answered with an error (auth, bad body, limits), by signal, on every
 * listener that takes telemetry in (main port, OTLP/HTTP 4318, OTLP/gRPC 4317): the overview
 * shows it next to the ingest rates.
 */
export function ingestRejectedCounter(registry: Registry): Counter<'signal'> {
  return signalCounter(registry, 'ichigen_ingest_rejected_requests_total', 'Ingest requests answered with an error (4xx or 5xx: auth, bad body, limits) on any ingest listener, by signal.');
}
