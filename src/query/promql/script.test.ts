import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { MemoryMetricStore } from '../../store/index.js';
import { engineTarget } from '../../../test/support/promql-engine-target.js';
import { loadScript, runEval } from '../../../test/support/promql-script.js';

const DIR = path.resolve(import.meta.dirname, '../../../test/promql');

describe.each(readdirSync(DIR).filter((f) => f.endsWith('.promql')))('PromQL script %s (memory store)', (file) => {
  it('passes every eval', async () => {
    const target = engineTarget(() => new MemoryMetricStore());
    const failures: string[] = [];
    let evals = 0;
    for (const cmd of loadScript(path.join(DIR, file))) {
      if (cmd.kind === 'clear') await target.clear();
      else if (cmd.kind === 'load') await target.load(cmd.batch);
      else if (cmd.kind === 'set') await target.setCompatibility(cmd.value as 'prometheus3' | 'prometheus2');
      else {
        evals++;
        const problem = await runEval(target, cmd);
        if (problem !== undefined) failures.push(`${file}:${cmd.line} ${cmd.query}\n    ${problem}`);
      }
    }
    expect(failures).toEqual([]);
    expect(evals).toBeGreaterThan(0);
  });
});
