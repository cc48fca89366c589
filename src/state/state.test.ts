import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, openTestState } from '../../test/support/state-backends.js';
import { getSetting, listAudit, migrateToLatest, newId, setSetting, writeAudit, type StateDb } from './index.js';

describe.each(BACKENDS)('state on %s', (backend) => {
  let s: Awaited<ReturnType<typeof openTestState>>;
  beforeAll(async () => {
    s = await openTestState(backend);
  });
  afterAll(async () => {
    await s.dispose();
  });

  it('reports its dialect', () => {
    expect(s.dialect).toBe(backend);
  });

  it('migrations are idempotent', async () => {
    const again = await migrateToLatest((s as StateDb).db);
    expect(again).toEqual([]);
  });

  it('upserts settings', async () => {
    expect(await getSetting(s.db, 'instance_id')).toBeUndefined();
    await setSetting(s.db, 'instance_id', 'a');
    await setSetting(s.db, 'instance_id', 'b');
    expect(await getSetting(s.db, 'instance_id')).toBe('b');
  });

  it('keeps an audit trail per tenant, newest first, with numeric times', async () => {
    await writeAudit(s.db, { tenant: 't1', actor: 'alice', action: 'x.create', target: 'x1', details: { n: 1 }, at: 1000 });
    await writeAudit(s.db, { tenant: 't1', actor: 'bob', action: 'x.delete', target: 'x1', at: 2000 });
    await writeAudit(s.db, { tenant: 't2', actor: 'carol', action: 'x.create', at: 3000 });
    const t1 = await listAudit(s.db, { tenant: 't1', limit: 10 });
    expect(t1.map((r) => r.actor)).toEqual(['bob', 'alice']);
    expect(t1[1]!.details).toEqual({ n: 1 });
    expect(typeof t1[0]!.at).toBe('number');
    expect(t1[0]!.at).toBe(2000);
    const page = await listAudit(s.db, { tenant: 't1', limit: 10, before: t1[0]!.id });
    expect(page.map((r) => r.actor)).toEqual(['alice']);
    expect(await listAudit(s.db, { tenant: 't1', limit: 10, action: 'x.create' })).toHaveLength(1);
    expect((await listAudit(s.db, { tenant: 't1', limit: 10, target: 'x1', actor: 'bob' })).map((r) => r.action)).toEqual(['x.delete']);
  });

  it('runs written-out statements in and outside transactions, never inside another caller\'s', async () => {
    const keys = (prefix: string) => s.sql.all<{ key: string; value: string }>(s.db, "select key, value from settings where key like ? order by key", [`${prefix}%`]);
    await s.sql.insert(s.db, 'settings', [{ key: 'sql.a', value: '1' }]);
    await s.db.transaction().execute(async (trx) => {
      await s.sql.insert(trx, 'settings', [
        { key: 'sql.b', value: '2' },
        { key: 'sql.c', value: '3' },
      ]);
      expect(await s.sql.run(trx, 'update settings set value = ? where key like ?', ['x', 'sql.%'])).toBe(3);
    });
    expect((await keys('sql.')).map((r) => r.value)).toEqual(['x', 'x', 'x']);
    // A statement outside a transaction that another caller has open (and later rolls back) is not part of it.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let opened!: () => void;
    const isOpen = new Promise<void>((r) => (opened = r));
    const rolledBack = s.db
      .transaction()
      .execute(async (trx) => {
        await s.sql.insert(trx, 'settings', [{ key: 'sql.rolled-back', value: '1' }]);
        opened();
        await held;
        throw new Error('roll back');
      })
      .catch(() => undefined);
    await isOpen;
    const outside = s.sql.insert(s.db, 'settings', [{ key: 'sql.outside', value: '1' }]);
    release();
    await Promise.all([rolledBack, outside]);
    expect((await keys('sql.')).map((r) => r.key)).toEqual(['sql.a', 'sql.b', 'sql.c', 'sql.outside']);
  });

  it('wakes listeners with notifications, and stops after close', async () => {
    const got: string[] = [];
    const l = await s.notifier.listen('ichigen_test', (p) => got.push(p));
    await s.notifier.notify('ichigen_test', 'hello');
    await s.notifier.notify('ichigen_other', 'not for us');
    for (let i = 0; i < 100 && got.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(got).toEqual(['hello']);
    l.close();
    await s.notifier.notify('ichigen_test', 'after close');
    await new Promise((r) => setTimeout(r, 200));
    expect(got).toEqual(['hello']);
    await expect(s.notifier.notify('bad channel; drop table', 'x')).rejects.toThrow(/invalid notification channel/);
  });

  it('stores times beyond 32 bits exactly', async () => {
    const at = Date.UTC(2100, 0, 1);
    await writeAudit(s.db, { tenant: 'big', actor: 'a', action: 'a', at });
    const [row] = await listAudit(s.db, { tenant: 'big', limit: 1 });
    expect(row!.at).toBe(at);
  });
});

describe('newId', () => {
  it('sorts by creation time and is unique', () => {
    const a = newId(1000);
    const b = newId(2000);
    expect(a < b).toBe(true);
    expect(new Set(Array.from({ length: 1000 }, () => newId())).size).toBe(1000);
    expect(a).toMatch(/^[0-9a-z]{26}$/);
  });
});
