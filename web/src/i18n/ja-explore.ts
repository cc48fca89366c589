import type { enExplore } from './en-explore.js';

/** Explore と概要の追加分（`ja` に統合される）。 */
export const jaExplore: Record<keyof typeof enExplore, string> = {
  'logs.syntaxError': 'ここに LogQL の構文エラーがあります',
  'logs.showContext': '前後の行を表示',
  'logs.context': '同じストリームの前後の行',
  'logs.contextOlder': 'さらに古い {n} 行を読み込む',
  'logs.contextNewer': 'さらに新しい {n} 行を読み込む',
  'graph.title': 'サービスグラフ',
  'graph.views': 'トレースの表示',
  'graph.searchTab': 'トレース検索',
  'graph.empty': 'この期間にサービス間の呼び出しはありません',
  'graph.emptyText': 'グラフは traces_service_graph_* メトリクスから描かれます。クライアントスパンとそれが呼んだサーバースパンが届くと Ichigen が書き込みます（OpenTelemetry の HTTP/gRPC 計装で揃います）。traces.span_metrics_interval ごとに更新されます。',
  'graph.nodeLabel': '{service}: {rate}（トレースを表示）',
  'graph.errorsShort': 'エラー {pct}',
  'graph.edges': 'サービス間の呼び出し',
  'graph.client': '呼び出し元',
  'graph.server': '呼び出し先',
  'graph.rate': 'リクエストレート',
  'graph.errorRate': '失敗',
  'graph.p95': 'p95（サーバー側）',
  'traces.related': '関連',
  'traces.spanLogs': 'このトレース ID のログ',
  'traces.noLogs': '検索できるログストリームがありません。',
  'traces.spanRate': 'この操作の呼び出しレート（スパンメトリクス）',
  'traces.spanLatency': 'この操作の p95 所要時間（スパンメトリクス）',
};
