import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeProtobufPush } from '../src/receive/loki-push/index.js';
import { startTestServer, type TestServer } from './support/server.js';


let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ config: { logs: { ingestion_rate: '1GiB', ingestion_burst: '2GiB', max_query_series: 100 } } });
});
afterAll(async () => {
  await ts?.stop();
});

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

async function queryRange(q: string, startNs: bigint, endNs: bigint): Promise<{ data: { result: Array<{ stream: Record<string, string>; values: string[][] }> } }> {
  const res = await ts.fetch(`/loki/api/v1/query_range?query=${encodeURIComponent(q)}&start=${startNs}&end=${endNs}&limit=100`);
  expect(res.status).toBe(200);
  return (await res.json()) as never;
}

describe('logs: Loki push and query', () => {
  it('answers Grafana\'s health check vector(1)+vector(1) with 2', async () => {
    const res = await ts.fetch('/loki/api/v1/query?query=' + encodeURIComponent('vector(1)+vector(1)'));
    const body = (await res.json()) as { data: { resultType: string; result: Array<{ value: [number, string] }> } };
    expect(body.data.resultType).toBe('vector');
    expect(body.data.result[0]!.value[1]).toBe('2');
  });

  it('accepts JSON and snappy protobuf pushes with structured metadata', async () => {
    const t = nowNs();
    const json = await ts.fetch('/loki/api/v1/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streams: [{ stream: { app: 'unit', via: 'json' }, values: [[String(t - 2000n), 'hello json', { trace_id: 'abc' }]] }] }),
    });
    expect(json.status).toBe(204);
    const proto = encodeProtobufPush({ streams: [{ labels: [{ name: 'app', value: 'unit' }, { name: 'via', value: 'proto' }], entries: [{ tsNs: t - 1000n, line: 'hello proto', metadata: [] }] }] });
    const pr = await ts.fetch('/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body: proto });
    expect(pr.status).toBe(204);
    const body = await queryRange('{app="unit"}', t - 60_000_000_000n, t + 1_000_000_000n);
    const lines = body.data.result.flatMap((s) => s.values.map((v) => v[1]));
    expect(lines.sort()).toEqual(['hello json', 'hello proto']);
    const withMeta = body.data.result.find((s) => s.stream.via === 'json')!;
    expect(withMeta.stream.trace_id).toBe('abc');
  });

  it('refuses bad input with Loki\'s statuses and messages, keeping what is valid', async () => {
    const t = nowNs();
    const numberTs = await ts.fetch('/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ streams: [{ stream: { app: 'bad' }, values: [[1, 'x']] }] }) });
    expect(numberTs.status).toBe(400);
    expect(await numberTs.text()).toMatch(/timestamp must be a string/);
    const old = await ts.fetch('/loki/api/v1/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ streams: [{ stream: { app: 'bad' }, values: [[String(t - 30n * 24n * 3600n * 1_000_000_000n), 'too old'], [String(t), 'fine']] }] }),
    });
    expect(old.status).toBe(400);
    expect(await old.text()).toMatch(/timestamp too old/);
    const future = await ts.fetch('/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ streams: [{ stream: { app: 'bad' }, values: [[String(t + 3600n * 1_000_000_000n), 'future']] }] }) });
    expect(future.status).toBe(400);
    expect(await future.text()).toMatch(/timestamp too new/);
    const long = await ts.fetch('/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ streams: [{ stream: { app: 'bad' }, values: [[String(t), 'x'.repeat(300 * 1024)]] }] }) });
    expect(long.status).toBe(400);
    expect(await long.text()).toMatch(/Max entry size/);
    const body = await queryRange('{app="bad"}', t - 60_000_000_000n, t + 1_000_000_000n);
    expect(body.data.result.flatMap((s) => s.values.map((v) => v[1]))).toEqual(['fine']);
    const parse = await ts.fetch('/loki/api/v1/query_range?query=' + encodeURIComponent('{app="bad"'));
    expect(parse.status).toBe(400);
  });

  it('sums per group as it extracts, as Loki does: `| json` lines that are each their own series stay under the series limit', async () => {
    const t = nowNs() - 60_000_000_000n;
    const levels = ['info', 'warn', 'error'];
    const values = Array.from({ length: 300 }, (_, i) => [String(t + BigInt(i) * 1_000_000n), JSON.stringify({ seq: i, level: levels[i % 3], status: i % 10 === 0 ? 500 : 200 })]);
    const push = await ts.fetch('/loki/api/v1/push', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ streams: [{ stream: { app: 'sums' }, values }] }) });
    expect(push.status).toBe(204);
    const instant = async (q: string): Promise<{ status: number; body: string }> => {
      const res = await ts.fetch(`/loki/api/v1/query?query=${encodeURIComponent(q)}&time=${t + 60_000_000_000n}`);
      return { status: res.status, body: await res.text() };
    };
    // Without a sum, 300 series (one per seq) exceed the limit of 100.
    const each = await instant('count_over_time({app="sums"} | json [5m])');
    expect(each.status).toBe(422);
    expect(each.body).toMatch(/maximum number of series \(100\)/);
    const total = await instant('sum(count_over_time({app="sums"} | json | status >= 500 [5m]))');
    expect(total.status, total.body).toBe(200);
    expect((JSON.parse(total.body) as { data: { result: Array<{ value: [number, string] }> } }).data.result.map((r) => r.value[1])).toEqual(['30']);
    const byLevel = await instant('sum by (level) (rate({app="sums"} | json [5m]))');
    expect(byLevel.status, byLevel.body).toBe(200);
    const rates = (JSON.parse(byLevel.body) as { data: { result: Array<{ metric: { level: string }; value: [number, string] }> } }).data.result.map((r) => [r.metric.level, Number(r.value[1]) * 300]);
    expect(rates.sort()).toEqual([
      ['error', 100],
      ['info', 100],
      ['warn', 100],
    ]);
  });
});

