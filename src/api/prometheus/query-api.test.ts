import { readdirSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFromRecord } from '../../model/index.js';
import { MemoryMetricStore, type MetricQuerier, type MetricStore } from '../../store/index.js';
import { httpTarget, prometheusTestApp } from '../../../test/support/promql-http-target.js';
import { loadScript, runEval } from '../../../test/support/promql-script.js';

const store = new MemoryMetricStore();
let app: FastifyInstance;

beforeAll(async () => {
  await store.append('default', {
    series: [
      { labels: labelsFromRecord({ __name__: 'up', job: 'api', instance: 'a:9100' }), timestamps: [0, 60_000, 120_000], values: Float64Array.from([1, 1, 0]) },
      {
        labels: labelsFromRecord({ __name__: 'req_total', job: 'api' }),
        timestamps: [0, 60_000, 120_000],
        values: Float64Array.from([0, 60, 120]),
        exemplars: [{ labels: { trace_id: 'abc' }, value: 60, timestamp: 60_000 }],
      },
    ],
  });
  app = await prometheusTestApp(store);
});
afterAll(async () => {
  await app.close();
});

async function get(url: string): Promise<{ status: number; body: Record<string, unknown>; text: string }> {
  const r = await app.inject({ method: 'GET', url });
  return { status: r.statusCode, body: r.json(), text: r.body };
}

