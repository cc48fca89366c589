import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STALE_NAN_HI, STALE_NAN_LO, isStaleAt, labelsFromRecord } from '../src/model/index.js';
import { encodeWriteRequest } from '../src/receive/remote-write/index.js';
import { startTestServer, type TestServer } from './support/server.js';
import { metricStoreOf, selectAll } from './support/metrics.js';
import { RW2_CONTENT_TYPE, buildRequestV2, encodeRequestV2 } from './support/remote-write-v2.js';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ config: { metrics: { max_series_per_request: 100 } } });
});
afterAll(async () => {
  await ts?.stop();
});

const T0 = Date.now() - 60_000;
const COUNTER = 1;
const HISTOGRAM = 3;

function post(body: Buffer, contentType = RW2_CONTENT_TYPE, extra: Record<string, string> = {}): Promise<Response> {
  return ts.fetch('/api/v1/write', {
    method: 'POST',
    headers: { 'content-type': contentType, 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '2.0.0', ...extra },
    body,
  });
}

function written(res: Response): Record<string, string | null> {
  return {
    samples: res.headers.get('x-prometheus-remote-write-samples-written'),
    histograms: res.headers.get('x-prometheus-remote-write-histograms-written'),
    exemplars: res.headers.get('x-prometheus-remote-write-exemplars-written'),
  };
}

async function errorOf(res: Response): Promise<string> {
  return ((await res.json()) as { error: string }).error;
}

const byName = (name: string) => [{ name: '__name__', type: '=' as const, value: name }];

