import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestState } from '../../../test/support/state-backends.js';
import { DashboardStore } from './dashboard-store.js';
import { dashboardSpecSchema } from './spec.js';

const spec = (title: string, exprs: string[] = []) =>
  dashboardSpecSchema.parse({ title, panels: exprs.map((expr, i) => ({ id: `p${i}`, type: 'timeseries', expr, gridPos: { x: 0, y: i * 8, w: 12, h: 8 } })) });

describe.each(BACKENDS)('dashboard store on %s', (backend) => {
  let state: Awaited<ReturnType<typeof openTestState>>;
  let store: DashboardStore;
  beforeAll(async () => {
    state = await openTestState(backend);
    store = new DashboardStore(state.db);
  });
  afterAll(async () => state?.dispose());

  it('creates, saves new versions, keeps history and refuses a stale save', async () => {
    const d = await store.create('default', spec('Node', ['up']), 'alice', 1000);
    expect(d).toMatchObject({ title: 'Node', version: 1, createdBy: 'alice' });
    expect(d.spec.panels[0]).toMatchObject({ expr: 'up', legend: '', unit: 'short', stacked: false });
    const v2 = await store.save('default', d.id, spec('Node hosts', ['up', 'node_load1']), 1, 'add load', 'bob', 2000);
    expect(v2).toMatchObject({ title: 'Node hosts', version: 2, updatedBy: 'bob', createdBy: 'alice' });
    // Someone still editing version 1 cannot overwrite version 2.
    await expect(store.save('default', d.id, spec('Stale'), 1, '', 'carol')).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await store.versions('default', d.id)).map((v) => [v.version, v.message, v.createdBy])).toEqual([
      [2, 'add load', 'bob'],
      [1, 'created', 'alice'],
    ]);
    expect((await store.version('default', d.id, 1)).panels.map((p) => p.expr)).toEqual(['up']);
    expect((await store.list('default')).map((x) => [x.title, x.panels])).toEqual([['Node hosts', 2]]);
  });

  it('keeps tenants apart and deletes with history', async () => {
    const d = await store.create('team-a', spec('A'), 'alice');
    await expect(store.get('default', d.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await store.list('team-b')).toEqual([]);
    await store.remove('team-a', d.id);
    await expect(store.versions('team-a', d.id)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(store.save('team-a', d.id, spec('A'), 1, '', 'x')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
