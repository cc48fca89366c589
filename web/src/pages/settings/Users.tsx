import { useState, type FormEvent } from 'react';
import { authApi } from '../../api/auth.js';
import { ROLES, type Role } from '../../api/schemas.js';
import { useSession } from '../../api/session.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { useAsync } from '../../lib/use-async.js';

export function Users(): React.JSX.Element {
  const t = useT();
  const { me } = useSession();
  const list = useAsync(() => authApi.users(), []);
  const [form, setForm] = useState({ username: '', displayName: '', email: '', password: '', role: 'viewer' as Role });
  const [error, setError] = useState<Error>();
  const [notice, setNotice] = useState<string>();

  const act = async (f: () => Promise<unknown>, message?: string): Promise<void> => {
    setError(undefined);
    setNotice(undefined);
    try {
      await f();
      if (message) setNotice(message);
      list.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const create = (e: FormEvent): void => {
    e.preventDefault();
    void act(async () => {
      await authApi.createUser({ username: form.username, password: form.password, role: form.role, ...(form.displayName ? { displayName: form.displayName } : {}), ...(form.email ? { email: form.email } : {}) });
      setForm({ username: '', displayName: '', email: '', password: '', role: 'viewer' });
    });
  };

  return (
    <>
      <PageHeader title={t('users.title')} />
      <p className="lead">{t('users.intro')}</p>
      <form className="card" onSubmit={create}>
        <h2>{t('users.new')}</h2>
        <div className="form-grid">
          <label className="field">
            <span>{t('users.username')}</span>
            <input name="new-username" required maxLength={64} value={form.username} onChange={(e) => setForm({ ...form, username: e.target.value })} autoComplete="off" />
          </label>
          <label className="field">
            <span>{t('users.displayName')}</span>
            <input value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} />
          </label>
          <label className="field">
            <span>{t('users.email')}</span>
            <input type="email" value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} />
          </label>
          <label className="field">
            <span>{t('users.password')}</span>
            <input name="new-password" type="password" required minLength={8} value={form.password} onChange={(e) => setForm({ ...form, password: e.target.value })} autoComplete="new-password" />
          </label>
          <label className="field">
            <span>{t('users.role')}</span>
            <select value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </label>
        </div>
        <button type="submit" className="btn btn-primary">
          {t('common.create')}
        </button>
      </form>
      <ErrorNote error={error ?? list.error} />
      {notice && <div className="note note-ok">{notice}</div>}
      <div className="card flush">
        <table className="table">
          <thead>
            <tr>
              <th>{t('users.username')}</th>
              <th>{t('users.email')}</th>
              <th>{t('users.role')}</th>
              <th>{t('users.status')}</th>
              <th>{t('tokens.created')}</th>
              <th aria-label={t('common.actions')} />
            </tr>
          </thead>
          <tbody>
            {(list.data ?? []).map((u) => (
              <tr key={u.id} className={u.disabled ? 'dim' : ''}>
                <td>
                  <strong>{u.username}</strong>
                  {u.displayName && <div className="muted small">{u.displayName}</div>}
                </td>
                <td>{u.email ?? ''}</td>
                <td>
                  <select aria-label={t('users.role')} value={u.role} onChange={(e) => void act(() => authApi.updateUser(u.id, { role: e.target.value as Role }))}>
                    {ROLES.map((r) => (
                      <option key={r} value={r}>
                        {t(`role.${r}`)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <span className={`tag ${u.disabled ? 'tag-off' : 'tag-on'}`}>{u.disabled ? t('users.disabled') : t('users.active')}</span>
                </td>
                <td className="nowrap">{formatDateTime(u.createdAt)}</td>
                <td className="right nowrap">
                  <button
                    type="button"
                    className="btn btn-small"
                    onClick={() => {
                      const pw = prompt(t('users.newPasswordFor', { name: u.username }));
                      if (pw) void act(() => authApi.setUserPassword(u.id, pw), t('users.passwordSet'));
                    }}
                  >
                    {t('users.resetPassword')}
                  </button>{' '}
                  {u.id !== me?.id && (
                    <>
                      <button type="button" className="btn btn-small" onClick={() => void act(() => authApi.updateUser(u.id, { disabled: !u.disabled }))}>
                        {u.disabled ? t('users.enable') : t('users.disable')}
                      </button>{' '}
                      <button type="button" className="btn btn-small btn-danger" onClick={() => confirm(t('common.confirmDelete', { name: u.username })) && void act(() => authApi.deleteUser(u.id))}>
                        {t('common.delete')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
