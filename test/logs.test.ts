import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeProtobufPush } from '../src/receive/loki-push/index.js';
import { startTestServer, type TestServer } from './support/server.js';


let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ config: { logs: { ingestion_rate: '1GiB', ingestion_burst: '2GiB' } } });
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
});
