import { labelsFromRecord, type Exemplar, type Labels, type MetricMetadata } from '../../model/index.js';
import { anyValueToString, getAttribute, SPAN_KINDS, STATUS_CODES, type KeyValue, type OtlpSpan, type OtlpTraces } from '../../receive/otlp/index.js';
import type { Logger } from '../../self/index.js';
import type { MetricStore, SeriesAppend } from '../metrics/index.js';

/** Tempo's default latency buckets (seconds). */
export const DEFAULT_LATENCY_BUCKETS = [0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];

export interface SpanMetricsOptions {
  readonly store: MetricStore;
  readonly log: Logger;
  /** Write the current values this often (ms). */
  readonly intervalMs: number;
  /** Extra span/resource attributes turned into labels (dots become underscores). */
  readonly dimensions: readonly string[];
  /** How long a client or server span waits for its peer to form a service-graph edge (ms). */
  readonly edgeWaitMs?: number;
  readonly buckets?: readonly number[];
  readonly now?: () => number;
}

interface Histogram {
  readonly labels: Record<string, string>;
  readonly counts: number[];
  sum: number;
  count: number;
  /** The latest span's trace id, duration and time (updated in place: one per series, not one object per span). */
  exemplar: { traceId: string; value: number; timestamp: number } | undefined;
  touched: number;
}

interface Counter {
  readonly labels: Record<string, string>;
  value: number;
  touched: number;
}

interface RedSeries {
  readonly counter: Counter;
  readonly histogram: Histogram;
}

interface PendingEdge {
  readonly traceId: string;
  readonly service: string;
  readonly durationS: number;
  readonly failed: boolean;
  readonly expires: number;
}

/**
 * Edge halves waiting for their other half, by trace id and span id. Keyed by the span id
 * alone (a string the decoder already made: no key built per span) with the trace id checked;
 * the rare span id seen in two traces at once goes to a second map under both ids.
 */
class PendingEdges {
  private readonly bySpan = new Map<string, PendingEdge>();
  private readonly byBoth = new Map<string, PendingEdge>();

  get size(): number {
    return this.bySpan.size + this.byBoth.size;
  }

  /** Removes and returns the half waiting under these ids. */
  take(traceId: string, spanId: string): PendingEdge | undefined {
    const e = this.bySpan.get(spanId);
    if (e !== undefined && e.traceId === traceId) {
      this.bySpan.delete(spanId);
      return e;
    }
    if (this.byBoth.size === 0) return undefined;
    const k = `${traceId}/${spanId}`;
    const other = this.byBoth.get(k);
    if (other !== undefined) this.byBoth.delete(k);
    return other;
  }

  put(spanId: string, e: PendingEdge): void {
    const known = this.bySpan.get(spanId);
    if (known === undefined || known.traceId === e.traceId) this.bySpan.set(spanId, e);
    else this.byBoth.set(`${e.traceId}/${spanId}`, e);
  }

  expire(now: number): void {
    for (const m of [this.bySpan, this.byBoth]) for (const [k, p] of m) if (p.expires < now) m.delete(k);
  }
}

interface TenantState {
  readonly counters: Map<string, Counter>;
  readonly histograms: Map<string, Histogram>;
  /**
   * Without extra dimensions, a span's RED series by service, span name and kind × status:
   * service and name are strings the decoder reuses, so this finds them without building a
   * key per span. Emptied whenever a stale series is dropped (it must never hold one).
   */
  readonly red: Map<string, Map<string, Array<RedSeries | undefined>>>;
  /** Client (or producer) spans waiting for their server (consumer) child, by trace+span id. */
  readonly clients: PendingEdges;
  /** Server (consumer) spans waiting for their client parent, by trace+parent span id. */
  readonly servers: PendingEdges;
}

const STALE_AFTER_MS = 15 * 60_000;
const MAX_PENDING = 100_000;

const METADATA: MetricMetadata[] = [
  { metric: 'traces_spanmetrics_calls_total', type: 'counter', help: 'Spans by service, span name, kind and status (from traces).', unit: '' },
  { metric: 'traces_spanmetrics_latency', type: 'histogram', help: 'Span duration in seconds (from traces).', unit: 'seconds' },
  { metric: 'traces_service_graph_request_total', type: 'counter', help: 'Requests between two services (from traces).', unit: '' },
  { metric: 'traces_service_graph_request_failed_total', type: 'counter', help: 'Failed requests between two services (from traces).', unit: '' },
  { metric: 'traces_service_graph_request_server_seconds', type: 'histogram', help: 'Server-side duration of requests between two services.', unit: 'seconds' },
  { metric: 'traces_service_graph_request_client_seconds', type: 'histogram', help: 'Client-side duration of requests between two services.', unit: 'seconds' },
];

/** A series key from label values in a fixed order (no sort or JSON on the per-span path). */
const SEP = '\u0000';

