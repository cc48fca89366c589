import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EmbeddedMetricStore } from '../src/store/index.js';
import { engineTarget } from './support/promql-engine-target.js';
import { loadScript, runEval } from './support/promql-script.js';
import { testMetricStoreOptions } from './support/embedded-metric-store.js';

const DIR = path.resolve(import.meta.dirname, 'promql');
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function embedded(): EmbeddedMetricStore {
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-promql-'));
  dirs.push(dir);
  // Scripts load whole series at once, from t=0.
  return new EmbeddedMetricStore(testMetricStoreOptions(dir, { outOfOrderWindowMs: 1000 * 86_400_000 }));
}

// The same scripts as over the memory store, against the embedded (DuckDB) store with the
// data flushed into DuckDB, so the engine reads through the real storage path.
describe.each(readdirSync(DIR).filter((f) => f.endsWith('.promql')))('PromQL script %s (embedded store)', (file) => {
  it('passes every eval', async () => {
    const target = engineTarget(() => embedded());
    const failures: string[] = [];
    let dirty = false;
    for (const cmd of loadScript(path.join(DIR, file))) {
      if (cmd.kind === 'clear') await target.clear();
      else if (cmd.kind === 'load') {
        await target.load(cmd.batch);
        dirty = true;
      } else if (cmd.kind === 'set') await target.setCompatibility(cmd.value as 'prometheus3' | 'prometheus2');
      else {
        if (dirty) {
          await ((await target.store()) as EmbeddedMetricStore).flush();
          dirty = false;
        }
        const problem = await runEval(target, cmd);
        if (problem !== undefined) failures.push(`${file}:${cmd.line} ${cmd.query}\n    ${problem}`);
      }
    }
    await target.clear();
    expect(failures).toEqual([]);
  });
});
