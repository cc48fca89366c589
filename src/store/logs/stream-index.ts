import { compileMatcher, labelsKey, type LabelMatcher, type Labels } from '../../model/index.js';
import type { LogEntry } from '../../receive/loki-push/index.js';
import type { MemoryEntries } from './duplicates.js';
import type { StoredStream } from './log-store.js';

/** What the store keeps in memory about each stream: labels, time bounds, the unflushed head. */
export interface StreamState extends StoredStream {
  readonly tenant: string;
  readonly key: string;
  minTs: bigint;
  maxTs: bigint;
  entries: number;
  bytes: number;
  /**
   * The newest timestamp seen and the entries at it (`keyAtTime`): exact duplicates are dropped
   * (as Loki does). One entry is the rule; the set exists only once a second one shares the time.
   */
  lastTs: bigint;
  lastKey: string | undefined;
  lastKeys: Set<string> | undefined;
  /** The newest timestamp the stream has in DuckDB: only entries at or before it can be there twice. */
  flushedMaxTs: bigint;
  /** Entries not yet flushed to DuckDB, in arrival order; `sorted` says if that is time order. */
  head: LogEntry[];
  /** The entries a flush in progress is writing (still in memory until it commits). */
  flushing: LogEntry[] | undefined;
  /** The entries in memory (flushing and head) by time, once an out-of-order entry needed it. */
  memory: MemoryEntries | undefined;
  sorted: boolean;
  dirty: boolean;
}

/** Streams per tenant, looked up by label set or by matchers. */
export class StreamIndex {
  private readonly byTenant = new Map<string, Map<string, StreamState>>();
  readonly byId = new Map<number, StreamState>();
  private nextId = 1;

  get size(): number {
    return this.byId.size;
  }

  countFor(tenant: string): number {
    return this.byTenant.get(tenant)?.size ?? 0;
  }

  get(tenant: string, labels: Labels): StreamState | undefined {
    return this.byTenant.get(tenant)?.get(this.keyOf(labels));
  }

  /** Receivers share label arrays between requests (decode caches them): key them once. */
  private readonly keys = new WeakMap<Labels, string>();

  private keyOf(labels: Labels): string {
    let k = this.keys.get(labels);
    if (k === undefined) this.keys.set(labels, (k = labelsKey(labels)));
    return k;
  }

  create(tenant: string, labels: Labels, id = this.nextId): StreamState {
    const key = this.keyOf(labels);
    const s: StreamState = {
      id,
      tenant,
      labels,
      key,
      minTs: BigInt(Number.MAX_SAFE_INTEGER) * 1_000_000_000n,
      maxTs: -1n,
      entries: 0,
      bytes: 0,
      lastTs: -1n,
      lastKey: undefined,
      lastKeys: undefined,
      flushedMaxTs: -1n,
      head: [],
      flushing: undefined,
      memory: undefined,
      sorted: true,
      dirty: true,
    };
    this.nextId = Math.max(this.nextId, id + 1);
    let t = this.byTenant.get(tenant);
    if (!t) {
      t = new Map();
      this.byTenant.set(tenant, t);
    }
    t.set(key, s);
    this.byId.set(id, s);
    return s;
  }

  /** Streams of a tenant whose labels match every matcher. */
  match(tenant: string, matchers: readonly LabelMatcher[]): StreamState[] {
    const t = this.byTenant.get(tenant);
    if (!t) return [];
    const preds = matchers.map((m) => ({ name: m.name, test: compileMatcher(m) }));
    const out: StreamState[] = [];
    outer: for (const s of t.values()) {
      for (const p of preds) {
        let v = '';
        for (const l of s.labels) if (l.name === p.name) v = l.value;
        if (!p.test(v)) continue outer;
      }
      out.push(s);
    }
    return out;
  }

  /** Drops streams whose every entry is gone (after retention). */
  remove(s: StreamState): void {
    this.byTenant.get(s.tenant)?.delete(s.key);
    this.byId.delete(s.id);
  }
}
