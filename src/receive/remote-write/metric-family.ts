import type { MetricType } from '../../model/index.js';

const SUFFIXES: Partial<Record<MetricType, readonly string[]>> = {
  histogram: ['_bucket', '_sum', '_count'],
  gaugehistogram: ['_bucket', '_gsum', '_gcount'],
  summary: ['_sum', '_count'],
};

/**
 * The metric family a series belongs to. Remote write 2.0 attaches metadata to each series
 * (`foo_bucket`, `foo_sum`, …) while `/api/v1/metadata` answers per family (`foo`, as remote
 * write 1.0 and scrapes name it), so the series suffixes of histograms and summaries go.
 */
export function metricFamilyName(seriesName: string, type: MetricType): string {
  for (const suffix of SUFFIXES[type] ?? []) {
    if (seriesName.length > suffix.length && seriesName.endsWith(suffix)) return seriesName.slice(0, -suffix.length);
  }
  return seriesName;
}