/**
 * Metrics from spans, as Tempo's metrics generator makes them: RED metrics per service,
 * span name, kind and status, and service-graph edges (a client span and the server span
 * under it, or producer and consumer), written into the metric store every interval as
 * cumulative counters and histograms (with a trace-id exemplar per latency series), so
 * PromQL dashboards and alert rules work on traces.
 */
export class SpanMetricsGenerator {
  private readonly tenants = new Map<string, TenantState>();
  private timer: NodeJS.Timeout | undefined;
  private readonly buckets: readonly number[];
  private readonly now: () => number;

  constructor(private readonly o: SpanMetricsOptions) {
    this.buckets = o.buckets ?? DEFAULT_LATENCY_BUCKETS;
    this.now = o.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => void this.flush().catch((err: unknown) => this.o.log.warn({ err }, 'span metrics: write failed')), this.o.intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch((err: unknown) => this.o.log.warn({ err }, 'span metrics: final write failed'));
  }

  private state(tenant: string): TenantState {
    let s = this.tenants.get(tenant);
    if (!s) this.tenants.set(tenant, (s = { counters: new Map(), histograms: new Map(), red: new Map(), clients: new PendingEdges(), servers: new PendingEdges() }));
    return s;
  }

  /** `labels` is made only for a series not seen before. */
  private inc(st: TenantState, k: string, labels: () => Record<string, string>, by: number, now: number): void {
    let c = st.counters.get(k);
    if (!c) st.counters.set(k, (c = { labels: labels(), value: 0, touched: now }));
    c.value += by;
    c.touched = now;
  }

  private histogram(st: TenantState, k: string, labels: () => Record<string, string>, now: number): Histogram {
    let h = st.histograms.get(k);
    if (!h) st.histograms.set(k, (h = { labels: labels(), counts: new Array<number>(this.buckets.length).fill(0), sum: 0, count: 0, exemplar: undefined, touched: now }));
    return h;
  }

  private observe(st: TenantState, k: string, labels: () => Record<string, string>, seconds: number, now: number, traceId?: string): void {
    this.observeInto(this.histogram(st, k, labels, now), seconds, now, traceId);
  }

  private observeInto(h: Histogram, seconds: number, now: number, traceId?: string): void {
    for (let i = 0; i < this.buckets.length; i++) if (seconds <= this.buckets[i]!) h.counts[i]!++;
    h.sum += seconds;
    h.count++;
    h.touched = now;
    if (traceId !== undefined) {
      if (h.exemplar === undefined) h.exemplar = { traceId, value: seconds, timestamp: now };
      else {
        h.exemplar.traceId = traceId;
        h.exemplar.value = seconds;
        h.exemplar.timestamp = now;
      }
    }
  }

  /** Feeds the spans of one accepted request. */
  record(tenant: string, traces: OtlpTraces): void {
    const st = this.state(tenant);
    const now = this.now();
    for (const rs of traces.resourceSpans) {
      const sv = getAttribute(rs.resource.attributes, 'service.name');
      const service = sv?.type === 'string' ? sv.value : '';
      for (const ss of rs.scopeSpans) {
        for (const sp of ss.spans) {
          const seconds = Math.max(0, Number(sp.endTimeUnixNano - sp.startTimeUnixNano) / 1e9);
          const fast = this.o.dimensions.length === 0 && sp.kind < 8 && sp.status.code < 8;
          let series: RedSeries | undefined;
          if (fast) {
            let byName = st.red.get(service);
            if (!byName) st.red.set(service, (byName = new Map()));
            let slots = byName.get(sp.name);
            if (!slots) byName.set(sp.name, (slots = []));
            series = slots[sp.kind * 8 + sp.status.code] ??= this.redSeries(st, service, sp, rs.resource.attributes, now);
          } else series = this.redSeries(st, service, sp, rs.resource.attributes, now);
          series.counter.value++;
          series.counter.touched = now;
          this.observeInto(series.histogram, seconds, now, sp.traceId);
          if (sp.kind >= 2 && sp.kind <= 5) this.edge(st, sp, service, seconds, now);
        }
      }
    }
  }

