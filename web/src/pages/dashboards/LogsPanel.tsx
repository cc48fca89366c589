import { useEffect, useState } from 'react';
import { z } from 'zod';
import { request } from '../../api/client.js';
import { useT } from '../../i18n/i18n.js';
import { linesFromStreams, type LogLine } from '../../lib/log-lines.js';
import { navigate } from '../../lib/router.js';
import { resolveRange, type TimeRange } from '../../lib/time-range.js';
import { LogList } from '../logs/LogList.js';

/** Lines one logs panel shows (newest first); Explore logs has the rest. */
const LIMIT = 200;
const streamsSchema = z.object({
  status: z.literal('success'),
  data: z.object({ resultType: z.string(), result: z.array(z.object({ stream: z.record(z.string()), values: z.array(z.tuple([z.string(), z.string()]).rest(z.record(z.unknown()))) })).default([]) }),
});

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
        const res = await request('/loki/api/v1/query_range', streamsSchema, { query: { query: expr, start: `${start}000000`, end: `${end}000000`, limit: LIMIT, direction: 'backward' }, signal: ac.signal });
        if (res.data.resultType !== 'streams') throw new Error(t('dash.logsNeedLogQuery'));
        setState({ lines: linesFromStreams(res.data.result) });
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
