import { IchigenError } from '../../model/index.js';
import { translateOtlpLogs, type OtlpLogsOptions } from '../../pipeline/index.js';
import type { OtlpSink } from '../../receive/otlp/index.js';
import type { LogStore } from '../../store/logs/index.js';

/**
 * OTLP logs into the log store, mapped as Loki maps them. Entries the store refuses (too old,
 * too long) are an OTLP partial success naming them; when it refuses every entry the request
 * is bad input (400), so a sender does not take a silent drop for success.
 */
export function otlpLogsSink(store: () => LogStore, options: Omit<OtlpLogsOptions, 'nowNs'>): OtlpSink<'logs'> {
  const translate: OtlpLogsOptions = { ...options, nowNs: () => BigInt(Date.now()) * 1_000_000n };
  return async (tenant, request) => {
    const batch = translateOtlpLogs(request, translate);
    const outcome = await store().push(tenant, batch);
    if (outcome.rejected.length === 0) return { rejected: 0 };
    const shown = outcome.rejected.slice(0, 10).join('\n');
    const more = outcome.rejected.length > 10 ? `\n(and ${outcome.rejected.length - 10} more)` : '';
    if (outcome.accepted === 0) throw new IchigenError('BAD_REQUEST', `no log record was accepted:\n${shown}${more}`);
    const total = batch.streams.reduce((n, s) => n + s.entries.length, 0);
    return { rejected: total - outcome.accepted, message: shown + more };
  };
}
