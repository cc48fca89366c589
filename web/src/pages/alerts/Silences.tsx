import { useState, type FormEvent } from 'react';
import { alertingApi, type Silence } from '../../api/alerting.js';
import { useSession } from '../../api/session.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { FormActions } from '../../components/FormActions.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { formatMatchers, MATCHER_OPS, matcherOf, silenceWindow, type MatcherOp } from '../../lib/silence.js';
import { useAsync } from '../../lib/use-async.js';

type Filter = 'active' | 'pending' | 'expired';
interface Row {
  readonly name: string;
  readonly op: MatcherOp;
  readonly value: string;
}
const DURATIONS = ['1h', '2h', '4h', '1d', '7d'] as const;

function NewSilence({ onCreated, onCancel }: { onCreated: () => void; onCancel: () => void }): React.JSX.Element {
  const t = useT();
  const { me } = useSession();
  const init = new URLSearchParams(location.search);
  const [rows, setRows] = useState<Row[]>(() => {
    // Prefilled from a link (`?matcher=alertname=Down`), else one empty row.
    const from = init.getAll('matcher').map((m) => /^([^=!~]+)(=~|!~|!=|=)(.*)$/.exec(m)).filter((m): m is RegExpExecArray => m !== null);
    return from.length > 0 ? from.map((m) => ({ name: m[1]!, op: m[2] as MatcherOp, value: m[3]! })) : [{ name: '', op: '=', value: '' }];
  });
  const [duration, setDuration] = useState('2h');
  const [comment, setComment] = useState('');
  const [error, setError] = useState<Error>();
  const set = (i: number, r: Partial<Row>): void => setRows(rows.map((x, k) => (k === i ? { ...x, ...r } : x)));
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    try {
      const matchers = rows.filter((r) => r.name.trim() !== '').map((r) => matcherOf(r.name, r.op, r.value));
      if (matchers.length === 0) throw new Error(t('silences.needMatcher'));
      await alertingApi.createSilence({ matchers, ...silenceWindow(Date.now(), duration), createdBy: me?.name ?? '', comment });
      onCreated();
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <form className="card form" onSubmit={(e) => void submit(e)} aria-label={t('silences.new')}>
      <h2>{t('silences.new')}</h2>
      <fieldset className="matchers">
        <legend>{t('silences.matchers')}</legend>
        {rows.map((r, i) => (
          <div key={i} className="matcher-row">
            <input aria-label={t('silences.label')} name={`matcher-name-${i}`} className="mono" placeholder="alertname" value={r.name} onChange={(e) => set(i, { name: e.target.value })} />
            <select aria-label={t('silences.op')} name={`matcher-op-${i}`} value={r.op} onChange={(e) => set(i, { op: e.target.value as MatcherOp })}>
              {MATCHER_OPS.map((op) => (
                <option key={op} value={op}>
                  {op}
                </option>
              ))}
            </select>
            <input aria-label={t('silences.value')} name={`matcher-value-${i}`} className="mono grow" value={r.value} onChange={(e) => set(i, { value: e.target.value })} />
            <button type="button" className="btn btn-small" aria-label={t('silences.removeMatcher')} disabled={rows.length === 1} onClick={() => setRows(rows.filter((_, k) => k !== i))}>
              ×
            </button>
          </div>
        ))}
        <button type="button" className="btn btn-small" onClick={() => setRows([...rows, { name: '', op: '=', value: '' }])}>
          {t('silences.addMatcher')}
        </button>
      </fieldset>
      <div className="form-grid">
        <label className="field">
          <span>{t('silences.duration')}</span>
          <input name="silence-duration" list="silence-durations" value={duration} onChange={(e) => setDuration(e.target.value)} />
          <datalist id="silence-durations">
            {DURATIONS.map((d) => (
              <option key={d} value={d} />
            ))}
          </datalist>
        </label>
        <label className="field grow">
          <span>{t('silences.comment')}</span>
          <input name="silence-comment" value={comment} onChange={(e) => setComment(e.target.value)} required />
        </label>
      </div>
      <ErrorNote error={error} />
      <FormActions submit={t('silences.create')} onCancel={onCancel} />
    </form>
  );
}

/** Alertmanager-API silences: list by state, create with matchers and a duration, expire. */
export function Silences(): React.JSX.Element {
  const t = useT();
  const { canWrite } = useSession();
  const list = useAsync((signal) => alertingApi.silences(signal), []);
  const [filter, setFilter] = useState<Filter>('active');
  const [creating, setCreating] = useState(() => new URLSearchParams(location.search).has('matcher'));
  const [error, setError] = useState<Error>();
  const shown = (list.data ?? []).filter((s) => s.status.state === filter).sort((a, b) => Date.parse(b.startsAt) - Date.parse(a.startsAt));
  const expire = async (s: Silence): Promise<void> => {
    if (!confirm(t('silences.confirmExpire', { matchers: formatMatchers(s.matchers) }))) return;
    try {
      await alertingApi.expireSilence(s.id);
      list.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <>
      <PageHeader title={t('silences.title')}>
        {canWrite && !creating && (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            {t('silences.new')}
          </button>
        )}
      </PageHeader>
      {creating && (
        <NewSilence
          onCreated={() => {
            setCreating(false);
            setFilter('active');
            list.reload();
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      <div className="seg" role="tablist" aria-label={t('silences.filter')}>
        {(['active', 'pending', 'expired'] as const).map((f) => (
          <button key={f} type="button" role="tab" aria-selected={filter === f} className={filter === f ? 'on' : ''} onClick={() => setFilter(f)}>
            {t(`silences.state.${f}`)} ({(list.data ?? []).filter((s) => s.status.state === f).length})
          </button>
        ))}
      </div>
      <ErrorNote error={list.error ?? error} />
      {list.data && shown.length === 0 && (
        <div className="card empty-state">
          <p className="muted">{t('silences.empty')}</p>
        </div>
      )}
      {shown.length > 0 && (
        <div className="card flush table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th>{t('silences.matchers')}</th>
                <th>{t('silences.comment')}</th>
                <th>{t('silences.createdBy')}</th>
                <th>{t('silences.starts')}</th>
                <th>{t('silences.ends')}</th>
                {canWrite && filter !== 'expired' && <th />}
              </tr>
            </thead>
            <tbody>
              {shown.map((s) => (
                <tr key={s.id}>
                  <td className="mono">{formatMatchers(s.matchers)}</td>
                  <td>{s.comment}</td>
                  <td>{s.createdBy}</td>
                  <td className="nowrap">{formatDateTime(Date.parse(s.startsAt))}</td>
                  <td className="nowrap">{formatDateTime(Date.parse(s.endsAt))}</td>
                  {canWrite && filter !== 'expired' && (
                    <td className="right">
                      <button type="button" className="btn btn-small" onClick={() => void expire(s)}>
                        {t('silences.expire')}
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
