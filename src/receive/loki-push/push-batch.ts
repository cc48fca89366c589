import type { Labels } from '../../model/index.js';

/** One log entry: a nanosecond timestamp, the line, and its structured metadata. */
export interface LogEntry {
  readonly tsNs: bigint;
  readonly line: string;
  /** Structured metadata (sorted, unique names); empty when none. */
  readonly metadata: Labels;
}

/** Entries of one stream, as a sender grouped them. */
export interface PushStream {
  readonly labels: Labels;
  readonly entries: LogEntry[];
}

/** What every log receiver decodes into: Loki push, OTLP logs, Fluent Bit. */
export interface PushBatch {
  readonly streams: PushStream[];
}
