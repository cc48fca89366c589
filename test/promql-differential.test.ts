import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricStoreOf } from './support/metrics.js';
import { freePort } from './support/postgres.js';
import { waitFor } from './support/process.js';
import { DIFF_START, generateDiffData } from './support/promql-diff-data.js';
import { startTestServer, type TestServer } from './support/server.js';
import { DIFF_QUERIES } from './promql-diff-queries.js';
import { KNOWN_DIFFERENCES } from './promql-known-differences.js';

/**
 * Differential test: the same generated data in a real Prometheus 2.42 (blocks written by
 * promtool) and in Ichigen (embedded store, `promql.compatibility: prometheus2`); every
 * query of promql-diff-queries.ts is asked of both HTTP APIs, as two instant queries and a
 * range query, and the answers compared value by value (relative 1e-9, NaN = NaN).
 */
const MIN = 60_000;
const INSTANT_TIMES = [DIFF_START + 100 * MIN + 7_000, DIFF_START + 3 * MIN];
const RANGE = { start: DIFF_START + 10 * MIN, end: DIFF_START + 125 * MIN, step: MIN };

let dir: string;
let prom: ChildProcess | undefined;
let promUrl: string;
let ts: TestServer;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'ichigen-promdiff-'));
  const data = generateDiffData();
  writeFileSync(path.join(dir, 'data.om'), data.openMetrics);
  await new Promise<void>((resolve, reject) => {
    const p = spawn('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', path.join(dir, 'data.om'), path.join(dir, 'tsdb')], { stdio: 'ignore' });
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`promtool exited ${code}`))));
    p.on('error', reject);
  });
  writeFileSync(path.join(dir, 'prometheus.yml'), 'global:\n  scrape_interval: 15s\n');
  const port = await freePort();
  promUrl = `http://127.0.0.1:${port}`;
  prom = spawn(
    'prometheus',
    [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'tsdb')}`, `--web.listen-address=127.0.0.1:${port}`, '--storage.tsdb.retention.time=100y', '--log.level=error'],
    { stdio: 'ignore' },
  );
  await waitFor(async () => {
    try {
      return (await fetch(`${promUrl}/-/ready`)).ok ? true : undefined;
    } catch {
      return undefined;
    }
  }, 'prometheus ready');
  ts = await startTestServer({ config: { promql: { compatibility: 'prometheus2' }, metrics: { retention: '0' } } });
  await metricStoreOf(ts.server).append('default', data.batch);
}, 120_000);

afterAll(async () => {
  if (prom) {
    const p = prom;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }
  await ts?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface Answer {
  status: string;
  error?: string;
  errorType?: string;
  data?: { resultType: string; result: unknown };
}

type Series = { metric: Record<string, string>; values?: Array<[number, string]>; value?: [number, string] };

function close(a: string, b: string): boolean {
  if (a === b) return true;
  const x = Number(a);
  const y = Number(b);
  if (Number.isNaN(x) || Number.isNaN(y)) return false;
  return Math.abs(x - y) <= 1e-9 * Math.max(Math.abs(x), Math.abs(y));
}

/** Returns undefined when both answers agree, else what differs. */
function compare(query: string, p: Answer, i: Answer): string | undefined {
  if (p.status !== i.status) return `status ${p.status} (${p.error ?? ''}) vs ${i.status} (${i.error ?? ''})`;
  if (p.status !== 'success') return p.errorType === i.errorType ? undefined : `errorType ${p.errorType} vs ${i.errorType}`;
  const pd = p.data!;
  const id = i.data!;
  if (pd.resultType !== id.resultType) return `resultType ${pd.resultType} vs ${id.resultType}`;
  if (pd.resultType === 'scalar' || pd.resultType === 'string') {
    const [pt, pv] = pd.result as [number, string];
    const [it2, iv] = id.result as [number, string];
    return pt === it2 && close(pv, iv) ? undefined : `${JSON.stringify(pd.result)} vs ${JSON.stringify(id.result)}`;
  }
  const ps = pd.result as Series[];
  const is = id.result as Series[];
  const key = (s: Series): string => JSON.stringify(Object.entries(s.metric).sort());
  const iByKey = new Map(is.map((s) => [key(s), s]));
  if (ps.length !== is.length) return `${ps.length} series vs ${is.length}: ${ps.map(key).join(' ').slice(0, 300)} | ${is.map(key).join(' ').slice(0, 300)}`;
  for (const s of ps) {
    const o = iByKey.get(key(s));
    if (o === undefined) return `series ${key(s)} missing in Ichigen (has ${is.map(key).join(' ').slice(0, 300)})`;
    const pv = s.values ?? [s.value!];
    const iv = o.values ?? [o.value!];
    if (pv.length !== iv.length) return `${key(s)}: ${pv.length} points vs ${iv.length}`;
    for (let k = 0; k < pv.length; k++) {
      if (pv[k]![0] !== iv[k]![0] || !close(pv[k]![1], iv[k]![1])) return `${key(s)} point ${k}: ${JSON.stringify(pv[k])} vs ${JSON.stringify(iv[k])}`;
    }
  }
  // sort() and sort_desc() promise an order: compare the order of values.
  if (/^sort/.test(query)) {
    const order = (list: Series[]): string => list.map((s) => s.value?.[1]).join(',');
    if (order(ps) !== order(is)) return `order ${order(ps)} vs ${order(is)}`;
  }
  return undefined;
}

describe('PromQL differential test against Prometheus 2.42', () => {
  it('answers like Prometheus on every query except the listed known differences', async () => {
    const cases: Array<{ name: string; url: string }> = [];
    for (const q of DIFF_QUERIES) {
      const e = encodeURIComponent(q);
      for (const t of INSTANT_TIMES) cases.push({ name: `instant@${(t - DIFF_START) / 1000}s ${q}`, url: `/api/v1/query?query=${e}&time=${t / 1000}` });
      cases.push({ name: `range ${q}`, url: `/api/v1/query_range?query=${e}&start=${RANGE.start / 1000}&end=${RANGE.end / 1000}&step=${RANGE.step / 1000}` });
    }
    const failures: string[] = [];
    const unexpected: string[] = [];
    for (const c of cases) {
      const [p, i] = await Promise.all([fetch(promUrl + c.url).then((r) => r.json() as Promise<Answer>), ts.fetch(c.url).then((r) => r.json() as Promise<Answer>)]);
      const diff = compare(c.name, p, i);
      if (diff === undefined) continue;
      failures.push(c.name);
      const query = c.name.replace(/^\S+ /, '');
      if (!(query in KNOWN_DIFFERENCES)) unexpected.push(`${c.name}\n    ${diff}`);
    }
    const passed = cases.length - failures.length;
    console.log(`PromQL differential vs Prometheus 2.42: ${passed}/${cases.length} answers identical (${((100 * passed) / cases.length).toFixed(1)}%)`);
    expect(cases.length).toBeGreaterThanOrEqual(200);
    expect(unexpected).toEqual([]);
  }, 120_000);
});