  /** A span's calls counter and latency histogram (made when new). */
  private redSeries(st: TenantState, service: string, sp: OtlpSpan, resourceAttributes: readonly KeyValue[], now: number): RedSeries {
    let k = service + SEP + sp.name + SEP + sp.kind + SEP + sp.status.code;
    const dims: Array<[string, string]> = [];
    for (const d of this.o.dimensions) {
      const v = getAttribute(sp.attributes, d) ?? getAttribute(resourceAttributes, d);
      if (v === undefined) continue;
      const text = anyValueToString(v);
      dims.push([d.replace(/[^a-zA-Z0-9_]/g, '_'), text]);
      k += SEP + d + SEP + text;
    }
    const labels = (): Record<string, string> => {
      const l: Record<string, string> = {
        service,
        span_name: sp.name,
        span_kind: SPAN_KINDS[sp.kind] ?? 'SPAN_KIND_UNSPECIFIED',
        status_code: STATUS_CODES[sp.status.code] ?? 'STATUS_CODE_UNSET',
      };
      for (const [n, v] of dims) l[n] = v;
      return l;
    };
    let counter = st.counters.get(k);
    if (!counter) st.counters.set(k, (counter = { labels: { __name__: 'traces_spanmetrics_calls_total', ...labels() }, value: 0, touched: now }));
    return { counter, histogram: this.histogram(st, k, labels, now) };
  }

  private edge(st: TenantState, sp: OtlpSpan, service: string, seconds: number, now: number): void {
    const failed = sp.status.code === 2;
    const expires = now + (this.o.edgeWaitMs ?? 10_000);
    // client/producer → waits for its child server/consumer, and vice versa.
    if (sp.kind === 3 || sp.kind === 4) {
      const half = { traceId: sp.traceId, service, durationS: seconds, failed, expires };
      const server = st.servers.take(sp.traceId, sp.spanId);
      if (server) this.complete(st, half, server, now);
      else if (st.clients.size < MAX_PENDING) st.clients.put(sp.spanId, half);
    } else if ((sp.kind === 2 || sp.kind === 5) && sp.parentSpanId !== '') {
      const half = { traceId: sp.traceId, service, durationS: seconds, failed, expires };
      const client = st.clients.take(sp.traceId, sp.parentSpanId);
      if (client) this.complete(st, client, half, now);
      else if (st.servers.size < MAX_PENDING) st.servers.put(sp.parentSpanId, half);
    }
  }

  private complete(st: TenantState, client: PendingEdge, server: PendingEdge, now: number): void {
    const labels = { client: client.service, server: server.service };
    const k = `graph${SEP}${client.service}${SEP}${server.service}`;
    this.inc(st, `${k}${SEP}total`, () => ({ __name__: 'traces_service_graph_request_total', ...labels }), 1, now);
    // Always present, so rate() of failures works from the first request on.
    this.inc(st, `${k}${SEP}failed`, () => ({ __name__: 'traces_service_graph_request_failed_total', ...labels }), client.failed || server.failed ? 1 : 0, now);
    this.observe(st, `${k}${SEP}server`, () => ({ __name__: 'traces_service_graph_request_server_seconds', ...labels }), server.durationS, now);
    this.observe(st, `${k}${SEP}client`, () => ({ __name__: 'traces_service_graph_request_client_seconds', ...labels }), client.durationS, now);
  }

  /** Writes every live series' current value at `now`. */
  async flush(): Promise<void> {
    const now = this.now();
    for (const [tenant, st] of this.tenants) {
      st.clients.expire(now);
      st.servers.expire(now);
      const series: SeriesAppend[] = [];
      const point = (labels: Labels, value: number, exemplars?: Exemplar[]): void => {
        series.push({ labels, timestamps: Float64Array.of(now), values: Float64Array.of(value), ...(exemplars ? { exemplars } : {}) });
      };
      for (const [k, c] of st.counters) {
        if (now - c.touched > STALE_AFTER_MS) {
          st.counters.delete(k);
          st.red.clear();
        } else point(labelsFromRecord(c.labels), c.value);
      }
      for (const [k, h] of st.histograms) {
        if (now - h.touched > STALE_AFTER_MS) {
          st.histograms.delete(k);
          st.red.clear();
          continue;
        }
        const base = h.labels.__name__ ?? 'traces_spanmetrics_latency';
        const exemplar: Exemplar | undefined = h.exemplar && { labels: { trace_id: h.exemplar.traceId }, value: h.exemplar.value, timestamp: h.exemplar.timestamp };
        const rest = { ...h.labels };
        delete rest.__name__;
        for (let i = 0; i < this.buckets.length; i++) {
          const ex = exemplar && exemplar.value <= this.buckets[i]! && (i === 0 || exemplar.value > this.buckets[i - 1]!) ? [exemplar] : undefined;
          point(labelsFromRecord({ ...rest, __name__: `${base}_bucket`, le: String(this.buckets[i]) }), h.counts[i]!, ex);
        }
        point(labelsFromRecord({ ...rest, __name__: `${base}_bucket`, le: '+Inf' }), h.count, exemplar && exemplar.value > this.buckets.at(-1)! ? [exemplar] : undefined);
        point(labelsFromRecord({ ...rest, __name__: `${base}_sum` }), h.sum);
        point(labelsFromRecord({ ...rest, __name__: `${base}_count` }), h.count);
      }
      if (series.length > 0) await this.o.store.append(tenant, { series, metadata: METADATA });
    }
  }
}
