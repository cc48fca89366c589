import { IchigenError, type LabelMatcher } from '../../../model/index.js';
import type { PushBatch } from '../../../receive/loki-push/index.js';
import type { LogBackendAnswer, LogStore, PushOutcome, SelectRequest, StoredStream, StreamEntries, StreamStats, TailEvent } from '../log-store.js';
import { backendCall, backendError, queryString } from '../../remote-backend/index.js';
import type { RemoteLogStoreOptions } from './remote-log-options.js';

const BACKEND = 'log backend';

/** Loki push JSON of a batch: `[ts, line]`, or `[ts, line, {metadata}]` when the entry has structured metadata. */
export function lokiPushJson(batch: PushBatch): string {
  return JSON.stringify({
    streams: batch.streams.map((s) => ({
      stream: Object.fromEntries(s.labels.map((l) => [l.name, l.value])),
      values: s.entries.map((e) => (e.metadata.length > 0 ? [String(e.tsNs), e.line, Object.fromEntries(e.metadata.map((l) => [l.name, l.value]))] : [String(e.tsNs), e.line])),
    })),
  });
}

/**
 * The log store on a Loki of its own, so teams can scale out: pushes (Loki push, OTLP logs,
 * syslog, JSON records — all decoded and checked here first) go to Loki's push API and are
 * answered only once Loki took them, so durability is Loki's; the Loki query API is passed
 * to Loki unchanged (`forward`), so queries run on its engine and answer exactly as it does.
 * Reads below the query API (entry scans) are not offered: they would copy Loki's data here.
 */
export class RemoteLogStore implements LogStore {
  constructor(readonly options: RemoteLogStoreOptions) {}

  async push(tenant: string, batch: PushBatch): Promise<PushOutcome> {
    let n = 0;
    for (const s of batch.streams) n += s.entries.length;
    if (n === 0) return { accepted: 0, rejected: [] };
    const res = await backendCall(this.options, BACKEND, tenant, this.options.pushUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: lokiPushJson(batch) });
    if (!res.ok) throw await backendError(res, BACKEND, 'a push');
    return { accepted: n, rejected: [] };
  }

  /** A Loki query API request passed to the backend and its answer returned unchanged. */
  async forward(tenant: string, path: string, query: Record<string, string | string[] | undefined>): Promise<LogBackendAnswer> {
    const res = await backendCall(this.options, BACKEND, tenant, `${this.options.queryUrl.replace(/\/$/, '')}${path}${queryString(query)}`, { headers: { accept: 'application/json' } });
    return { status: res.status, contentType: res.headers.get('content-type') ?? 'application/json', body: Buffer.from(await res.arrayBuffer()) };
  }

  /** Where the backend's live tail is (ws: or wss:), with the headers a push would carry. */
  tailTarget(tenant: string, params: URLSearchParams): { url: string; headers: Record<string, string> } {
    const url = new URL(`${this.options.queryUrl.replace(/\/$/, '')}/loki/api/v1/tail`);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.search = params.toString();
    const headers: Record<string, string> = { 'user-agent': 'Ichigen' };
    if (this.options.authorization) headers.authorization = this.options.authorization;
    if (this.options.sendTenantHeader) headers['x-scope-orgid'] = tenant;
    return { url: url.toString(), headers };
  }

  private unsupported(what: string): IchigenError {
    return new IchigenError('BAD_REQUEST', `${what} is not available with logs.backend: remote (the Loki query API is passed to the backend)`);
  }

  series(): Promise<StoredStream[]> {
    return Promise.reject(this.unsupported('a stream listing below the query API'));
  }

  allStreams(_tenant: string, _matchers: readonly LabelMatcher[]): StoredStream[] {
    throw this.unsupported('a stream listing below the query API');
  }

  select(_req: SelectRequest): Promise<StreamEntries[]> {
    return Promise.reject(this.unsupported('reading entries below the query API'));
  }

  // eslint-disable-next-line require-yield
  async *scan(_req: SelectRequest): AsyncIterable<StreamEntries> {
    throw this.unsupported('reading entries below the query API');
  }

  stats(): Promise<StreamStats> {
    return Promise.reject(this.unsupported('index stats below the query API'));
  }

  volume(): Promise<Array<{ stream: StoredStream; bucketNs: bigint; bytes: number; entries: number }>> {
    return Promise.reject(this.unsupported('index volume below the query API'));
  }

  subscribe(_tenant: string, _listener: (events: TailEvent[]) => void): () => void {
    throw this.unsupported('live tail');
  }
}
