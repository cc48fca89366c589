import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * Fluent Bit cannot be installed here, so these are the requests its outputs send, as its
 * documentation describes them: the `loki` output (JSON push, `line_format json`, labels,
 * `structured_metadata`, `tenant_id`, `compress gzip`, Basic auth) and the `http` output
 * (`format json_lines` → `application/x-ndjson`, `format json` → a JSON array, the time in
 * `json_date_key` as `double` or `iso8601`).
 */
let ts: TestServer;
let basic: string;
beforeAll(async () => {
  ts = await startTestServer();
  basic = 'Basic ' + Buffer.from(`fluentbit:${ts.adminToken}`).toString('base64');
});
afterAll(async () => {
  await ts?.stop();
});

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n;

async function streams(selector: string, tenant?: string): Promise<Array<{ stream: Record<string, string>; values: Array<[string, string]> }>> {
  const end = nowNs() + 60_000_000_000n;
  const res = await ts.fetch(`/loki/api/v1/query_range?query=${encodeURIComponent(selector)}&start=${end - 3_600_000_000_000n}&end=${end}&direction=forward`, { headers: tenant ? { 'x-scope-orgid': tenant } : {} });
  expect(res.status).toBe(200);
  return ((await res.json()) as { data: { result: never[] } }).data.result;
}

describe('Fluent Bit loki output', () => {
  it('stores its JSON push with labels, structured metadata and tenant; gzip too', async () => {
    const t = nowNs();
    const body = {
      streams: [
        {
          stream: { job: 'fluentbit', host: 'node-1' },
          values: [
            [String(t), '{"log":"GET /index.html 200","trace_id":"abc123"}', { trace_id: 'abc123' }],
            [String(t + 1000n), '{"log":"POST /login 401"}'],
          ],
        },
      ],
    };
    const headers = { 'content-type': 'application/json', 'user-agent': 'Fluent-Bit', authorization: basic, 'x-scope-orgid': 'team-a' };
    const plain = await fetch(`${ts.url}/loki/api/v1/push`, { method: 'POST', headers, body: JSON.stringify(body) });
    expect(plain.status).toBe(204);
    const zipped = JSON.stringify({ streams: [{ stream: { job: 'fluentbit', host: 'node-2' }, values: [[String(t + 2000n), '{"log":"gzipped"}']] }] });
    const gz = await fetch(`${ts.url}/loki/api/v1/push`, { method: 'POST', headers: { ...headers, 'content-encoding': 'gzip' }, body: gzipSync(zipped) });
    expect(gz.status).toBe(204);
    const got = await streams('{job="fluentbit"}', 'team-a');
    const lines = got.flatMap((s) => s.values.map((v) => [s.stream.host, s.stream.trace_id, v[1]]));
    expect(lines).toEqual(
      expect.arrayContaining([
        ['node-1', 'abc123', '{"log":"GET /index.html 200","trace_id":"abc123"}'],
        ['node-1', undefined, '{"log":"POST /login 401"}'],
        ['node-2', undefined, '{"log":"gzipped"}'],
      ]),
    );
    expect(lines).toHaveLength(3);
    // Another tenant sees none of it.
    expect(await streams('{job="fluentbit"}', 'team-b')).toEqual([]);
  });
});

