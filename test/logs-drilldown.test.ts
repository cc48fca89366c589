import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

let ts: TestServer;
const t0 = BigInt(Date.now() - 60_000) * 1_000_000n;
const at = (i: number): string => String(t0 + BigInt(i) * 1_000_000_000n);

beforeAll(async () => {
  // `all`: Loki pushes get detected_level too, as Loki's discover_log_levels does.
  ts = await startTestServer({ config: { logs: { discover_log_levels: 'all' } } });
  const streams = [
    {
      stream: { service_name: 'api', env: 'prod', pod: 'api-1' },
      values: [
        [at(1), 'level=info msg="request done" duration=12ms status=200 size=1.5KB', { trace_id: 'aaa' }],
        [at(2), 'level=warn msg="slow request" duration=1.2s status=200 size=3KB', { trace_id: 'bbb' }],
        [at(3), 'level=error msg="failed" duration=30ms status=500 size=0B', { trace_id: 'ccc' }],
      ],
    },
    {
      stream: { service_name: 'api', env: 'prod', pod: 'api-2' },
      values: [[at(4), '{"user":{"id":"u1"},"latency":0.25,"ok":true,"pod":"x"}']],
    },
    { stream: { service_name: 'web', env: 'prod', request_id: '123' }, values: [[at(5), 'GET /index.html [INFO]']] },
    { stream: { service_name: 'web', env: 'prod', request_id: '124' }, values: [[at(6), 'GET /about.html']] },
    {
      stream: { service_name: 'pat', env: 'dev' },
      values: [
        [at(10), 'level=info msg=login user=alice took=12ms'],
        [at(11), 'level=info msg=login user=bob took=3ms'],
        [at(40), 'level=info msg=login user=carol took=7ms'],
        [at(41), 'level=error msg=timeout upstream=db'],
      ],
    },
  ];
  const res = await ts.fetch('/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ streams }) });
  expect(res.status).toBe(204);
});
afterAll(async () => {
  await ts?.stop();
});

const range = (): string => `start=${t0 - 1_000_000_000n}&end=${t0 + 60_000_000_000n}`;
const q = (s: string): string => encodeURIComponent(s);

describe('Logs Drilldown endpoints (Loki 3.4 shapes)', () => {
  it('detected_fields: metadata and parsed fields with types, cardinality and parsers', async () => {
    const res = await ts.fetch(`/loki/api/v1/detected_fields?query=${q('{service_name="api"}')}&${range()}&line_limit=1000`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { fields: Array<{ label: string; type: string; cardinality: number; parsers: string[] | null }>; limit: number };
    expect(body.limit).toBe(1000);
    const by = Object.fromEntries(body.fields.map((f) => [f.label, f]));
    expect(by.trace_id).toEqual({ label: 'trace_id', type: 'string', cardinality: 3, parsers: null });
    expect(by.detected_level).toEqual({ label: 'detected_level', type: 'string', cardinality: 4, parsers: null });
    expect(by.duration).toEqual({ label: 'duration', type: 'duration', cardinality: 3, parsers: ['logfmt'] });
    expect(by.status).toEqual({ label: 'status', type: 'int', cardinality: 2, parsers: ['logfmt'] });
    expect(by.size).toEqual({ label: 'size', type: 'bytes', cardinality: 3, parsers: ['logfmt'] });
    expect(by.msg).toMatchObject({ type: 'string', cardinality: 3, parsers: ['logfmt'] });
    expect(by.user_id).toEqual({ label: 'user_id', type: 'string', cardinality: 1, parsers: ['json'] });
    expect(by.latency).toMatchObject({ type: 'float', parsers: ['json'] });
    expect(by.ok).toMatchObject({ type: 'boolean', parsers: ['json'] });
    // A JSON key that repeats a stream label is renamed, as the json parser does.
    expect(by.pod_extracted).toMatchObject({ parsers: ['json'] });
    expect(by.pod).toBeUndefined();
  });

  it('detected_fields honours line_limit, limit and the query pipeline', async () => {
    const newest = (await (await ts.fetch(`/loki/api/v1/detected_fields?query=${q('{service_name="api"}')}&${range()}&line_limit=1`)).json()) as { fields: Array<{ label: string }> };
    expect(newest.fields.map((f) => f.label).sort()).toEqual(['detected_level', 'latency', 'ok', 'pod_extracted', 'user_id']);
    const few = (await (await ts.fetch(`/loki/api/v1/detected_fields?query=${q('{service_name="api"}')}&${range()}&limit=2`)).json()) as { fields: unknown[]; limit: number };
    expect(few.fields).toHaveLength(2);
    expect(few.limit).toBe(2);
    const filtered = (await (await ts.fetch(`/loki/api/v1/detected_fields?query=${q('{service_name="api"} |= "failed"')}&${range()}`)).json()) as { fields: Array<{ label: string; cardinality: number }> };
    expect(filtered.fields.find((f) => f.label === 'status')!.cardinality).toBe(1);
    const none = (await (await ts.fetch(`/loki/api/v1/detected_fields?query=${q('{service_name="nobody"}')}&${range()}`)).json()) as Record<string, unknown>;
    expect(none).toEqual({ limit: 1000 });
  });

  it('detected_field/<name>/values lists the distinct values, newest first', async () => {
    const res = await ts.fetch(`/loki/api/v1/detected_field/status/values?query=${q('{service_name="api"}')}&${range()}`);
    expect(await res.json()).toEqual({ values: ['500', '200'], limit: 1000 });
    const meta = await ts.fetch(`/loki/api/v1/detected_field/trace_id/values?query=${q('{service_name="api"}')}&${range()}&limit=2`);
    expect(await meta.json()).toEqual({ values: ['ccc', 'bbb'], limit: 2 });
  });

  it('detected_labels: stream labels with cardinality, id-like labels left out', async () => {
    const all = await ts.fetch(`/loki/api/v1/detected_labels?query=&${range()}`);
    expect(await all.json()).toEqual({
      detectedLabels: [
        { label: 'env', cardinality: 2 },
        { label: 'pod', cardinality: 2 },
        { label: 'service_name', cardinality: 3 },
      ],
    });
    const web = await ts.fetch(`/loki/api/v1/detected_labels?query=${q('{service_name="web"}')}&${range()}`);
    expect(await web.json()).toEqual({ detectedLabels: [{ label: 'env', cardinality: 1 }, { label: 'service_name', cardinality: 1 }] });
  });

  it('patterns: lines grouped into templates with <_>, counted per step', async () => {
    const res = await ts.fetch(`/loki/api/v1/patterns?query=${q('{service_name="pat"}')}&${range()}&step=30s`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; data: Array<{ pattern: string; samples: Array<[number, number]> }> };
    expect(body.status).toBe('success');
    expect(body.data.map((p) => p.pattern)).toEqual(['level=info msg=login user=<_> took=<_>', 'level=error msg=timeout upstream=db']);
    const samples = body.data[0]!.samples;
    expect(samples.reduce((n, s) => n + s[1], 0)).toBe(3);
    for (const [t] of samples) expect(t % 30).toBe(0);
    expect(samples.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses bad requests with 400 and a message', async () => {
    const metric = await ts.fetch(`/loki/api/v1/detected_fields?query=${q('count_over_time({service_name="api"}[1m])')}&${range()}`);
    expect(metric.status).toBe(400);
    expect(await metric.text()).toMatch(/log query/);
    const tooMany = await ts.fetch(`/loki/api/v1/detected_fields?query=${q('{service_name="api"}')}&line_limit=100000`);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.text()).toMatch(/max entries limit per query exceeded/);
    const missing = await ts.fetch('/loki/api/v1/detected_fields');
    expect(missing.status).toBe(400);
    const negative = await ts.fetch(`/loki/api/v1/detected_fields?query=${q('{service_name="api"}')}&limit=-1`);
    expect(negative.status).toBe(400);
  });
});
