import { useState, type FormEvent } from 'react';
import { automationApi, type EventFilter, type StoredEvent } from '../../api/automation.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { Link, setSearch } from '../../lib/router.js';
import { useAsync } from '../../lib/use-async.js';

const SINCE = { '1h': 3600_000, '24h': 86_400_000, '7d': 7 * 86_400_000, all: 0 } as const;
type Since = keyof typeof SINCE;

function fromUrl(): EventFilter & { since: Since } {
  const q = new URLSearchParams(location.search);
  const since = q.get('since') ?? '24h';
  return { source: q.get('source') ?? '', detailType: q.get('detail_type') ?? '', q: q.get('q') ?? '', pattern: q.get('pattern') ?? '', since: since in SINCE ? (since as Since) : '24h' };
}

/** The event stream: search by source, detail type, text, time and EventBridge pattern; newest first. */
export function Events(): React.JSX.Element {
  const t = useT();
  const [form, setForm] = useState(fromUrl);
  const [applied, setApplied] = useState(form);
  const [older, setOlder] = useState<{ events: StoredEvent[]; next: number | null }>({ events: [], next: null });
  const [open, setOpen] = useState<string>();
  const [error, setError] = useState<Error>();
  const filter = (f: typeof applied): EventFilter => ({ ...f, from: SINCE[f.since] === 0 ? '' : new Date(Date.now() - SINCE[f.since]).toISOString() });
  const page = useAsync((signal) => automationApi.events(filter(applied), undefined, signal), [applied]);

  const search = (e: FormEvent): void => {
    e.preventDefault();
    setOlder({ events: [], next: null });
    setApplied({ ...form });
    setSearch({ source: form.source, detail_type: form.detailType, q: form.q, pattern: form.pattern, since: form.since === '24h' ? undefined : form.since });
  };
  const next = older.events.length > 0 ? older.next : (page.data?.next ?? null);
  const loadOlder = async (): Promise<void> => {
    if (next === null) return;
    try {
      const p = await automationApi.events(filter(applied), next);
      setOlder({ events: [...older.events, ...p.events], next: p.next });
    } catch (e) {
      setError(e as Error);
    }
  };
  const events = [...(page.data?.events ?? []), ...older.events];
  const field = (name: 'source' | 'detailType' | 'q', label: string): React.JSX.Element => (
    <label className="field">
      <span>{label}</span>
      <input name={name} value={form[name]} onChange={(e) => setForm({ ...form, [name]: e.target.value })} />
    </label>
  );

  return (
    <>
      <PageHeader title={t('events.title')} />
      <form className="card events-search" onSubmit={search}>
        <div className="row">
          {field('source', t('events.source'))}
          {field('detailType', t('events.detailType'))}
          {field('q', t('events.text'))}
          <label className="field">
            <span>{t('events.since')}</span>
            <select name="since" value={form.since} onChange={(e) => setForm({ ...form, since: e.target.value as Since })}>
              {(Object.keys(SINCE) as Since[]).map((s) => (
                <option key={s} value={s}>
                  {t(`events.since.${s}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <label className="field">
          <span>{t('events.pattern')}</span>
          <textarea name="pattern" rows={2} className="mono" placeholder='{"source": ["aws.backup"], "detail": {"state": ["FAILED"]}}' value={form.pattern} onChange={(e) => setForm({ ...form, pattern: e.target.value })} />
        </label>
        <button type="submit" className="btn btn-primary">
          {t('events.search')}
        </button>
      </form>
      <ErrorNote error={error ?? page.error} />
      {page.data && events.length === 0 ? (
        <div className="card empty-state">
          <h2>{t('events.empty')}</h2>
          <p className="muted">{t('events.emptyText')}</p>
        </div>
      ) : (
        <div className="card flush">
          <table className="table events-table">
            <thead>
              <tr>
                <th>{t('events.time')}</th>
                <th>{t('events.source')}</th>
                <th>{t('events.detailType')}</th>
                <th>{t('events.resources')}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((e) => (
                <EventRow key={e.seq} event={e} open={open === e.id} onToggle={() => setOpen(open === e.id ? undefined : e.id)} />
              ))}
            </tbody>
          </table>
          {next !== null && (
            <div className="row" style={{ padding: 10 }}>
              <button type="button" className="btn btn-small" onClick={() => void loadOlder()}>
                {t('events.more')}
              </button>
            </div>
          )}
        </div>
      )}
    </>
  );
}

function EventRow({ event, open, onToggle }: { event: StoredEvent; open: boolean; onToggle: () => void }): React.JSX.Element {
  return (
    <>
      <tr data-event={event.id} onClick={onToggle} style={{ cursor: 'pointer' }} aria-expanded={open}>
        <td className="nowrap">{formatDateTime(Date.parse(event.time))}</td>
        <td className="mono">{event.source}</td>
        <td>
          <Link to={`/automation/events/${encodeURIComponent(event.id)}`} onClick={(e) => e.stopPropagation()}>
            {event['detail-type']}
          </Link>
        </td>
        <td className="mono small">{event.resources.join(', ')}</td>
      </tr>
      {open && (
        <tr>
          <td colSpan={4}>
            <div className="copyblock">
              <pre>
                <code>{JSON.stringify(event.detail, null, 2)}</code>
              </pre>
            </div>
          </td>
        </tr>
      )}
    </>
  );
}
