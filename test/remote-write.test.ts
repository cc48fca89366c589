import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import snappy from 'snappy';
import { STALE_NAN_HI, STALE_NAN_LO, isStaleAt, labelsFromRecord } from '../src/model/index.js';
import { WriteRequestType, encodeWriteRequest } from '../src/receive/remote-write/index.js';
import { startTestServer, type TestServer } from './support/server.js';
import { metricStoreOf, selectAll } from './support/metrics.js';

let ts: TestServer;
beforeAll(async () => {
  ts = await startTestServer({ config: { metrics: { max_series_per_request: 1000, max_write_bytes: '4MiB' } } });
});
afterAll(async () => {
  await ts?.stop();
});

const T0 = Date.now() - 60_000;

function post(body: Buffer, headers: Record<string, string> = {}): Promise<Response> {
  return ts.fetch('/api/v1/write', {
    method: 'POST',
    headers: { 'content-type': 'application/x-protobuf', 'content-encoding': 'snappy', 'x-prometheus-remote-write-version': '0.1.0', ...headers },
    body,
  });
}

function rawRequest(timeseries: unknown[]): Buffer {
  return snappy.compressSync(Buffer.from(WriteRequestType.encode(WriteRequestType.fromObject({ timeseries })).finish()));
}

describe('remote write 1.0 receiver', () => {
  it('stores samples and metadata, keeps staleness markers, answers 204', async () => {
    const values = new Float64Array(3);
    values.set([1, 2]);
    new Uint32Array(values.buffer).set([STALE_NAN_LO, STALE_NAN_HI], 4);
    const body = encodeWriteRequest(
      [{ labels: labelsFromRecord({ __name__: 'rw_test', job: 'j' }), timestamps: [T0, T0 + 1000, T0 + 2000], values }],
      [{ metric: 'rw_test', type: 'counter', help: 'a test', unit: '' }],
    );
    const res = await post(body);
    expect(res.status).toBe(204);
    const store = metricStoreOf(ts.server);
    const got = await selectAll(store, 'default', [{ name: '__name__', type: '=', value: 'rw_test' }]);
    expect(got.length).toBe(1);
    expect(Array.from(got[0]!.timestamps)).toEqual([T0, T0 + 1000, T0 + 2000]);
    expect(Array.from(got[0]!.values.subarray(0, 2))).toEqual([1, 2]);
    expect(isStaleAt(got[0]!.values, 2)).toBe(true);
    expect(await store.metadata('default', 'rw_test')).toEqual({ rw_test: [{ metric: 'rw_test', type: 'counter', help: 'a test', unit: '' }] });
  });

  it('keeps tenants apart and needs a token', async () => {
    const body = encodeWriteRequest([{ labels: labelsFromRecord({ __name__: 'tenant_test' }), timestamps: [T0], values: Float64Array.of(5) }]);
    expect((await post(body, { 'x-scope-orgid': 'team-a' })).status).toBe(204);
    const store = metricStoreOf(ts.server);
    expect((await selectAll(store, 'team-a', [{ name: '__name__', type: '=', value: 'tenant_test' }])).length).toBe(1);
    expect((await selectAll(store, 'default', [{ name: '__name__', type: '=', value: 'tenant_test' }])).length).toBe(0);
    const anon = await fetch(`${ts.url}/api/v1/write`, { method: 'POST', headers: { 'content-type': 'application/x-protobuf' }, body });
    expect(anon.status).toBe(401);
  });

  it('refuses garbage with the right 4xx and keeps serving', async () => {
    const good = encodeWriteRequest([{ labels: labelsFromRecord({ __name__: 'ok_after_garbage' }), timestamps: [T0], values: Float64Array.of(1) }]);
    const cases: Array<[string, Buffer, number, RegExp, Record<string, string>?]> = [
      ['truncated snappy', good.subarray(0, good.length - 3), 400, /snappy/],
      ['not snappy at all', Buffer.from('hello world, this is not snappy'), 400, /snappy|protobuf/],
      ['wrong protobuf', snappy.compressSync(Buffer.from([0x0a, 0x05, 0x0a, 0x10, 0x01])), 400, /protobuf/],
      ['empty label name', rawRequest([{ labels: [{ name: '__name__', value: 'x' }, { name: '', value: 'v' }], samples: [{ value: 1, timestamp: T0 }] }]), 400, /series x.*empty name/],
      ['unsorted labels', rawRequest([{ labels: [{ name: '__name__', value: 'x' }, { name: 'b', value: '1' }, { name: 'a', value: '2' }], samples: [{ value: 1, timestamp: T0 }] }]), 400, /not sorted/],
      ['duplicate labels', rawRequest([{ labels: [{ name: '__name__', value: 'x' }, { name: 'a', value: '1' }, { name: 'a', value: '2' }], samples: [{ value: 1, timestamp: T0 }] }]), 400, /"a" is repeated/],
      ['no labels', rawRequest([{ labels: [], samples: [{ value: 1, timestamp: T0 }] }]), 400, /no labels/],
      ['no metric name', rawRequest([{ labels: [{ name: 'job', value: 'x' }], samples: [{ value: 1, timestamp: T0 }] }]), 400, /no metric name/],
      ['invalid label name', rawRequest([{ labels: [{ name: '__name__', value: 'x' }, { name: 'a-b', value: '1' }], samples: [{ value: 1, timestamp: T0 }] }]), 400, /invalid label name "a-b"/],
      ['too many series', rawRequest(Array.from({ length: 1001 }, (_, i) => ({ labels: [{ name: '__name__', value: `s${i}` }], samples: [{ value: 1, timestamp: T0 }] }))), 400, /1001 series, over the limit of 1000/],
      ['decompresses too large', snappy.compressSync(Buffer.alloc(5 * 1024 * 1024)), 413, /over the limit/],
      ['unknown message', good, 415, /unsupported remote write message "foo\.Bar"/, { 'content-type': 'application/x-protobuf;proto=foo.Bar' }],
      ['wrong content type', good, 415, /./, { 'content-type': 'text/plain' }],
    ];
    for (const [what, body, status, message, headers] of cases) {
      const res = await post(body, headers);
      const answer = (await res.json()) as { status: string; error: string };
      expect(answer.status, what).toBe('error');
      const text = answer.error;
      expect({ what, status: res.status }).toEqual({ what, status });
      expect(text, what).toMatch(message);
    }
    expect((await post(good)).status).toBe(204);
    const store = metricStoreOf(ts.server);
    expect((await selectAll(store, 'default', [{ name: '__name__', type: '=', value: 'ok_after_garbage' }])).length).toBe(1);
    expect((await selectAll(store, 'default', [{ name: '__name__', type: '=', value: 'x' }])).length).toBe(0);
  });
});
