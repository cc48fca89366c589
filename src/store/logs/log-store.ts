import type { Labels, LabelMatcher } from '../../model/index.js';
import type { LogEntry, PushBatch } from '../../receive/loki-push/index.js';
import type { BackendAnswer } from '../remote-backend/index.js';
import type { PushSource } from './wal-record.js';

/** A stream as the store knows it. */
export interface StoredStream {
  readonly id: number;
  readonly labels: Labels;
}

/** Entries of one stream in ascending time order. */
export interface StreamEntries {
  readonly stream: StoredStream;
  readonly entries: LogEntry[];
}

export interface SelectRequest {
  readonly tenant: string;
  readonly matchers: readonly LabelMatcher[];
  /** Inclusive start, exclusive end, in nanoseconds. */
  readonly startNs: bigint;
  readonly endNs: bigint;
  /** Substrings every returned line must contain (case-sensitive): a pushdown hint, exact. */
  readonly mustContain?: readonly string[];
}

export interface StreamStats {
  readonly streams: number;
  readonly chunks: number;
  readonly bytes: number;
  readonly entries: number;
}

/** Outcome of a push: how many entries were stored, and why others were refused. */
export interface PushOutcome {
  readonly accepted: number;
  /** Loki-style messages for refused entries (too old, too long…); empty when all went in. */
  readonly rejected: string[];
}

/** A new entry seen live (for tail). */
export interface TailEvent {
  readonly stream: StoredStream;
  readonly entry: LogEntry;
}

/** A backend's answer passed through unchanged (remote stores). */
export type LogBackendAnswer = BackendAnswer;

/**
 * The log store contract: the embedded DuckDB store implements it, a remote (Loki) store can.
 * push() resolves only once the entries are durable.
 */
export interface LogStore {
  /** `source`: the body the batch was decoded from, when the caller has it (a store may log it as is). */
  push(tenant: string, batch: PushBatch, source?: PushSource): Promise<PushOutcome>;
  /** Streams matching the selector that have entries in [startNs, endNs). */
  series(tenant: string, matchers: readonly LabelMatcher[], startNs: bigint, endNs: bigint): Promise<StoredStream[]>;
  /** Every stream matching the selector, whatever the time (Loki's labels endpoints do this). */
  allStreams(tenant: string, matchers: readonly LabelMatcher[]): StoredStream[];
  /** Every matching entry, grouped by stream (streams by id, entries in time order); bounded by the store's entry limit. */
  select(req: SelectRequest): Promise<StreamEntries[]>;
  /**
   * The matching entries as a stream of runs, for reads of any size (memory stays at a run).
   * A stream may come in several runs; within a stream, runs and entries follow arrival order,
   * which is time order unless entries arrived out of order. Readers that need time order sort.
   */
  scan(req: SelectRequest): AsyncIterable<StreamEntries>;
  stats(tenant: string, matchers: readonly LabelMatcher[], startNs: bigint, endNs: bigint): Promise<StreamStats>;
  /** Bytes of line data per stream in [startNs, endNs), for index/volume. */
  volume(tenant: string, matchers: readonly LabelMatcher[], startNs: bigint, endNs: bigint, stepNs?: bigint): Promise<Array<{ stream: StoredStream; bucketNs: bigint; bytes: number; entries: number }>>;
  subscribe(tenant: string, listener: (events: TailEvent[]) => void): () => void;
  /**
   * Set when the store is a remote Loki: a Loki query API GET (path and query string) passed
   * to the backend, whose answer goes back unchanged (its engine runs the query).
   */
  forward?(tenant: string, path: string, query: Record<string, string | string[] | undefined>): Promise<LogBackendAnswer>;
}