describe('Fluent Bit http output', () => {
  const url = (q: string): string => `${ts.url}/api/ichigen/v1/logs/push?${q}`;

  it('format json_lines: NDJSON records, the `date` double as the time, keys mapped by the query', async () => {
    const sec = Date.now() / 1000;
    const ndjson =
      JSON.stringify({ date: Number(sec.toFixed(6)), log: 'hello from fluent bit', host: 'node-3', trace_id: 't1', stream: 'stdout' }) +
      '\n' +
      JSON.stringify({ date: Number((sec + 0.5).toFixed(6)), log: 'second line', host: 'node-3', stream: 'stderr' }) +
      '\n';
    const res = await fetch(url('labels=job%3Dfluent-bit-http&label_keys=host&metadata_keys=trace_id&line_key=log'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-ndjson', 'user-agent': 'Fluent-Bit', authorization: basic },
      body: ndjson,
    });
    expect(res.status).toBe(204);
    const got = await streams('{job="fluent-bit-http"}');
    const entries = got.flatMap((s) => s.values.map((v) => ({ labels: s.stream, ts: BigInt(v[0]), line: v[1] })));
    expect(entries.map((e) => [e.labels.host, e.labels.trace_id, e.line])).toEqual([
      ['node-3', 't1', 'hello from fluent bit'],
      ['node-3', undefined, 'second line'],
    ]);
    // The time is the record's (to the microsecond), not the time of receipt.
    expect(Number(entries[1]!.ts - entries[0]!.ts) / 1e6).toBeCloseTo(500, 0);
  });

  it('format json (array) with iso8601 dates; without line_key the rest of the record is the line; gzip', async () => {
    const iso = new Date(Date.now() - 1000).toISOString().replace('Z', '123Z');
    const body = JSON.stringify([
      { date: iso, level: 'warn', msg: 'disk 91% full', kubernetes: { namespace_name: 'prod' } },
      { date: iso, level: 'info', msg: 'rotated', kubernetes: { namespace_name: 'prod' } },
    ]);
    const res = await fetch(url('labels=job%3Dfluent-bit-json&label_keys=kubernetes.namespace_name'), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: basic },
      body: gzipSync(body),
    });
    expect(res.status).toBe(204);
    const got = await streams('{job="fluent-bit-json"}');
    expect(got.map((s) => s.stream)).toEqual([{ job: 'fluent-bit-json', kubernetes_namespace_name: 'prod' }]);
    // The time key is not part of the line; a nested label key stays in it (as with Fluent Bit's loki output).
    expect(got[0]!.values.map((v) => v[1]).sort()).toEqual([
      '{"level":"info","msg":"rotated","kubernetes":{"namespace_name":"prod"}}',
      '{"level":"warn","msg":"disk 91% full","kubernetes":{"namespace_name":"prod"}}',
    ]);
    // Microseconds of the ISO time are kept.
    expect(got[0]!.values[0]![0]!.endsWith('123000')).toBe(true);
    const rows = await (await ts.fetch(`/loki/api/v1/query_range?query=${encodeURIComponent('{job="fluent-bit-json"} | json | level="warn"')}`)).json();
    expect((rows as { data: { result: unknown[] } }).data.result).toHaveLength(1);
  });

  it('refuses bad records with 400 naming the record, and stores nothing from that request', async () => {
    const headers = { 'content-type': 'application/x-ndjson', authorization: basic };
    const broken = await fetch(url('labels=job%3Dfluent-bit-bad'), { method: 'POST', headers, body: '{"log":"ok"}\n{"log": nope}\n' });
    expect(broken.status).toBe(400);
    expect(((await broken.json()) as { error: string }).error).toMatch(/record 2 \(line 2\) is not valid JSON/);
    const noLabels = await fetch(url(''), { method: 'POST', headers, body: '{"log":"x"}\n' });
    expect(noLabels.status).toBe(400);
    expect(((await noLabels.json()) as { error: string }).error).toMatch(/no stream label/);
    const badTime = await fetch(url('labels=job%3Dfluent-bit-bad'), { method: 'POST', headers, body: '{"log":"x","date":"yesterday"}\n' });
    expect(badTime.status).toBe(400);
    expect(((await badTime.json()) as { error: string }).error).toMatch(/cannot read the time "yesterday"/);
    const badLabels = await fetch(url('labels=job'), { method: 'POST', headers, body: '{"log":"x"}\n' });
    expect(badLabels.status).toBe(400);
    expect(await streams('{job="fluent-bit-bad"}')).toEqual([]);
    const anonymous = await fetch(url('labels=job%3Dx'), { method: 'POST', headers: { 'content-type': 'application/x-ndjson' }, body: '{"log":"x"}\n' });
    expect(anonymous.status).toBe(401);
  });
});
