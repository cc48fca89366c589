import { useState, type FormEvent } from 'react';
import { authApi } from '../../api/auth.js';
import { SCOPES, type Scope } from '../../api/schemas.js';
import { CopyBlock } from '../../components/CopyBlock.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { useAsync } from '../../lib/use-async.js';

export function Tokens(): React.JSX.Element {
  const t = useT();
  const list = useAsync(() => authApi.tokens(), []);
  const [name, setName] = useState('');
  const [scopes, setScopes] = useState<Scope[]>(['ingest']);
  const [tenants, setTenants] = useState('default');
  const [days, setDays] = useState('');
  const [secret, setSecret] = useState<{ name: string; secret: string }>();
  const [error, setError] = useState<Error>();

  const create = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    try {
      const tn = tenants.trim() === '*' ? '*' : tenants.split(',').map((s) => s.trim()).filter(Boolean);
      const created = await authApi.createToken({ name, scopes, tenants: tn, ...(days.trim() ? { expiresInDays: Number(days) } : {}) });
      setSecret({ name: created.name, secret: created.secret });
      setName('');
      list.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const revoke = async (id: string, tokenName: string): Promise<void> => {
    if (!confirm(t('tokens.confirmRevoke', { name: tokenName }))) return;
    try {
      await authApi.revokeToken(id);
      list.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const toggle = (s: Scope): void => setScopes(scopes.includes(s) ? scopes.filter((x) => x !== s) : [...scopes, s]);

  return (
    <>
      <PageHeader title={t('tokens.title')} />
      <p className="lead">{t('tokens.intro')}</p>
      {secret && (
        <div className="card card-success" role="status">
          <h2>{t('tokens.secretTitle')}</h2>
          <p>
            <strong>{secret.name}</strong> — {t('tokens.secretText')}
          </p>
          <CopyBlock text={secret.secret} />
          <button type="button" className="btn btn-small" onClick={() => setSecret(undefined)}>
            {t('common.close')}
          </button>
        </div>
      )}
      <form className="card form-inline" onSubmit={(e) => void create(e)}>
        <h2>{t('tokens.new')}</h2>
        <div className="form-grid">
          <label className="field">
            <span>{t('common.name')}</span>
            <input name="token-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
          </label>
          <fieldset className="field">
            <legend>{t('tokens.scopes')}</legend>
            <div className="checks">
              {SCOPES.map((s) => (
                <label key={s} className="check">
                  <input type="checkbox" checked={scopes.includes(s)} onChange={() => toggle(s)} /> {t(`scope.${s}`)}
                </label>
              ))}
            </div>
          </fieldset>
          <label className="field">
            <span>{t('tokens.tenants')}</span>
            <input value={tenants} onChange={(e) => setTenants(e.target.value)} />
            <small className="muted">{t('tokens.tenantsHelp')}</small>
          </label>
          <label className="field">
            <span>{t('tokens.expires')}</span>
            <input type="number" min={1} max={3650} value={days} onChange={(e) => setDays(e.target.value)} />
          </label>
        </div>
        <button type="submit" className="btn btn-primary" disabled={scopes.length === 0 || name.trim() === ''}>
          {t('common.create')}
        </button>
      </form>
      <ErrorNote error={error ?? list.error} />
      <div className="card flush">
        {list.data && list.data.length === 0 ? (
          <p className="empty">{t('tokens.empty')}</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>{t('common.name')}</th>
                <th>{t('tokens.scopes')}</th>
                <th>{t('tokens.tenants')}</th>
                <th>{t('tokens.created')}</th>
                <th>{t('tokens.lastUsed')}</th>
                <th>{t('tokens.expiresAt')}</th>
                <th aria-label={t('common.actions')} />
              </tr>
            </thead>
            <tbody>
              {(list.data ?? []).map((tk) => (
                <tr key={tk.id} className={tk.revokedAt ? 'dim' : ''}>
                  <td>
                    <strong>{tk.name}</strong>
                    {tk.createdBy && <div className="muted small">{tk.createdBy}</div>}
                  </td>
                  <td>
                    {tk.scopes.map((s) => (
                      <span key={s} className={`tag tag-${s}`}>
                        {s}
                      </span>
                    ))}
                  </td>
                  <td className="mono">{tk.tenants === '*' ? '*' : tk.tenants.join(', ')}</td>
                  <td className="nowrap">{formatDateTime(tk.createdAt)}</td>
                  <td className="nowrap">{tk.lastUsedAt ? formatDateTime(tk.lastUsedAt) : t('common.never')}</td>
                  <td className="nowrap">{tk.expiresAt ? formatDateTime(tk.expiresAt) : t('common.never')}</td>
                  <td className="right">
                    {tk.revokedAt ? (
                      <span className="tag">{t('tokens.revoked')}</span>
                    ) : (
                      <button type="button" className="btn btn-small btn-danger" onClick={() => void revoke(tk.id, tk.name)}>
                        {t('tokens.revoke')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </>
  );
}
