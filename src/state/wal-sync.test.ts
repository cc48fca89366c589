import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStateDb } from './database.js';
import { migrateToLatest } from './migrate.js';
import { WalSync } from './wal-sync.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-walsync-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('WalSync', () => {
  it('shares fsyncs between concurrent callers (at most one running and one queued)', async () => {
    const file = path.join(dir, 'x-wal');
    writeFileSync(file, 'frames');
    let flushes = 0;
    const s = new WalSync(file);
    const orig = (s as unknown as { flush: () => Promise<void> }).flush.bind(s);
    (s as unknown as { flush: () => Promise<void> }).flush = async () => {
      flushes++;
      await orig();
    };
    await Promise.all(Array.from({ length: 50 }, () => s.sync()));
    expect(flushes).toBeGreaterThanOrEqual(1);
    expect(flushes).toBeLessThanOrEqual(2);
    await s.sync();
    expect(flushes).toBeLessThanOrEqual(3);
    await s.close();
  });

  it('flushes the SQLite state log after commits', async () => {
    const state = openStateDb({ url: '', dataDir: dir });
    await migrateToLatest(state.db);
    await state.db.insertInto('settings').values({ key: 'k', value: 'v' }).execute();
    await expect(Promise.all([state.durable(), state.durable()])).resolves.toBeDefined();
    await state.close();
  });
});
