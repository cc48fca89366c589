/**
 * bench/metrics-ingest/codec.ts: bytes per sample of the chunk codec on real node_exporter
 * data (captured by node-exporter-data.ts), per chunk length, with exact and jittered scrape
 * timestamps, split by kind of series. The figures behind the chunk and compaction design.
 *
 *   npx tsx bench/metrics-ingest/codec.ts [scrapes=240] [intervalMs=1000]
 */
import { encodeChunk, decodeChunk } from '../../src/store/index.js';
import { nodeExporterCapture } from './node-exporter-data.js';

const scrapes = Number(process.argv[2] ?? 240);
const interval = Number(process.argv[3] ?? 1000);
const cap = await nodeExporterCapture(scrapes, interval);
const n = cap.labels.length;
const T0 = 1_700_000_000_000;

function kindOf(col: Float64Array): string {
  let changes = 0;
  let ints = true;
  for (let i = 0; i < col.length; i++) {
    if (!Number.isInteger(col[i])) ints = false;
    if (i > 0 && col[i] !== col[i - 1]) changes++;
  }
  if (changes === 0) return 'constant';
  return ints ? 'integer' : 'float';
}

const columns = Array.from({ length: n }, (_, j) => Float64Array.from(cap.values, (row) => row[j]!));
const kinds = columns.map(kindOf);
const counts = new Map<string, number>();
for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
console.log(`${n} real node_exporter series × ${scrapes} scrapes; kinds: ${[...counts].map(([k, c]) => `${k} ${c}`).join(', ')}`);
console.log('\n| chunk length | timestamps | all | constant | integer | float | encode µs/sample | decode µs/sample |');
console.log('| --- | --- | --- | --- | --- | --- | --- | --- |');
for (const len of [8, 40, 120, 240]) {
  for (const jitter of [0, 5]) {
    const bytes = new Map<string, number>();
    const samples = new Map<string, number>();
    let encNs = 0;
    let decNs = 0;
    // Deterministic jitter: scrape start times wobble by up to ±jitter ms.
    const ts = Float64Array.from({ length: scrapes }, (_, i) => T0 + i * 15_000 + (jitter ? ((i * 7919) % (2 * jitter + 1)) - jitter : 0));
    for (let j = 0; j < n; j++) {
      for (let from = 0; from < scrapes; from += len) {
        const to = Math.min(scrapes, from + len);
        const a = process.hrtime.bigint();
        const data = encodeChunk(ts, columns[j]!, from, to);
        const b = process.hrtime.bigint();
        decodeChunk(data);
        decNs += Number(process.hrtime.bigint() - b);
        encNs += Number(b - a);
        for (const k of [kinds[j]!, 'all']) {
          bytes.set(k, (bytes.get(k) ?? 0) + data.length);
          samples.set(k, (samples.get(k) ?? 0) + to - from);
        }
      }
    }
    const per = (k: string): string => (samples.get(k) ? (bytes.get(k)! / samples.get(k)!).toFixed(2) : '-');
    const total = samples.get('all')!;
    console.log(`| ${len} | ${jitter ? `±${jitter} ms jitter` : 'exact'} | ${per('all')} | ${per('constant')} | ${per('integer')} | ${per('float')} | ${(encNs / total / 1000).toFixed(3)} | ${(decNs / total / 1000).toFixed(3)} |`);
  }
}
