import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../src/model/index.js';
import { metricStoreOf } from './support/metrics.js';
import { startTestServer, type TestServer } from './support/server.js';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer();
});
afterAll(async () => {
  await ts.stop();
});

describe('Prometheus API: status and format endpoints', () => {
  it('answers buildinfo without features, so Grafana sees plain Prometheus', async () => {
    const res = await ts.fetch('/api/v1/status/buildinfo');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; data: Record<string, unknown> };
    expect(body.status).toBe('success');
    expect(body.data.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(body.data).not.toHaveProperty('features');
  });

  it('answers runtimeinfo and flags with Prometheus field names', async () => {
    const rt = (await (await ts.fetch('/api/v1/status/runtimeinfo')).json()) as { data: Record<string, unknown> };
    expect(Object.keys(rt.data)).toEqual(expect.arrayContaining(['startTime', 'CWD', 'reloadConfigSuccess', 'storageRetention', 'GOMAXPROCS']));
    const flags = (await (await ts.fetch('/api/v1/status/flags')).json()) as { data: Record<string, string> };
    expect(flags.data['query.lookback-delta']).toBe('5m');
    expect(flags.data['query.max-samples']).toBe('50000000');
  });

  it('formats queries by GET and form POST', async () => {
    const get = (await (await ts.fetch(`/api/v1/format_query?query=${encodeURIComponent('sum by(a)(rate(foo[5m]))')}`)).json()) as { data: string };
    expect(get.data).toBe('sum by (a) (rate(foo[5m]))');
    const post = await ts.fetch('/api/v1/format_query', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: 'foo   @   100' }).toString(),
    });
    expect(await post.json()).toEqual({ status: 'success', data: 'foo @ 100.000' });
  });

  it('returns parse errors as bad_data naming the query parameter', async () => {
    const res = await ts.fetch(`/api/v1/format_query?query=${encodeURIComponent('foo{')}`);
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, string>;
    expect(body.status).toBe('error');
    expect(body.errorType).toBe('bad_data');
    expect(body.error).toBe('invalid parameter "query": 1:5: parse error: unexpected end of input inside braces');
  });

  it('queries the embedded metric store through the running server, per tenant', async () => {
    const now = Math.floor(Date.now() / 60_000) * 60_000;
    const ts3 = [now - 120_000, now - 60_000, now];
    await metricStoreOf(ts.server).append('default', {
      series: [{ labels: labelsFromRecord({ __name__: 'e2e_requests_total', job: 'api' }), timestamps: Float64Array.from(ts3), values: Float64Array.from([0, 60, 120]) }],
    });
    const health = (await (await ts.fetch('/api/v1/query?query=1%2B1')).json()) as { data: { result: [number, string] } };
    expect(health.data.result[1]).toBe('2');
    const q = encodeURIComponent('sum by (job) (rate(e2e_requests_total[2m]))');
    const res = await ts.fetch(`/api/v1/query_range?query=${q}&start=${(now - 60_000) / 1000}&end=${now / 1000}&step=60`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 'success',
      data: { resultType: 'matrix', result: [{ metric: { job: 'api' }, values: [[(now - 60_000) / 1000, '0.5'], [now / 1000, '1']] }] },
    });
    const other = (await (await ts.fetch(`/api/v1/query?query=e2e_requests_total&time=${now / 1000}`, { headers: { 'X-Scope-OrgID': 'other' } })).json()) as {
      data: { result: unknown[] };
    };
    expect(other.data.result).toEqual([]);
  });

  it('needs authentication', async () => {
    const res = await fetch(`${ts.url}/api/v1/status/buildinfo`);
    expect(res.status).toBe(401);
  });
});
