import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  it('needs authentication', async () => {
    const res = await fetch(`${ts.url}/api/v1/status/buildinfo`);
    expect(res.status).toBe(401);
  });
});
