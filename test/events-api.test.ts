import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

interface Page {
  data: { events: Array<Record<string, unknown> & { seq: number; id: string; detail: Record<string, unknown> }>; next: number | null };
}

describe('events API', () => {
  let ts: TestServer;
  beforeAll(async () => {
    ts = await startTestServer();
  });
  afterAll(async () => {
    await ts.stop();
  });

  const put = (entries: unknown[], headers: Record<string, string> = {}) =>
    ts.fetch('/api/ichigen/v1/events', { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ entries }) });

  it('publishes, searches with filters and pages newest first', async () => {
    const entries = Array.from({ length: 25 }, (_, i) => ({
      source: i % 2 === 0 ? 'app.orders' : 'app.billing',
      detailType: 'Order Placed',
      detail: { n: i, region: i < 10 ? 'eu' : 'us' },
      resources: [`order/${i}`],
      time: Date.parse('2026-11-25T00:00:00Z') + i * 1000,
    }));
    expect((await put(entries)).status).toBe(201);

    const all = (await (await ts.fetch('/api/ichigen/v1/events?limit=10')).json()) as Page;
    expect(all.data.events.map((e) => e.detail.n)).toEqual([24, 23, 22, 21, 20, 19, 18, 17, 16, 15]);
    expect(all.data.events[0]).toMatchObject({ version: '0', source: 'app.orders', 'detail-type': 'Order Placed', tenant: 'default', time: '2026-11-25T00:00:24Z' });
    const p2 = (await (await ts.fetch(`/api/ichigen/v1/events?limit=10&before=${all.data.next}`)).json()) as Page;
    expect(p2.data.events.map((e) => e.detail.n)).toEqual([14, 13, 12, 11, 10, 9, 8, 7, 6, 5]);
    const p3 = (await (await ts.fetch(`/api/ichigen/v1/events?limit=10&before=${p2.data.next}`)).json()) as Page;
    expect(p3.data.events).toHaveLength(5);
    expect(p3.data.next).toBeNull();

    const billing = (await (await ts.fetch('/api/ichigen/v1/events?source=app.billing&limit=100')).json()) as Page;
    expect(billing.data.events).toHaveLength(12);
    const range = (await (await ts.fetch('/api/ichigen/v1/events?from=2026-11-25T00:00:05Z&to=2026-11-25T00:00:07Z')).json()) as Page;
    expect(range.data.events.map((e) => e.detail.n)).toEqual([7, 6, 5]);
    const res = (await (await ts.fetch('/api/ichigen/v1/events?resource=order%2F3')).json()) as Page;
    expect(res.data.events.map((e) => e.detail.n)).toEqual([3]);

    // An EventBridge pattern as a filter, paged: 12 orders events in eu/us; eu ones are n<10 even.
    const pattern = encodeURIComponent(JSON.stringify({ source: ['app.orders'], detail: { region: ['eu'], n: [{ numeric: ['>=', 2] }] } }));
    const f1 = (await (await ts.fetch(`/api/ichigen/v1/events?pattern=${pattern}&limit=2`)).json()) as Page;
    expect(f1.data.events.map((e) => e.detail.n)).toEqual([8, 6]);
    const f2 = (await (await ts.fetch(`/api/ichigen/v1/events?pattern=${pattern}&limit=10&before=${f1.data.next}`)).json()) as Page;
    expect(f2.data.events.map((e) => e.detail.n)).toEqual([4, 2]);
    expect(f2.data.next).toBeNull();

    const one = (await (await ts.fetch(`/api/ichigen/v1/events/${all.data.events[0]!.id}`)).json()) as { data: { id: string } };
    expect(one.data.id).toBe(all.data.events[0]!.id);
  });

  it('keeps tenants apart', async () => {
    await put([{ source: 'tenant.b', detailType: 'X' }], { 'x-scope-orgid': 'b' });
    const a = (await (await ts.fetch('/api/ichigen/v1/events?source=tenant.b')).json()) as Page;
    expect(a.data.events).toHaveLength(0);
    const b = (await (await ts.fetch('/api/ichigen/v1/events?source=tenant.b', { headers: { 'x-scope-orgid': 'b' } })).json()) as Page;
    expect(b.data.events).toHaveLength(1);
  });

  it('answers bad input with clear 400s and needs auth', async () => {
    const bad = await ts.fetch(`/api/ichigen/v1/events?pattern=${encodeURIComponent('{"source":"x"}')}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/"source".*in an array/);
    expect((await ts.fetch('/api/ichigen/v1/events?from=yesterday')).status).toBe(400);
    expect((await ts.fetch('/api/ichigen/v1/events?limit=5000')).status).toBe(400);
    expect((await put([{ source: 'x' }])).status).toBe(400);
    expect((await ts.fetch('/api/ichigen/v1/events/nope')).status).toBe(404);
    expect((await fetch(`${ts.url}/api/ichigen/v1/events`)).status).toBe(401);
    const t = await ts.fetch('/api/ichigen/v1/events/test-pattern', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ pattern: { detail: { n: [{ numeric: ['>', 1] }] } }, event: { detail: { n: 2 } } }),
    });
    expect(((await t.json()) as { data: { result: boolean } }).data.result).toBe(true);
  });

  it("refuses Ichigen's own sources and ids from outside, storing nothing of the call", async () => {
    const before = ((await (await ts.fetch('/api/ichigen/v1/events?source=ops.reserved')).json()) as Page).data.events.length;
    const fake = await put([{ source: 'ops.reserved', detailType: 'Fine' }, { source: 'ichigen.scheduler', detailType: 'Scheduled Event', detail: { ruleId: 'x' } }]);
    expect(fake.status).toBe(400);
    expect(((await fake.json()) as { error: string }).error).toMatch(/sources starting with "ichigen\." are reserved/);
    const id = await put([{ id: 'ichigen:schedule:r:1', source: 'ops.reserved', detailType: 'Fine' }]);
    expect(id.status).toBe(400);
    expect(((await (await ts.fetch('/api/ichigen/v1/events?source=ops.reserved')).json()) as Page).data.events).toHaveLength(before);
  });
});
