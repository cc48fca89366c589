import { IchigenError, formatLabels } from '../../model/index.js';
import type { PushBatch, PushStream } from '../../receive/loki-push/index.js';
import type { LogLimits } from './log-limits.js';

/**
 * Loki's distributor checks, with its messages: refused entries are reported, the rest
 * are stored (Loki answers 400 naming the refused ones after storing the others).
 */
export function validatePush(batch: PushBatch, limits: LogLimits, nowMs: number): { batch: PushBatch; rejected: string[]; bytes: number; lines: number } {
  const rejected: string[] = [];
  const streams: PushStream[] = [];
  let bytes = 0;
  let lines = 0;
  const oldest = limits.rejectOlderThanMs > 0 ? BigInt(nowMs - limits.rejectOlderThanMs) * 1_000_000n : undefined;
  const newest = BigInt(nowMs + limits.creationGraceMs) * 1_000_000n;
  for (const s of batch.streams) {
    let formatted: string | undefined;
    const name = (): string => (formatted ??= formatLabels(s.labels));
    if (s.labels.length === 0) {
      rejected.push('error at least one label pair is required per stream');
      continue;
    }
    // Copied only once an entry is refused: a clean stream goes on as it came.
    let kept: PushStream['entries'] | undefined;
    for (let i = 0; i < s.entries.length; i++) {
      const e = s.entries[i]!;
      const len = Buffer.byteLength(e.line);
      let why: string | undefined;
      if (oldest !== undefined && e.tsNs < oldest) {
        why = `entry for stream '${name()}' has timestamp too old: ${iso(e.tsNs)}, oldest acceptable timestamp is: ${iso(oldest)}`;
      } else if (e.tsNs > newest) {
        why = `entry for stream '${name()}' has timestamp too new: ${iso(e.tsNs)}`;
      } else if (limits.maxLineBytes > 0 && len > limits.maxLineBytes) {
        why = `Max entry size '${limits.maxLineBytes}' bytes exceeded for stream '${name()}' while adding an entry with length '${len}' bytes`;
      }
      if (why !== undefined) {
        rejected.push(why);
        kept ??= s.entries.slice(0, i);
        continue;
      }
      kept?.push(e);
      bytes += len;
      lines++;
    }
    if (kept === undefined) streams.push(s);
    else if (kept.length > 0) streams.push({ labels: s.labels, entries: kept });
  }
  return { batch: { streams }, rejected, bytes, lines };
}

export function rateLimitError(tenant: string, limits: LogLimits, lines: number, bytes: number): IchigenError {
  return new IchigenError(
    'RATE_LIMITED',
    `Ingestion rate limit exceeded for user ${tenant} (limit: ${limits.ingestionRateBytes} bytes/sec) while attempting to ingest '${lines}' lines totaling '${bytes}' bytes, reduce log volume or contact your Loki administrator to see if the limit can be increased`,
    { retryAfterSeconds: 1 },
  );
}

export function streamLimitError(tenant: string, stream: string): IchigenError {
  return new IchigenError(
    'LIMIT_EXCEEDED',
    `Maximum active stream limit exceeded when trying to create stream ${stream}, reduce the number of active streams (reduce labels or reduce label values), or contact your Loki administrator to see if the limit can be increased, user: '${tenant}'`,
  );
}

function iso(ns: bigint): string {
  return new Date(Number(ns / 1_000_000n)).toISOString();
}