describe('remote write 2.0 receiver', () => {
  it('resolves symbols, stores samples, metadata and exemplars, and reports what it wrote', async () => {
    // A staleness marker must survive the 2.0 path bit for bit, as in 1.0.
    const stale = new Float64Array(1);
    new Uint32Array(stale.buffer).set([STALE_NAN_LO, STALE_NAN_HI]);
    const msg = buildRequestV2([
      {
        labels: { __name__: 'rw2_requests_total', job: 'api', instance: 'a:1' },
        samples: [
          { value: 1, timestamp: T0 },
          { value: 3, timestamp: T0 + 1000 },
          { value: stale[0]!, timestamp: T0 + 2000 },
        ],
        exemplars: [{ labels: { trace_id: 'abc123' }, value: 2, timestamp: T0 + 500 }],
        metadata: { type: COUNTER, help: 'Requests served.', unit: '' },
      },
      {
        labels: { __name__: 'rw2_latency_seconds_bucket', job: 'api', le: '0.5' },
        samples: [{ value: 7, timestamp: T0 }],
        metadata: { type: HISTOGRAM, help: 'Latency.', unit: 'seconds' },
      },
      // Same label set again with another exemplar: 2.0 allows a series to repeat.
      { labels: { __name__: 'rw2_requests_total', job: 'api', instance: 'a:1' }, samples: [], exemplars: [{ labels: { trace_id: 'def456' }, value: 3, timestamp: T0 + 900 }] },
    ]);
    const res = await post(encodeRequestV2(msg));
    expect(res.status, await res.clone().text()).toBe(204);
    expect(written(res)).toEqual({ samples: '4', histograms: '0', exemplars: '2' });

    const store = metricStoreOf(ts.server);
    const got = await selectAll(store, 'default', byName('rw2_requests_total'));
    expect(got.map((s) => s.labels)).toEqual([labelsFromRecord({ __name__: 'rw2_requests_total', job: 'api', instance: 'a:1' })]);
    expect(Array.from(got[0]!.timestamps)).toEqual([T0, T0 + 1000, T0 + 2000]);
    expect(Array.from(got[0]!.values.subarray(0, 2))).toEqual([1, 3]);
    expect(isStaleAt(got[0]!.values, 2)).toBe(true);

    // Metadata per family: the histogram's `_bucket` series names the family `rw2_latency_seconds`.
    const meta = (await (await ts.fetch('/api/v1/metadata')).json()) as { data: Record<string, unknown> };
    expect(meta.data.rw2_requests_total).toEqual([{ type: 'counter', help: 'Requests served.', unit: '' }]);
    expect(meta.data.rw2_latency_seconds).toEqual([{ type: 'histogram', help: 'Latency.', unit: 'seconds' }]);

    const ex = (await (await ts.fetch(`/api/v1/query_exemplars?query=rw2_requests_total&start=${(T0 - 1000) / 1000}&end=${(T0 + 5000) / 1000}`)).json()) as { data: unknown };
    expect(ex.data).toEqual([
      {
        seriesLabels: { __name__: 'rw2_requests_total', instance: 'a:1', job: 'api' },
        exemplars: [
          { labels: { trace_id: 'abc123' }, value: '2', timestamp: (T0 + 500) / 1000 },
          { labels: { trace_id: 'def456' }, value: '3', timestamp: (T0 + 900) / 1000 },
        ],
      },
    ]);

    // A retry of the same request (the sender did not see the answer) is written already: 204, same counts.
    const again = await post(encodeRequestV2(msg));
    expect(again.status).toBe(204);
    expect(written(again).samples).toBe('4');
  });

  it('negotiates the message by Content-Type and refuses others with 415', async () => {
    const v1 = encodeWriteRequest([{ labels: labelsFromRecord({ __name__: 'rw2_v1_named' }), timestamps: [T0], values: Float64Array.of(1) }]);
    const named = await post(v1, 'application/x-protobuf;proto=prometheus.WriteRequest');
    expect(named.status).toBe(204);
    expect((await selectAll(metricStoreOf(ts.server), 'default', byName('rw2_v1_named'))).length).toBe(1);
    // Spaces and quoting as RFC 9110 allows.
    const spaced = await post(encodeRequestV2(buildRequestV2([{ labels: { __name__: 'rw2_spaced' }, samples: [{ value: 1, timestamp: T0 }] }])), 'application/x-protobuf; proto="io.prometheus.write.v2.Request"');
    expect(spaced.status).toBe(204);
    expect(written(spaced).samples).toBe('1');

    const unknown = await post(v1, 'application/x-protobuf;proto=io.prometheus.write.v3.Request');
    expect(unknown.status).toBe(415);
    expect((await errorOf(unknown))).toMatch(/io\.prometheus\.write\.v3\.Request.*prometheus\.WriteRequest.*io\.prometheus\.write\.v2\.Request/);
    const zstd = await post(v1, RW2_CONTENT_TYPE, { 'content-encoding': 'zstd' });
    expect(zstd.status).toBe(415);
  });

  it('writes float series and refuses native histograms with a 400 that counts both', async () => {
    const res = await post(
      encodeRequestV2(
        buildRequestV2([
          { labels: { __name__: 'rw2_float_ok', job: 'x' }, samples: [{ value: 1, timestamp: T0 }, { value: 2, timestamp: T0 + 1000 }] },
          { labels: { __name__: 'rw2_native', job: 'x' }, histograms: [{ count: 5, sum: 9, timestamp: T0 }] },
        ]),
      ),
    );
    expect(res.status).toBe(400);
    expect(written(res)).toEqual({ samples: '2', histograms: '0', exemplars: '0' });
    expect((await errorOf(res))).toMatch(/series rw2_native\{job="x"\}: native histograms are not supported \(1 histogram samples refused\).*2 samples written/);
    const store = metricStoreOf(ts.server);
    expect((await selectAll(store, 'default', byName('rw2_float_ok')))[0]!.timestamps.length).toBe(2);
    expect((await selectAll(store, 'default', byName('rw2_native'))).length).toBe(0);
  });

  it('reports a partial write (out-of-order samples) in the Written headers', async () => {
    const first = await post(encodeRequestV2(buildRequestV2([{ labels: { __name__: 'rw2_ooo' }, samples: [{ value: 1, timestamp: T0 }] }])));
    expect(first.status).toBe(204);
    const res = await post(
      encodeRequestV2(
        buildRequestV2([
          { labels: { __name__: 'rw2_ooo' }, samples: [{ value: 0, timestamp: T0 - 3_600_000 }] },
          { labels: { __name__: 'rw2_ooo_other' }, samples: [{ value: 1, timestamp: T0 }], exemplars: [{ labels: { trace_id: 'x' }, value: 1, timestamp: T0 }] },
        ]),
      ),
    );
    expect(res.status).toBe(400);
    expect(written(res)).toEqual({ samples: '1', histograms: '0', exemplars: '1' });
    expect((await errorOf(res))).toMatch(/series rw2_ooo: out of order sample/);
  });

  it('refuses malformed requests whole with a 400 naming the problem', async () => {
    const ok = { labels: { __name__: 'rw2_bad_neighbour' }, samples: [{ value: 1, timestamp: T0 }] };
    const cases: Array<[string, Record<string, unknown>, RegExp]> = [
      ['reference past the table', { symbols: ['', '__name__', 'x'], timeseries: [{ labels_refs: [1, 7], samples: [{ value: 1, timestamp: T0 }] }] }, /references symbol 7, but the symbols table has 3 entries/],
      ['odd labels_refs', { symbols: ['', '__name__', 'x'], timeseries: [{ labels_refs: [1, 2, 1], samples: [{ value: 1, timestamp: T0 }] }] }, /odd number of references/],
      ['unsorted labels', { symbols: ['', '__name__', 'x', 'b', 'a'], timeseries: [{ labels_refs: [1, 2, 3, 2, 4, 2], samples: [{ value: 1, timestamp: T0 }] }] }, /not sorted/],
      ['no metric name', { symbols: ['', 'job', 'x'], timeseries: [{ labels_refs: [1, 2], samples: [{ value: 1, timestamp: T0 }] }] }, /no metric name/],
      [
        'samples and histograms in one series',
        buildRequestV2([{ labels: { __name__: 'rw2_mixed' }, samples: [{ value: 1, timestamp: T0 }], histograms: [{ count: 1, sum: 1, timestamp: T0 }] }]),
        /both samples and histograms/,
      ],
      ['too many series', buildRequestV2(Array.from({ length: 101 }, (_, i) => ({ labels: { __name__: `rw2_many_${i}` }, samples: [{ value: 1, timestamp: T0 }] }))), /101 series, over the limit of 100/],
    ];
    for (const [what, msg, error] of cases) {
      const m = msg as { timeseries: unknown[] };
      const res = await post(encodeRequestV2({ ...m, timeseries: [...m.timeseries] }));
      expect({ what, status: res.status }).toEqual({ what, status: 400 });
      expect((await errorOf(res)), what).toMatch(error);
    }
    const truncated = encodeRequestV2(buildRequestV2([ok])).subarray(0, 6);
    expect((await post(truncated)).status).toBe(400);
    // Nothing of the refused requests was stored, and the receiver keeps serving.
    const store = metricStoreOf(ts.server);
    expect((await selectAll(store, 'default', byName('x'))).length).toBe(0);
    expect((await post(encodeRequestV2(buildRequestV2([ok])))).status).toBe(204);
    expect((await selectAll(store, 'default', byName('rw2_bad_neighbour'))).length).toBe(1);
  });
});
