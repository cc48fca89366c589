import type { Labels, MetricMetadata } from '../../model/index.js';

/** Where scraped samples go: the metric store's `append`, seen structurally (store is a later layer). */
export interface ScrapeSink {
  append(
    tenant: string,
    batch: {
      readonly series: ReadonlyArray<{ readonly labels: Labels; readonly timestamps: Float64Array; readonly values: Float64Array }>;
      readonly metadata?: readonly MetricMetadata[];
    },
  ): Promise<unknown>;
}
