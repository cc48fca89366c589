import { useState, type FormEvent } from 'react';
import { authApi } from '../api/auth.js';
import { ApiError } from '../api/client.js';
import { useSession } from '../api/session.js';
import { BrandMark } from '../components/BrandMark.js';
import { useT } from '../i18n/i18n.js';
import { navigate } from '../lib/router.js';

export function Login(): React.JSX.Element {
  const t = useT();
  const { refresh } = useSession();
  const [username, setUsername] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await authApi.login(username, password);
      await refresh();
      const next = new URLSearchParams(location.search).get('next');
      navigate(next && next.startsWith('/') && !next.startsWith('//') ? next : '/', true);
    } catch (err) {
      if (err instanceof ApiError && err.status === 429) setError(t('login.tooMany'));
      else if (err instanceof ApiError && err.status === 401) setError(t('login.failed'));
      else setError(t('common.error', { message: err instanceof Error ? err.message : String(err) }));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="login-page">
      <form className="login-card" onSubmit={(e) => void submit(e)}>
        <div className="login-brand">
          <BrandMark big />
          <div>
            <h1>{t('login.title')}</h1>
            <p className="muted">{t('app.tagline')}</p>
          </div>
        </div>
        <label className="field">
          <span>{t('login.username')}</span>
          <input name="username" autoComplete="username" autoFocus required value={username} onChange={(e) => setUsername(e.target.value)} />
        </label>
        <label className="field">
          <span>{t('login.password')}</span>
          <input name="password" type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </label>
        {error && (
          <div className="note note-error" role="alert">
            {error}
          </div>
        )}
        <button type="submit" className="btn btn-primary btn-block" disabled={busy}>
          {t('login.submit')}
        </button>
        <p className="muted small">{t('login.firstTime')}</p>
      </form>
    </div>
  );
}
