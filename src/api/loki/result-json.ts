import type { Labels } from '../../model/index.js';
import type { QueryResult, QueryStats } from '../../query/logql/index.js';

/** Prometheus-style float text (strconv 'f', -1): no exponent, NaN/±Inf spelled out. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  const s = String(v);
  if (!s.includes('e')) return s;
  return v.toFixed(20).replace(/\.?0+$/, '');
}

function record(labels: Labels): Record<string, string> {
  const o: Record<string, string> = {};
  for (const l of labels) o[l.name] = l.value;
  return o;
}

/** Loki's `stats` block (the fields Grafana reads; counts are what this query did). */
export function statsBlock(stats: QueryStats, execSeconds: number): Record<string, unknown> {
  const store = { totalChunksRef: 0, totalChunksDownloaded: 0, chunksDownloadTime: 0, queryReferencedStructuredMetadata: false, chunk: { headChunkBytes: 0, headChunkLines: 0, decompressedBytes: stats.bytesScanned, decompressedLines: stats.entriesScanned, compressedBytes: 0, totalDuplicates: 0, postFilterLines: 0, headChunkStructuredMetadataBytes: 0, decompressedStructuredMetadataBytes: 0 }, chunkRefsFetchTime: 0, congestionControlLatency: 0, pipelineWrapperFilteredLines: 0 };
  return {
    summary: { bytesProcessedPerSecond: execSeconds > 0 ? Math.round(stats.bytesScanned / execSeconds) : 0, linesProcessedPerSecond: execSeconds > 0 ? Math.round(stats.entriesScanned / execSeconds) : 0, totalBytesProcessed: stats.bytesScanned, totalLinesProcessed: stats.entriesScanned, execTime: execSeconds, queueTime: 0, subqueries: 0, totalEntriesReturned: 0, splits: 0, shards: 0, totalPostFilterLines: 0, totalStructuredMetadataBytesProcessed: 0 },
    querier: { store },
    ingester: { totalReached: 0, totalChunksMatched: 0, totalBatches: 0, totalLinesSent: 0, store },
    cache: {},
    index: { totalChunks: 0, postFilterChunks: 0, shardsDuration: 0, usedBloomFilters: false },
  };
}

/** The `data` object of a query answer, exactly as Loki shapes it. */
export function resultData(r: QueryResult, stats: QueryStats, execSeconds: number): Record<string, unknown> {
  const s = statsBlock(stats, execSeconds);
  switch (r.type) {
    case 'streams':
      return { resultType: 'streams', result: r.streams.map((st) => ({ stream: record(st.labels), values: st.entries.map(([ts, line]) => [String(ts), line]) })), stats: s };
    case 'matrix':
      return { resultType: 'matrix', result: r.series.map((se) => ({ metric: record(se.labels), values: se.points.map(([t, v]) => [t / 1000, formatValue(v)]) })), stats: s };
    case 'vector':
      return { resultType: 'vector', result: r.samples.map((x) => ({ metric: record(x.labels), value: [r.timeMs / 1000, formatValue(x.value)] })), stats: s };
    case 'scalar':
      return { resultType: 'scalar', result: [r.timeMs / 1000, formatValue(r.value)], stats: s };
  }
}
