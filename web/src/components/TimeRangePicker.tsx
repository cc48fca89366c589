import { useCallback, useEffect, useRef, useState } from 'react';
import { useT } from '../i18n/i18n.js';
import { useDismiss } from '../lib/use-dismiss.js';
import { formatDateTime } from '../lib/format-time.js';
import { describeRange, RELATIVE_PRESETS, resolveTime, type TimeRange } from '../lib/time-range.js';

function label(range: TimeRange, t: ReturnType<typeof useT>): string {
  const d = describeRange(range);
  if ('relative' in d) return t('time.last', { d: d.relative });
  const show = (x: string): string => {
    try {
      return formatDateTime(resolveTime(x, Date.now()));
    } catch {
      return x;
    }
  };
  return `${show(d.from)} → ${show(d.to)}`;
}

/** Relative presets plus a custom from/to (relative expressions, ISO dates or epoch ms). */
export function TimeRangePicker({ value, onChange }: { value: TimeRange; onChange: (r: TimeRange) => void }): React.JSX.Element {
  const t = useT();
  const [open, setOpen] = useState(false);
  const [from, setFrom] = useState(value.from);
  const [to, setTo] = useState(value.to);
  const [error, setError] = useState<string>();
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    setFrom(value.from);
    setTo(value.to);
  }, [value]);
  const closeMenu = useCallback(() => setOpen(false), []);
  useDismiss(open, ref, closeMenu);
  const apply = (): void => {
    try {
      const now = Date.now();
      if (resolveTime(from, now) >= resolveTime(to, now)) throw new Error('from ≥ to');
      setError(undefined);
      onChange({ from, to });
      setOpen(false);
    } catch (e) {
      setError((e as Error).message);
    }
  };
  return (
    <div className="picker" ref={ref}>
      <button type="button" className="btn" aria-haspopup="dialog" aria-expanded={open} onClick={() => setOpen(!open)} title={t('time.range')}>
        <span aria-hidden="true">◷</span> {label(value, t)}
      </button>
      {open && (
        <div className="picker-pop" role="dialog" aria-label={t('time.range')}>
          <div className="picker-presets">
            {RELATIVE_PRESETS.map((p) => (
              <button
                key={p}
                type="button"
                className={`menu-item${value.from === `now-${p}` && value.to === 'now' ? ' on' : ''}`}
                onClick={() => {
                  onChange({ from: `now-${p}`, to: 'now' });
                  setOpen(false);
                }}
              >
                {t('time.last', { d: p })}
              </button>
            ))}
          </div>
          <div className="picker-custom">
            <div className="muted small">{t('time.custom')}</div>
            <label className="field">
              <span>{t('time.from')}</span>
              <input className="mono" value={from} onChange={(e) => setFrom(e.target.value)} />
            </label>
            <label className="field">
              <span>{t('time.to')}</span>
              <input className="mono" value={to} onChange={(e) => setTo(e.target.value)} />
            </label>
            {error && <div className="note note-error">{error}</div>}
            <button type="button" className="btn btn-primary" onClick={apply}>
              {t('time.apply')}
            </button>
          </div>
        </div>
      )}
    </div>
  );
}