describe('Prometheus query API over the memory store', () => {
  it("passes Grafana's health check 1+1", async () => {
    const r = await get('/api/v1/query?query=1%2B1&time=1435781451.781');
    expect(r.text).toBe('{"status":"success","data":{"resultType":"scalar","result":[1435781451.781,"2"]}}');
  });

  it('answers an instant vector exactly as Prometheus, by GET and form POST with RFC3339 time', async () => {
    const r = await get('/api/v1/query?query=up&time=120');
    expect(r.text).toBe('{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"up","instance":"a:9100","job":"api"},"value":[120,"0"]}]}}');
    const post = await app.inject({
      method: 'POST',
      url: '/api/v1/query',
      payload: 'query=up&time=1970-01-01T00:02:00Z',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(post.body).toBe(r.text);
  });

  it('answers range queries as matrices, NaN and Inf spelled like Prometheus', async () => {
    const r = await get('/api/v1/query_range?query=rate(req_total%5B2m%5D)&start=60&end=120&step=1m');
    expect(r.text).toBe('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"job":"api"},"values":[[60,"0.5"],[120,"1"]]}]}}');
    const nan = await get('/api/v1/query?query=0%2F0&time=1');
    expect(nan.text).toContain('[1,"NaN"]');
    const inf = await get('/api/v1/query_range?query=-1%2F0&start=0&end=1&step=1');
    expect(inf.text).toBe('{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[0,"-Inf"],[1,"-Inf"]]}]}}');
  });

  it.each([
    ['/api/v1/query?query=up&time=abc', 'invalid parameter "time": Invalid time value for \'time\': cannot parse "abc" to a valid timestamp'],
    ['/api/v1/query_range?query=1&start=10&end=5&step=1', 'invalid parameter "end": end timestamp must not be before start time'],
    ['/api/v1/query_range?query=1&start=0&end=100000&step=1', 'exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)'],
    ['/api/v1/query_range?query=1&start=0&end=10&step=0', 'invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer'],
    ['/api/v1/query_range?query=1&start=0&end=10&step=x', 'invalid parameter "step": cannot parse "x" to a valid duration'],
    ['/api/v1/query_range?query=1&start=0&end=10', 'invalid parameter "step": cannot parse "" to a valid duration'],
    ['/api/v1/query?query=1&timeout=x', 'invalid parameter "timeout": cannot parse "x" to a valid duration'],
    ['/api/v1/query?query=foo%7B', 'invalid parameter "query": 1:5: parse error: unexpected end of input inside braces'],
    ['/api/v1/query', 'invalid parameter "query": 1:1: parse error: no expression found in input'],
    ['/api/v1/query_range?query=up%5B5m%5D&start=0&end=10&step=1', 'invalid parameter "query": invalid expression type "range vector" for range query, must be Scalar or instant Vector'],
  ])('rejects bad input like Prometheus: %s', async (url, message) => {
    const r = await get(url);
    expect(r.status).toBe(400);
    expect(r.body).toMatchObject({ status: 'error', errorType: 'bad_data', error: message });
  });

  it('fails a query over the sample limit with 422 execution', async () => {
    const small = await prometheusTestApp(store, { maxSamples: 2 });
    const r = await small.inject({ method: 'GET', url: '/api/v1/query_range?query=up&start=0&end=120&step=1' });
    expect(r.statusCode).toBe(422);
    expect(r.json()).toMatchObject({ errorType: 'execution', error: 'query processing would load too many samples into memory in query execution' });
    await small.close();
  });

  it('refuses a subquery whose steps alone exceed the sample limit, and keeps serving', async () => {
    const r = await get(`/api/v1/query?query=${encodeURIComponent('max_over_time(up[100d:1ms])')}&time=120`);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ errorType: 'execution', error: 'query processing would load too many samples into memory in query execution' });
    expect((await get('/api/v1/query?query=1')).status).toBe(200);
  });

  it('times out with 503 timeout and keeps serving', async () => {
    const slow: MetricStore = Object.assign(Object.create(store) as MetricStore, {
      querier: (t: string): MetricQuerier => {
        const q = store.querier(t);
        return Object.assign(Object.create(q) as MetricQuerier, {
          async *select(...args: Parameters<MetricQuerier['select']>) {
            await new Promise((r) => setTimeout(r, 300));
            yield* q.select(...args);
          },
        });
      },
    });
    const a = await prometheusTestApp(slow);
    const r = await a.inject({ method: 'GET', url: '/api/v1/query?query=up&timeout=0.05' });
    expect(r.statusCode).toBe(503);
    expect(r.json()).toMatchObject({ errorType: 'timeout', error: 'query timed out in expression evaluation' });
    expect((await a.inject({ method: 'GET', url: '/api/v1/query?query=1' })).statusCode).toBe(200);
    await a.close();
  });

  it('returns execution errors as 422', async () => {
    const r = await get(`/api/v1/query?query=${encodeURIComponent('label_replace(up, "a", "b", "c", "(")')}&time=60`);
    expect(r.status).toBe(422);
    expect(r.body).toMatchObject({ errorType: 'execution', error: 'invalid regular expression in label_replace(): (' });
  });

  it('answers parse_query with the syntax tree as Prometheus documents it', async () => {
    const sel = (name: string) => ({ matchers: [{ name: '__name__', type: '=', value: name }], name, offset: 0, startOrEnd: null, timestamp: null, type: 'vectorSelector' });
    const r = await get('/api/v1/parse_query?query=foo/bar');
    expect(r.text).toBe(JSON.stringify({ status: 'success', data: { bool: false, lhs: sel('foo'), matching: { card: 'one-to-one', include: [], labels: [], on: false }, op: '/', rhs: sel('bar'), type: 'binaryExpr' } }));
    const q = 'sum by (job) (rate(x{a=~"b"}[5m] offset 1m)) > bool -1 or max_over_time(y[1h:1m] @ end())';
    const post = await app.inject({ method: 'POST', url: '/api/v1/parse_query', payload: `query=${encodeURIComponent(q)}`, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    const data = post.json<{ data: Record<string, unknown> }>().data;
    expect(data).toMatchObject({
      type: 'binaryExpr',
      op: 'or',
      matching: { card: 'many-to-many', labels: [], on: false, include: [] },
      lhs: {
        type: 'binaryExpr',
        op: '>',
        bool: true,
        matching: null,
        rhs: { type: 'numberLiteral', val: '-1' },
        lhs: {
          type: 'aggregation',
          op: 'sum',
          grouping: ['job'],
          without: false,
          param: null,
          expr: {
            type: 'call',
            func: { name: 'rate', argTypes: ['matrix'], variadic: 0, returnType: 'vector' },
            args: [{ type: 'matrixSelector', name: 'x', range: 300_000, offset: 60_000, timestamp: null, startOrEnd: null, matchers: [{ name: 'a', type: '=~', value: 'b' }, { name: '__name__', type: '=', value: 'x' }] }],
          },
        },
      },
      rhs: { type: 'call', args: [{ type: 'subquery', range: 3_600_000, step: 60_000, offset: 0, startOrEnd: 'end', timestamp: null, expr: sel('y') }] },
    });
    const bad = await get('/api/v1/parse_query?query=foo%7B');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ errorType: 'bad_data', error: 'invalid parameter "query": 1:5: parse error: unexpected end of input inside braces' });
  });

  it('serves exemplars of the selectors in a query', async () => {
    const r = await get('/api/v1/query_exemplars?query=rate(req_total%5B5m%5D)&start=0&end=200');
    expect(r.body).toEqual({
      status: 'success',
      data: [{ seriesLabels: { __name__: 'req_total', job: 'api' }, exemplars: [{ labels: { trace_id: 'abc' }, value: '60', timestamp: 60 }] }],
    });
  });
});

const DIR = path.resolve(import.meta.dirname, '../../../test/promql');

describe.each(readdirSync(DIR).filter((f) => f.endsWith('.promql')))('PromQL script %s through the HTTP API', (file) => {
  it('passes every eval', async () => {
    const target = httpTarget(() => new MemoryMetricStore());
    const failures: string[] = [];
    for (const cmd of loadScript(path.join(DIR, file))) {
      if (cmd.kind === 'clear') await target.clear();
      else if (cmd.kind === 'load') await target.load(cmd.batch);
      else if (cmd.kind === 'set') await target.setCompatibility(cmd.value as 'prometheus3' | 'prometheus2');
      else {
        const problem = await runEval(target, cmd);
        if (problem !== undefined) failures.push(`${file}:${cmd.line} ${cmd.query}\n    ${problem}`);
      }
    }
    await target.clear();
    expect(failures).toEqual([]);
  });
});
