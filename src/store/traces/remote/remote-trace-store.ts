import { decodeOtlpRequest, encodeTracesProto, otlpTypes, type OtlpRawBody, type OtlpTraces } from '../../../receive/otlp/index.js';
import { flattenTraces, type StoredSpan } from '../stored-span.js';
import type { NsRange, TraceCandidatesOptions, TraceStore } from '../trace-store.js';
import { backendCall, backendError, queryString, type BackendAnswer } from '../../remote-backend/index.js';
import type { RemoteTraceStoreOptions } from './remote-trace-options.js';

const BACKEND = 'trace backend';

const seconds = (ns: bigint, up: boolean): string => String((ns + (up ? 999_999_999n : 0n)) / 1_000_000_000n);

/**
 * The trace store on a backend of its own, so teams can scale out: spans are exported over
 * OTLP/HTTP protobuf to Tempo, Jaeger, Grafana Cloud Traces or any OTLP endpoint — answered
 * only once the backend took them, so durability is the backend's — and read back through the
 * Tempo HTTP API: trace by id here, and search, tags and TraceQL metrics passed through
 * unchanged by the API layer (`forward`), so they run on the backend's engine and answer
 * exactly as it does.
 */
export class RemoteTraceStore implements TraceStore {
  constructor(readonly options: RemoteTraceStoreOptions) {}

  async open(): Promise<void> {}
  async close(): Promise<void> {}

  private call(tenant: string, url: string, init?: RequestInit): Promise<Response> {
    return backendCall(this.options, BACKEND, tenant, url, init);
  }

  private url(path: string, params?: URLSearchParams): string {
    const q = params === undefined || [...params.keys()].length === 0 ? '' : `?${params.toString()}`;
    return `${this.options.queryUrl.replace(/\/$/, '')}${path}${q}`;
  }

  async append(tenant: string, traces: OtlpTraces, raw?: OtlpRawBody): Promise<{ rejected: number; message?: string }> {
    // A protobuf body goes out as it came in; anything else is encoded once.
    const res = await this.call(tenant, this.options.otlpUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf' },
      body: raw?.encoding === 'protobuf' ? raw.body : encodeTracesProto(traces),
    });
    if (!res.ok) throw await backendError(res, BACKEND, 'the OTLP export');
    const body = Buffer.from(await res.arrayBuffer());
    // OTLP partial success: the backend kept all but `rejectedSpans`.
    let partial: { rejectedSpans?: unknown; errorMessage?: unknown } | undefined;
    if (body.length > 0) {
      if ((res.headers.get('content-type') ?? '').includes('json')) partial = (JSON.parse(body.toString('utf8')) as { partialSuccess?: typeof partial }).partialSuccess;
      else partial = (otlpTypes.traceResponse.toObject(otlpTypes.traceResponse.decode(body), { longs: String }) as { partialSuccess?: typeof partial }).partialSuccess;
    }
    const rejected = Number(partial?.rejectedSpans ?? 0);
    if (rejected > 0) return { rejected, message: String(partial?.errorMessage ?? 'refused by the trace backend') };
    return { rejected: 0 };
  }

  async getTrace(tenant: string, traceId: string, range?: NsRange): Promise<StoredSpan[]> {
    const p = new URLSearchParams();
    if (range !== undefined) {
      p.set('start', seconds(range.startNs, false));
      p.set('end', seconds(range.endNs, true));
    }
    // v1 with protobuf: a TracesData on every Tempo version, 404 when absent.
    const res = await this.call(tenant, this.url(`/api/traces/${traceId}`, p), { headers: { accept: 'application/protobuf' } });
    if (res.status === 404) return [];
    if (!res.ok) throw await backendError(res, BACKEND, 'a trace by id');
    return flattenTraces(decodeOtlpRequest('traces', Buffer.from(await res.arrayBuffer()), 'protobuf'));
  }

  async getTraces(tenant: string, traceIds: readonly string[]): Promise<Map<string, StoredSpan[]>> {
    const out = new Map<string, StoredSpan[]>();
    const queue = [...traceIds];
    const worker = async (): Promise<void> => {
      for (let id = queue.shift(); id !== undefined; id = queue.shift()) {
        const spans = await this.getTrace(tenant, id);
        if (spans.length > 0) out.set(id, spans);
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
    return out;
  }

  /**
   * The backend's newest traces of the window (its search with an empty filter; the caller
   * evaluates its own query on them). The Tempo API forwards search itself, so this is only
   * for readers that need whole traces.
   */
  async *candidates(tenant: string, o: TraceCandidatesOptions): AsyncGenerator<string[]> {
    const p = new URLSearchParams({ q: '{}', start: seconds(o.range.startNs, false), end: seconds(o.range.endNs, true), limit: '1000', spss: '1' });
    const res = await this.call(tenant, this.url('/api/search', p));
    if (!res.ok) throw await backendError(res, BACKEND, 'a search');
    const body = (await res.json()) as { traces?: Array<{ traceID: string }> };
    yield (body.traces ?? []).map((t) => t.traceID.toLowerCase().padStart(32, '0'));
  }

  /** A Tempo API GET passed to the backend and its answer returned unchanged. */
  async forward(tenant: string, path: string, query: Record<string, string | string[] | undefined>): Promise<BackendAnswer> {
    const res = await this.call(tenant, `${this.options.queryUrl.replace(/\/$/, '')}${path}${queryString(query)}`, { headers: { accept: 'application/json' } });
    return { status: res.status, contentType: res.headers.get('content-type') ?? 'application/json', body: Buffer.from(await res.arrayBuffer()) };
  }
}
