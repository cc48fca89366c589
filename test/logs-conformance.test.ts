import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { startTestServer } from './support/server.js';

/**
 * The LogQL / Loki API conformance set (answers recorded from real Loki 3.4.3) lives in
 * ../shared beside the clone. Its runner loads the data into a real Ichigen and compares every
 * answer; the pass rate must not fall below what we reached.
 */
const run = promisify(execFile);
const RUNNER = path.resolve(import.meta.dirname, '../../shared/conformance/logql/run.mjs');
const MIN_PASS_RATE = 100.0;

describe.skipIf(!existsSync(RUNNER))('LogQL conformance against Loki 3.4.3 answers', () => {
  // A server of its own, started inside the test: the set's label and series answers cover
  // everything in the time range, so another test's lines (or a retry's second load) would
  // show up in them.
  it(`passes at least ${MIN_PASS_RATE}% of the queries`, { timeout: 300_000 }, async () => {
    const ts = await startTestServer({ config: { logs: { ingestion_rate: '1GiB', ingestion_burst: '2GiB' } } });
    try {
      const { stdout } = await run(process.execPath, [RUNNER, '--target', ts.url], { env: { ...process.env, TARGET_AUTH: `Bearer ${ts.adminToken}` }, maxBuffer: 64 * 1024 * 1024, timeout: 280_000 });
      const m = /pass rate: ([\d.]+)% of (\d+) queries/.exec(stdout);
      expect(m, stdout.slice(-2000)).not.toBeNull();
      expect(Number(m![1]), stdout.slice(-4000)).toBeGreaterThanOrEqual(MIN_PASS_RATE);
    } finally {
      await ts.stop();
    }
  });
});
