/**
 * Real node_exporter data for the ingest benchmark and the chunk-codec measurements: scrapes
 * the Debian node_exporter `scrapes` times, `intervalMs` apart, and keeps the series present
 * in every scrape (labels + a value per scrape). Cached under bench/.work, since capturing
 * takes scrapes × interval.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { labelsFromRecord, type Labels } from '../../src/model/index.js';
import { parseExposition } from '../../src/receive/scrape/index.js';
import { startNodeExporter } from '../../test/support/peers.js';

export interface Capture {
  /** Series labels (sorted), without job/instance. */
  readonly labels: Labels[];
  /** values[scrape][series] */
  readonly values: Float64Array[];
  readonly intervalMs: number;
}

const WORK = path.join(import.meta.dirname, '..', '.work');

export async function nodeExporterCapture(scrapes: number, intervalMs: number): Promise<Capture> {
  mkdirSync(WORK, { recursive: true });
  const base = path.join(WORK, `node-exporter-${scrapes}x${intervalMs}ms`);
  if (existsSync(`${base}.f64`)) {
    const labels = (JSON.parse(readFileSync(`${base}.json`, 'utf8')) as Array<Record<string, string>>).map(labelsFromRecord);
    const raw = readFileSync(`${base}.f64`);
    const all = new Float64Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.byteLength));
    const values = Array.from({ length: scrapes }, (_, i) => all.slice(i * labels.length, (i + 1) * labels.length));
    return { labels, values, intervalMs };
  }
  const ne = await startNodeExporter();
  const rows: Array<Map<string, number>> = [];
  const keys = new Map<string, Record<string, string>>();
  try {
    for (let i = 0; i < scrapes; i++) {
      const started = Date.now();
      const text = await (await fetch(`${ne.url}/metrics`)).text();
      const row = new Map<string, number>();
      for (const s of parseExposition(text, false).samples) {
        const rec: Record<string, string> = {};
        for (const l of s.labels) rec[l.name] = l.value;
        const key = JSON.stringify(Object.entries(rec).sort());
        keys.set(key, rec);
        row.set(key, s.value);
      }
      rows.push(row);
      await new Promise((r) => setTimeout(r, Math.max(0, intervalMs - (Date.now() - started))));
    }
  } finally {
    await ne.stop();
  }
  const kept = [...keys.keys()].filter((k) => rows.every((r) => r.has(k)));
  const labels = kept.map((k) => keys.get(k)!);
  const all = new Float64Array(scrapes * kept.length);
  rows.forEach((r, i) => kept.forEach((k, j) => (all[i * kept.length + j] = r.get(k)!)));
  writeFileSync(`${base}.json`, JSON.stringify(labels));
  writeFileSync(`${base}.f64`, new Uint8Array(all.buffer));
  return nodeExporterCapture(scrapes, intervalMs);
}
