import type { enDashboards } from './en-dashboards.js';

/** ダッシュボードの追加分（`ja` に統合される）。 */
export const jaDashboards: Record<keyof typeof enDashboards, string> = {
  'dash.type.heatmap': 'ヒートマップ（ヒストグラム）',
  'dash.type.logs': 'ログ',
  'dash.logQuery': 'LogQL クエリ（$変数 を使えます）',
  'dash.source': 'クエリ言語',
  'dash.source.prometheus': 'PromQL（メトリクス）',
  'dash.source.loki': 'LogQL メトリッククエリ（ログ）',
  'dash.heatmapPlaceholder': 'ヒストグラムのバケット。例: sum by (le) (rate(http_request_duration_seconds_bucket[5m]))',
  'dash.heatmapNeedsLe': 'ヒートマップにはヒストグラムのバケット（le ラベルを持つ系列）が必要です。例: sum by (le) (rate(…_bucket[5m]))',
  'dash.heatmapLabel': '{buckets} 個のバケット × {steps} ステップのヒートマップ',
  'dash.logsNeedLogQuery': 'ログパネルにはメトリクスクエリではなくログクエリ（セレクターとフィルター）が必要です。',
};
