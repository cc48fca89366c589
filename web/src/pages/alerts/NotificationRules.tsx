import { useEffect, useState, type FormEvent } from 'react';
import { alertingApi, METHODS, type Method, type NotificationSettings, type UserRule } from '../../api/alerting.js';
import { useSession } from '../../api/session.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { moveStep } from '../../lib/chain-steps.js';

type Contact = NotificationSettings['contact'];
const CONTACT_FIELDS: ReadonlyArray<{ key: keyof Contact; type: string; placeholder: string }> = [
  { key: 'email', type: 'email', placeholder: 'ann@example.com' },
  { key: 'phone', type: 'tel', placeholder: '+14155550100' },
  { key: 'slackUserId', type: 'text', placeholder: 'U012AB3CD' },
  { key: 'teamsWebhookUrl', type: 'url', placeholder: 'https://…' },
  { key: 'webhookUrl', type: 'url', placeholder: 'https://…' },
];

function RuleList({ name, rules, onChange }: { name: 'rules' | 'importantRules'; rules: readonly UserRule[]; onChange: (r: UserRule[]) => void }): React.JSX.Element {
  const t = useT();
  const set = (i: number, r: UserRule): void => onChange(rules.map((x, k) => (k === i ? r : x)));
  return (
    <fieldset className="field">
      <legend>{t(`notif.${name}`)}</legend>
      <ol className="steps">
        {rules.map((r, i) => (
          <li key={i} className="step step-inline">
            <span className="step-no">{i + 1}</span>
            <select aria-label={t('notif.ruleType', { n: i + 1 })} name={`${name}-${i}-type`} value={r.type} onChange={(e) => set(i, e.target.value === 'wait' ? { type: 'wait', duration: '5m' } : { type: 'notify', method: 'email' })}>
              <option value="notify">{t('notif.notify')}</option>
              <option value="wait">{t('notif.wait')}</option>
            </select>
            {r.type === 'notify' ? (
              <select aria-label={t('notif.method')} name={`${name}-${i}-method`} value={r.method} onChange={(e) => set(i, { type: 'notify', method: e.target.value as Method })}>
                {METHODS.map((m) => (
                  <option key={m} value={m}>
                    {t(`notif.method.${m}`)}
                  </option>
                ))}
              </select>
            ) : (
              <input aria-label={t('chains.field.duration')} name={`${name}-${i}-duration`} value={r.duration} onChange={(e) => set(i, { type: 'wait', duration: e.target.value })} size={6} />
            )}
            <span className="grow" />
            <button type="button" className="btn btn-small" aria-label={t('chains.up', { n: i + 1 })} disabled={i === 0} onClick={() => onChange(moveStep(rules, i, -1))}>
              ↑
            </button>
            <button type="button" className="btn btn-small" aria-label={t('chains.down', { n: i + 1 })} disabled={i === rules.length - 1} onClick={() => onChange(moveStep(rules, i, 1))}>
              ↓
            </button>
            <button type="button" className="btn btn-small" aria-label={t('chains.remove', { n: i + 1 })} onClick={() => onChange(rules.filter((_, k) => k !== i))}>
              ×
            </button>
          </li>
        ))}
      </ol>
      <div className="row">
        <button type="button" className="btn btn-small" onClick={() => onChange([...rules, { type: 'notify', method: 'email' }])}>
          {t('notif.addNotify')}
        </button>
        <button type="button" className="btn btn-small" onClick={() => onChange([...rules, { type: 'wait', duration: '5m' }])}>
          {t('notif.addWait')}
        </button>
      </div>
    </fieldset>
  );
}

/** A person's contact points and personal escalation (default and important), quiet hours. */
export function NotificationRules(): React.JSX.Element {
  const t = useT();
  const { me, isAdmin } = useSession();
  const [user, setUser] = useState(() => new URLSearchParams(location.search).get('user') ?? me?.user?.username ?? me?.name ?? '');
  const [pickUser, setPickUser] = useState(user);
  const [s, setS] = useState<NotificationSettings>();
  const [error, setError] = useState<Error>();
  const [saved, setSaved] = useState(false);
  useEffect(() => {
    const ac = new AbortController();
    setS(undefined);
    setError(undefined);
    alertingApi.notificationSettings(user, ac.signal).then(setS, (e: unknown) => !ac.signal.aborted && setError(e as Error));
    return () => ac.abort();
  }, [user]);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (!s) return;
    setError(undefined);
    setSaved(false);
    try {
      // Empty contact fields are left out (the server checks the format of those given).
      const contact = Object.fromEntries(Object.entries(s.contact).filter(([, v]) => typeof v === 'string' && v.trim() !== '')) as Contact;
      setS(await alertingApi.saveNotificationSettings(user, { ...s, contact }));
      setSaved(true);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <>
      <PageHeader title={t('notif.title')} />
      <p className="muted">{t('notif.intro')}</p>
      {isAdmin && (
        <form
          className="row user-pick"
          onSubmit={(e) => {
            e.preventDefault();
            setUser(pickUser.trim());
          }}
        >
          <label className="inline">
            {t('notif.forUser')} <input name="notif-user" value={pickUser} onChange={(e) => setPickUser(e.target.value)} />
          </label>
          <button type="submit" className="btn btn-small">
            {t('notif.open')}
          </button>
        </form>
      )}
      <ErrorNote error={error} />
      {s && (
        <form className="card form" onSubmit={(e) => void submit(e)} aria-label={t('notif.title')}>
          <h2>{t('notif.contact', { user })}</h2>
          <div className="form-grid">
            {CONTACT_FIELDS.map((f) => (
              <label key={f.key} className="field">
                <span>{t(`notif.contact.${f.key}`)}</span>
                <input name={`contact-${f.key}`} type={f.type} placeholder={f.placeholder} value={s.contact[f.key] ?? ''} onChange={(e) => setS({ ...s, contact: { ...s.contact, [f.key]: e.target.value } })} />
              </label>
            ))}
          </div>
          <div className="form-grid">
            <RuleList name="rules" rules={s.rules} onChange={(rules) => setS({ ...s, rules })} />
            <RuleList name="importantRules" rules={s.importantRules} onChange={(importantRules) => setS({ ...s, importantRules })} />
          </div>
          <fieldset className="field">
            <legend>{t('notif.quietHours')}</legend>
            <div className="row">
              <label className="check">
                <input type="checkbox" name="quiet" checked={s.quietHours !== null} onChange={(e) => setS({ ...s, quietHours: e.target.checked ? { from: '22:00', to: '07:00' } : null })} /> {t('notif.quietOn')}
              </label>
              {s.quietHours && (
                <>
                  <input aria-label={t('chains.field.from')} type="time" name="quiet-from" value={s.quietHours.from} onChange={(e) => setS({ ...s, quietHours: { ...s.quietHours!, from: e.target.value } })} />
                  <input aria-label={t('chains.field.to')} type="time" name="quiet-to" value={s.quietHours.to} onChange={(e) => setS({ ...s, quietHours: { ...s.quietHours!, to: e.target.value } })} />
                </>
              )}
              <label className="inline">
                {t('chains.field.timeZone')} <input name="timezone" value={s.timeZone} onChange={(e) => setS({ ...s, timeZone: e.target.value })} />
              </label>
            </div>
          </fieldset>
          <div className="row">
            <button type="submit" className="btn btn-primary">
              {t('common.save')}
            </button>
            {saved && (
              <span role="status" className="ok">
                {t('notif.saved')}
              </span>
            )}
          </div>
        </form>
      )}
    </>
  );
}
