import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inject } from 'vitest';
import { migrateToLatest, openStateDb, type StateDb } from '../../src/state/index.js';
import { createDatabase } from './postgres.js';

export type Backend = 'sqlite' | 'postgres';
export const BACKENDS: readonly Backend[] = ['sqlite', 'postgres'];

let counter = 0;

/** A migrated, empty state database of the given kind; close() removes it. */
export async function openTestState(backend: Backend): Promise<StateDb & { dispose(): Promise<void> }> {
  if (backend === 'sqlite') {
    const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-state-'));
    const s = openStateDb({ url: '', dataDir: dir });
    await migrateToLatest(s.db);
    return { ...s, dispose: async () => { await s.close(); rmSync(dir, { recursive: true, force: true }); } };
  }
  const name = `t_${process.pid}_${Date.now()}_${counter++}`;
  const url = await createDatabase(inject('pgUrl'), name);
  const s = openStateDb({ url, dataDir: tmpdir(), poolSize: 4 });
  await migrateToLatest(s.db);
  return { ...s, dispose: () => s.close() };
}
