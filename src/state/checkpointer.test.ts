import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { Checkpointer } from './checkpointer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-checkpointer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A database whose connection never checkpoints by itself, with `rounds` × 1 MB written. */
function writer(file: string): { db: SQLite.Database; write: () => void } {
  const db = new SQLite(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('create table t (id integer primary key, v text)');
  const ins = db.prepare('insert into t (v) values (?)');
  const write = db.transaction(() => {
    for (let i = 0; i < 256; i++) ins.run('x'.repeat(4000));
  });
  return { db, write };
}

describe('Checkpointer', () => {
  it('keeps the log bounded from a worker thread while the writer never checkpoints', async () => {
    const alone = writer(path.join(dir, 'alone.sqlite'));
    for (let r = 0; r < 8; r++) alone.write();
    // Without checkpoints the log holds every page written: the baseline the test must beat.
    expect(statSync(path.join(dir, 'alone.sqlite-wal')).size).toBeGreaterThan(8_000_000);
    alone.db.close();

    const file = path.join(dir, 'worker.sqlite');
    const w = writer(file);
    let fellBack = false;
    const cp = new Checkpointer(file, { everyMs: 60_000, minBytes: 1 }, () => (fellBack = true));
    for (let r = 0; r < 8; r++) {
      w.write();
      await cp.checkpoint();
    }
    expect(fellBack).toBe(false);
    // The writer starts the log over once the worker has copied all of it back.
    expect(statSync(`${file}-wal`).size).toBeLessThan(3_000_000);
    expect(w.db.prepare('select count(*) n from t').get()).toEqual({ n: 8 * 256 });
    await cp.close();
    w.db.close();
    const again = new SQLite(file, { readonly: true });
    expect(again.prepare('select count(*) n from t').get()).toEqual({ n: 8 * 256 });
    again.close();
  });

  it('turns automatic checkpoints back on when the worker cannot checkpoint', async () => {
    let err: unknown;
    const cp = new Checkpointer(path.join(dir, 'missing', 'none.sqlite'), { everyMs: 60_000, minBytes: 1 }, (e) => (err = e));
    await cp.checkpoint();
    expect(String(err)).toMatch(/unable to open|directory/i);
    await cp.close();
  });
});
