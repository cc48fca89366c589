/** English strings of dashboards added with issue 8's second half (merged into `en`). */
export const enDashboards = {
  'dash.type.heatmap': 'Heatmap (histogram)',
  'dash.type.logs': 'Logs',
  'dash.logQuery': 'LogQL query ($variable allowed)',
  'dash.source': 'Query language',
  'dash.source.prometheus': 'PromQL (metrics)',
  'dash.source.loki': 'LogQL metric query (logs)',
  'dash.heatmapPlaceholder': 'Histogram buckets, e.g. sum by (le) (rate(http_request_duration_seconds_bucket[5m]))',
  'dash.heatmapNeedsLe': 'A heatmap needs histogram buckets: series with an le label, e.g. sum by (le) (rate(…_bucket[5m])).',
  'dash.heatmapLabel': 'Heatmap of {buckets} buckets over {steps} steps',
  'dash.logsNeedLogQuery': 'A logs panel needs a log query (a selector and filters), not a metric query.',
} as const;
