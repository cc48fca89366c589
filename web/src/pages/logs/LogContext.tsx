import { useEffect, useRef, useState } from 'react';
import { lokiApi } from '../../api/loki.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { Modal } from '../../components/Modal.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { contextRequests, mergeContext, streamSelector, type ContextRequest } from '../../lib/log-context.js';
import type { LogLine } from '../../lib/log-lines.js';

const STEP = 25;
async function fetchLines(r: ContextRequest, signal: AbortSignal): Promise<LogLine[]> {
  return (await lokiApi.lines(r, signal)).lines;
}

/** The lines logged just before and after one line, in its own stream, oldest first. */
export function LogContext({ anchor, onClose }: { anchor: LogLine; onClose: () => void }): React.JSX.Element {
  const t = useT();
  const [counts, setCounts] = useState({ before: STEP, after: STEP });
  const [state, setState] = useState<{ selector: string; lines: LogLine[]; anchorIndex: number; more: { before: boolean; after: boolean } }>();
  const [error, setError] = useState<Error>();
  const anchorRow = useRef<HTMLDivElement>(null);
  const scrolled = useRef(false);

  useEffect(() => {
    const ac = new AbortController();
    void (async () => {
      try {
        const day = 24 * 3600 * 1000;
        const names = await lokiApi.labels(anchor.ms - day, anchor.ms + day, ac.signal);
        const selector = streamSelector(anchor.labels, new Set(names));
        const req = contextRequests(selector, anchor.ts, counts.before, counts.after);
        const [before, after] = await Promise.all([fetchLines(req.before, ac.signal), fetchLines(req.after, ac.signal)]);
        const merged = mergeContext(before, anchor, after);
        setState({ selector, ...merged, more: { before: before.length >= counts.before, after: after.length > counts.after } });
        setError(undefined);
      } catch (e) {
        if (!ac.signal.aborted) setError(e as Error);
      }
    })();
    return () => ac.abort();
  }, [anchor, counts]);

  useEffect(() => {
    if (state && !scrolled.current && anchorRow.current) {
      anchorRow.current.scrollIntoView({ block: 'center' });
      scrolled.current = true;
    }
  }, [state]);

  return (
    <Modal label={t('logs.context')} onClose={onClose} wide>
      <div className="modal-head">
        <h2>{t('logs.context')}</h2>
        <button type="button" className="btn" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      {state && <p className="muted small mono">{state.selector}</p>}
      <ErrorNote error={error} />
      {!state && !error && <p className="muted">{t('common.loading')}</p>}
      {state && (
        <div className="log-context" role="list">
          {state.more.before && (
            <button type="button" className="btn btn-small" onClick={() => setCounts((c) => ({ ...c, before: c.before + STEP }))}>
              {t('logs.contextOlder', { n: STEP })}
            </button>
          )}
          {state.lines.map((l, i) => (
            <div key={`${l.ts}-${i}`} ref={i === state.anchorIndex ? anchorRow : undefined} role="listitem" className={`log-row static lvl-${l.level}${i === state.anchorIndex ? ' sel anchor' : ''}`} aria-current={i === state.anchorIndex ? 'true' : undefined}>
              <span className="log-ts">{formatDateTime(l.ms)}</span>
              <span className="log-line">{l.line}</span>
            </div>
          ))}
          {state.more.after && (
            <button type="button" className="btn btn-small" onClick={() => setCounts((c) => ({ ...c, after: c.after + STEP }))}>
              {t('logs.contextNewer', { n: STEP })}
            </button>
          )}
        </div>
      )}
    </Modal>
  );
}
