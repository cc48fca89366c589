import { escapeLogqlString } from './logql-complete.js';
import type { LogLine } from './log-lines.js';

/** How far from the line the context looks (ns): a day each way. */
export const CONTEXT_WINDOW_NS = 24n * 3600n * 1_000_000_000n;

/**
 * The selector of the line's own stream. A query's answer labels its lines with the stream's
 * labels plus structured metadata and parsed labels, and those select nothing: only the names
 * the label index knows are kept.
 */
export function streamSelector(labels: Readonly<Record<string, string>>, indexed: ReadonlySet<string>): string {
  const parts = Object.keys(labels)
    .filter((k) => indexed.has(k))
    .sort()
    .map((k) => `${k}="${escapeLogqlString(labels[k]!)}"`);
  return `{${parts.join(', ')}}`;
}

export interface ContextRequest {
  readonly query: string;
  readonly start: string;
  readonly end: string;
  readonly limit: number;
  readonly direction: 'backward' | 'forward';
}

/**
 * The two Loki queries around a line (ns timestamps; Loki's end is exclusive): the `n` lines
 * before it, and the `n` after it, which starts at the line's own timestamp so lines sharing
 * it are kept (the line itself comes back too and is dropped by `mergeContext`).
 */
export function contextRequests(selector: string, tsNs: string, before: number, after: number): { before: ContextRequest; after: ContextRequest } {
  const ts = BigInt(tsNs);
  return {
    before: { query: selector, start: String(ts - CONTEXT_WINDOW_NS), end: tsNs, limit: before, direction: 'backward' },
    after: { query: selector, start: tsNs, end: String(ts + CONTEXT_WINDOW_NS), limit: after + 1, direction: 'forward' },
  };
}

/** Lines around the anchor, oldest first, and where the anchor sits among them. */
export function mergeContext(before: readonly LogLine[], anchor: LogLine, after: readonly LogLine[]): { lines: LogLine[]; anchorIndex: number } {
  const older = [...before].sort(byTime);
  const newer = [...after].sort(byTime);
  const self = newer.findIndex((l) => l.ts === anchor.ts && l.line === anchor.line);
  if (self >= 0) newer.splice(self, 1);
  return { lines: [...older, anchor, ...newer], anchorIndex: older.length };
}

function byTime(a: LogLine, b: LogLine): number {
  const x = BigInt(a.ts);
  const y = BigInt(b.ts);
  return x < y ? -1 : x > y ? 1 : 0;
}
