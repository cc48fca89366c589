import { Counter, type Registry } from 'prom-client';

/** What a store counts as one accepted item. */
export type IngestSignal = 'samples' | 'log_lines' | 'spans';

const NAME = 'ichigen_ingested_total';

/**
 * Items each store accepted and made durable, by signal: the overview's ingest rates come
 * from it (self-scraped, `rate(ichigen_ingested_total[5m])`). One counter per registry,
 * shared by the modules that write (get-or-create: each module asks for it on its own).
 */
export function ingestCounter(registry: Registry): Counter<'signal'> {
  const existing = registry.getSingleMetric(NAME) as Counter<'signal'> | undefined;
  if (existing) return existing;
  const c = new Counter({ name: NAME, help: 'Items accepted and made durable by a store, by signal (samples, log_lines, spans).', labelNames: ['signal'], registers: [registry] });
  // Present from the start (rate() needs two samples, the first may as well be a zero).
  for (const s of ['samples', 'log_lines', 'spans'] as const) c.inc({ signal: s }, 0);
  return c;
}

const REJECTED = 'ichigen_ingest_rejected_requests_total';

/**
 * Ingest requests answered with an error (auth, bad body, limits), by signal, on every
 * listener that takes telemetry in (main port, OTLP/HTTP 4318, OTLP/gRPC 4317): the overview
 * shows it next to the ingest rates. Get-or-create, like `ingestCounter`. At zero from the
 * start for every signal, so the first refusal already shows in rate().
 */
export function ingestRejectedCounter(registry: Registry): Counter<'signal'> {
  const existing = registry.getSingleMetric(REJECTED) as Counter<'signal'> | undefined;
  if (existing) return existing;
  const c = new Counter({ name: REJECTED, help: 'Ingest requests answered with an error (4xx or 5xx: auth, bad body, limits) on any ingest listener, by signal.', labelNames: ['signal'], registers: [registry] });
  for (const s of ['samples', 'log_lines', 'spans'] as const) c.inc({ signal: s }, 0);
  return c;
}
