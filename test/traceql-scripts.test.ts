import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { startTestServer } from './support/server.js';
import { runTraceqlScript, scriptBaseMs, type TraceqlTarget } from './support/traceql-runner.js';
import { loadTraceqlScript } from './support/traceql-script.js';

const DIR = path.resolve(import.meta.dirname, 'traceql');

// Each script runs against a real Ichigen: spans in over OTLP/HTTP JSON, answers out of the
// Tempo API (parser, engine, trace store and API together). Half the data is flushed into
// DuckDB before the queries, so both the in-memory head and the database are read.
describe.each(readdirSync(DIR).filter((f) => f.endsWith('.traceql')))('TraceQL script %s', (file) => {
  it('answers every query as written', { timeout: 60_000 }, async () => {
    const ts = await startTestServer({ config: { traces: { flush_interval: '50ms' } } });
    try {
      const target: TraceqlTarget = {
        push: (body) => ts.fetch('/v1/traces', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
        get: (p, params) => ts.fetch(`${p}?${new URLSearchParams(params).toString()}`),
      };
      const failures = await runTraceqlScript(file, loadTraceqlScript(path.join(DIR, file)), target, scriptBaseMs());
      expect(failures).toEqual([]);
    } finally {
      await ts.stop();
    }
  });
});
