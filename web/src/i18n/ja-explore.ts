import type { enExplore } from './en-explore.js';

/** Explore と概要の追加分（`ja` に統合される）。 */
export const jaExplore: Record<keyof typeof enExplore, string> = {
  'logs.syntaxError': 'ここに LogQL の構文エラーがあります',
  'logs.showContext': '前後の行を表示',
  'logs.context': '同じストリームの前後の行',
  'logs.contextOlder': 'さらに古い {n} 行を読み込む',
  'logs.contextNewer': 'さらに新しい {n} 行を読み込む',
};
