import { useEffect, useState } from 'react';
import { lokiApi } from '../../api/loki.js';
import { useT } from '../../i18n/i18n.js';
import type { LogLine } from '../../lib/log-lines.js';
import { navigate } from '../../lib/router.js';
import { resolveRange, type TimeRange } from '../../lib/time-range.js';
import { LogList } from '../logs/LogList.js';

/** Lines one logs panel shows (newest first); Explore logs has the rest. */
const LIMIT = 200;

/** A LogQL log query's newest lines, level-coloured; a line opens the query in Explore logs. */
export function LogsPanel({ expr, range, tick, height }: { expr: string; range: TimeRange; tick: number; height: number }): React.JSX.Element {
  const t = useT();
  const [state, setState] = useState<{ lines?: LogLine[]; error?: string }>();
  useEffect(() => {
    if (expr.trim() === '') return;
    const ac = new AbortController();
    void (async () => {
      try {
        const { start, end } = resolveRange(range);
        const res = await lokiApi.lines({ query: expr, start: lokiApi.ns(start), end: lokiApi.ns(end), limit: LIMIT, direction: 'backward' }, ac.signal);
        if (res.resultType !== 'streams') throw new Error(t('dash.logsNeedLogQuery'));
        setState({ lines: res.lines });
      } catch (e) {
        if (!ac.signal.aborted) setState({ error: (e as Error).message });
      }
    })();
    return () => ac.abort();
  }, [expr, range, tick, t]);
  if (state?.error) return <div className="panel-error">{state.error}</div>;
  if (!state?.lines) return <div className="panel-loading muted">{t('common.loading')}</div>;
  if (state.lines.length === 0) return <div className="panel-empty muted">{t('metrics.noData')}</div>;
  const open = (): void => navigate(`/explore/logs?${new URLSearchParams({ q: expr, from: range.from, to: range.to }).toString()}`);
  return (
    <div className="logs-panel">
      <LogList lines={state.lines} selected={undefined} onSelect={open} height={Math.max(height - 48, 60)} />
    </div>
  );
}
