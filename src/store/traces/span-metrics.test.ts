import { describe, expect, it } from 'vitest';
import type { OtlpSpan, OtlpTraces } from '../../receive/otlp/index.js';
import { getLabel } from '../../model/index.js';
import { createLogger } from '../../self/index.js';
import type { MetricStore, SeriesAppend } from '../metrics/index.js';
import { SpanMetricsGenerator } from './span-metrics.js';

const sp = (traceId: string, spanId: string, parentSpanId: string, kind: number, code = 0): OtlpSpan => ({
  traceId,
  spanId,
  parentSpanId,
  traceState: '',
  flags: 0,
  name: 'op',
  kind,
  startTimeUnixNano: 1_000_000_000n,
  endTimeUnixNano: 1_500_000_000n,
  attributes: [],
  droppedAttributesCount: 0,
  events: [],
  droppedEventsCount: 0,
  links: [],
  droppedLinksCount: 0,
  status: { code, message: '' },
});
const request = (service: string, spans: OtlpSpan[]): OtlpTraces => ({
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { type: 'string', value: service } }], droppedAttributesCount: 0 },
      schemaUrl: '',
      scopeSpans: [{ scope: { name: '', version: '', attributes: [], droppedAttributesCount: 0 }, schemaUrl: '', spans }],
    },
  ],
});

describe('SpanMetricsGenerator service graph', () => {
  it('pairs client and server spans by trace and span id, also when two traces use the same span ids at once', async () => {
    const written: SeriesAppend[] = [];
    const store = { append: async (_t: string, a: { series: readonly SeriesAppend[] }) => void written.push(...a.series) } as unknown as MetricStore;
    const g = new SpanMetricsGenerator({ store, log: createLogger({ level: 'silent' }), intervalMs: 60_000, dimensions: [], now: () => 1000 });
    const t1 = '1'.repeat(32);
    const t2 = '2'.repeat(32);
    const t3 = '3'.repeat(32);
    // Clients of three traces wait, two of them under the same span id.
    g.record('t', request('web', [sp(t1, '000000000000000a', '', 3), sp(t2, '000000000000000a', '', 3), sp(t3, '000000000000000b', '', 3, 2)]));
    // Their servers arrive later, in another order; one server has no client (never paired).
    g.record('t', request('api', [sp(t2, '00000000000000c2', '000000000000000a', 2), sp(t3, '00000000000000c3', '000000000000000b', 2), sp(t1, '00000000000000c1', '000000000000000a', 2), sp(t1, '00000000000000c4', '00000000000000ff', 2)]));
    await g.flush();
    const value = (name: string): number | undefined => {
      const s = written.find((x) => getLabel(x.labels, '__name__') === name && getLabel(x.labels, 'client') === 'web' && getLabel(x.labels, 'server') === 'api');
      return s?.values[0];
    };
    expect(value('traces_service_graph_request_total')).toBe(3);
    expect(value('traces_service_graph_request_failed_total')).toBe(1);
  });

  it('counts calls per service, name, kind and status, and starts a dropped stale series over', async () => {
    let written: SeriesAppend[] = [];
    let now = 1000;
    const store = { append: async (_t: string, a: { series: readonly SeriesAppend[] }) => void written.push(...a.series) } as unknown as MetricStore;
    const g = new SpanMetricsGenerator({ store, log: createLogger({ level: 'silent' }), intervalMs: 60_000, dimensions: [], now: () => now });
    const t = '1'.repeat(32);
    const calls = (kind: string, status: string): number | undefined =>
      written.find((x) => getLabel(x.labels, '__name__') === 'traces_spanmetrics_calls_total' && getLabel(x.labels, 'span_kind') === kind && getLabel(x.labels, 'status_code') === status)?.values[0];
    g.record('t', request('web', [sp(t, '0000000000000001', '', 2), sp(t, '0000000000000002', '', 2), sp(t, '0000000000000003', '', 2, 2), sp(t, '0000000000000004', '', 1)]));
    await g.flush();
    expect(calls('SPAN_KIND_SERVER', 'STATUS_CODE_UNSET')).toBe(2);
    expect(calls('SPAN_KIND_SERVER', 'STATUS_CODE_ERROR')).toBe(1);
    expect(calls('SPAN_KIND_INTERNAL', 'STATUS_CODE_UNSET')).toBe(1);
    // 16 minutes later the error series is stale (dropped); the others are fed again.
    now += 16 * 60_000;
    g.record('t', request('web', [sp(t, '0000000000000005', '', 2), sp(t, '0000000000000006', '', 1)]));
    written = [];
    await g.flush();
    expect(calls('SPAN_KIND_SERVER', 'STATUS_CODE_ERROR')).toBeUndefined();
    expect(calls('SPAN_KIND_SERVER', 'STATUS_CODE_UNSET')).toBe(3);
    // A span of the dropped series starts it over, and it is written again.
    g.record('t', request('web', [sp(t, '0000000000000007', '', 2, 2)]));
    written = [];
    await g.flush();
    expect(calls('SPAN_KIND_SERVER', 'STATUS_CODE_ERROR')).toBe(1);
  });
});
