import { useState, type FormEvent } from 'react';
import { authApi } from '../../api/auth.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';

export function Profile(): React.JSX.Element {
  const t = useT();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [error, setError] = useState<Error>();
  const [done, setDone] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    setDone(false);
    try {
      await authApi.changePassword(current, next);
      setDone(true);
      setCurrent('');
      setNext('');
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <>
      <PageHeader title={t('user.changePassword')} />
      <form className="card narrow" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>{t('user.currentPassword')}</span>
          <input type="password" required autoComplete="current-password" value={current} onChange={(e) => setCurrent(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('user.newPassword')}</span>
          <input type="password" required minLength={8} autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} />
        </label>
        <ErrorNote error={error} />
        {done && <div className="note note-ok">{t('user.passwordChanged')}</div>}
        <button type="submit" className="btn btn-primary">
          {t('common.save')}
        </button>
      </form>
    </>
  );
}
