import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { LogQLEngine, type QueryResult } from '../src/query/logql/index.js';
import { createLogger } from '../src/self/index.js';
import { DuckDbLogStore } from '../src/store/logs/index.js';
import { compareResult, loadLogqlScript } from './support/logql-script.js';

const DIR = path.resolve(import.meta.dirname, 'logql');
/** 2024-01-01T00:00:00Z: a whole hour, so Loki's step alignment is the same in every run. */
const T0_NS = 1_704_067_200_000_000_000n;
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

async function openStore(): Promise<DuckDbLogStore> {
  const dir = mkdtempSync(path.join(tmpdir(), 'ichigen-logql-'));
  dirs.push(dir);
  return DuckDbLogStore.open({
    dir,
    // Scripts write at fixed past times: no age limit, no retention.
    limits: { maxLineBytes: 0, rejectOlderThanMs: 0, creationGraceMs: 0, ingestionRateBytes: 1e12, ingestionBurstBytes: 1e12, maxStreamsPerTenant: 0, maxEntriesPerQuery: 10_000_000 },
    log: createLogger({ level: 'silent' }),
    flushIntervalMs: 3_600_000,
    flushEntries: 10_000_000,
    retentionMs: 0,
    retentionBytes: 0,
    duckdbMemoryLimit: '128MB',
    duckdbThreads: 1,
  });
}

// Every script runs twice: with the entries still in the write-ahead log and head, and after
// they moved into DuckDB, so the engine is checked over both read paths of the store.
describe.each(readdirSync(DIR).filter((f) => f.endsWith('.logql')))('LogQL script %s', (file) => {
  it.each(['head', 'flushed'] as const)('passes every eval (%s)', async (where) => {
    const store = await openStore();
    const engine = new LogQLEngine(store, { maxSeries: 10_000, maxSteps: 11_000 });
    const failures: string[] = [];
    let dirty = false;
    try {
      for (const cmd of loadLogqlScript(path.join(DIR, file), T0_NS)) {
        if (cmd.kind === 'load') {
          const out = await store.push('default', cmd.batch);
          if (out.rejected.length > 0) throw new Error(`line ${cmd.line}: push refused: ${out.rejected.join('; ')}`);
          dirty = true;
          continue;
        }
        if (dirty && where === 'flushed') await store.flush();
        dirty = false;
        let result: QueryResult;
        let steps: number[] = [];
        try {
          if (cmd.mode === 'instant') {
            result = (await engine.instantQuery({ tenant: 'default', query: cmd.query, timeNs: cmd.startNs, limit: cmd.limit, direction: cmd.direction })).result;
            steps = [Number(cmd.startNs / 1_000_000n)];
          } else {
            result = (await engine.rangeQuery({ tenant: 'default', query: cmd.query, startNs: cmd.startNs, endNs: cmd.endNs, stepMs: cmd.mode === 'range' ? cmd.stepMs : 1000, limit: cmd.limit, direction: cmd.direction })).result;
            if (cmd.mode === 'range') {
              const start = Number(cmd.startNs / 1_000_000n);
              const aligned = start - (((start % cmd.stepMs) + cmd.stepMs) % cmd.stepMs);
              for (let t = aligned; t <= Number(cmd.endNs / 1_000_000n); t += cmd.stepMs) steps.push(t);
            }
          }
        } catch (e) {
          const msg = (e as Error).message;
          if (cmd.fail === undefined) failures.push(`line ${cmd.line} ${cmd.query}: unexpected error: ${msg}`);
          else if (cmd.fail instanceof RegExp && !cmd.fail.test(msg)) failures.push(`line ${cmd.line} ${cmd.query}: error "${msg}" does not match ${String(cmd.fail)}`);
          continue;
        }
        if (cmd.fail !== undefined) {
          failures.push(`line ${cmd.line} ${cmd.query}: expected an error, got ${result.type}`);
          continue;
        }
        const diff = compareResult(cmd, result, steps);
        if (diff !== undefined) failures.push(`line ${cmd.line} ${cmd.query}: ${diff}`);
      }
    } finally {
      await store.close();
    }
    expect(failures, failures.join('\n\n')).toEqual([]);
  });
});
