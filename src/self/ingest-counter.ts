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
