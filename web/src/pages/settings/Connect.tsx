import { useState } from 'react';
import { authApi } from '../../api/auth.js';
import { useSession } from '../../api/session.js';
import { CopyBlock } from '../../components/CopyBlock.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { fluentBitLoki, grafanaDatasources, otlpEnv, prometheusRemoteWrite } from '../../lib/snippets.js';

/** Snippets that get a new user's first data in (also the empty state of Explore and Overview). */
export function SenderSnippets({ token }: { token: string }): React.JSX.Element {
  const t = useT();
  const input = { baseUrl: location.origin, token: token || '<TOKEN>' };
  return (
    <div className="grid-2">
      <section className="card">
        <h2>{t('connect.promTitle')}</h2>
        <p className="muted">{t('connect.promText')}</p>
        <CopyBlock text={prometheusRemoteWrite(input)} />
      </section>
      <section className="card">
        <h2>{t('connect.otlpTitle')}</h2>
        <p className="muted">{t('connect.otlpText')}</p>
        <CopyBlock text={otlpEnv(input)} />
      </section>
      <section className="card">
        <h2>{t('connect.fluentTitle')}</h2>
        <p className="muted">{t('connect.fluentText')}</p>
        <CopyBlock text={fluentBitLoki(input)} />
      </section>
      <section className="card">
        <h2>{t('connect.grafanaTitle')}</h2>
        <p className="muted">{t('connect.grafanaText')}</p>
        <CopyBlock text={grafanaDatasources(input)} />
      </section>
    </div>
  );
}

export function Connect(): React.JSX.Element {
  const t = useT();
  const { isAdmin } = useSession();
  const [token, setToken] = useState('');
  const [error, setError] = useState<Error>();
  const create = async (kind: 'ingest' | 'read'): Promise<void> => {
    setError(undefined);
    try {
      const created = await authApi.createToken({ name: kind === 'ingest' ? `sender-${new Date().toISOString().slice(0, 10)}` : 'grafana', scopes: [kind], tenants: ['default'] });
      setToken(created.secret);
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <>
      <PageHeader title={t('connect.title')} />
      <p className="lead">{t('connect.intro')}</p>
      <div className="card token-bar">
        <label className="field grow">
          <span>{t('connect.tokenLabel')}</span>
          <input className="mono" value={token} placeholder={t('connect.tokenPlaceholder')} onChange={(e) => setToken(e.target.value.trim())} spellCheck={false} />
        </label>
        {isAdmin && (
          <div className="row">
            <button type="button" className="btn" onClick={() => void create('ingest')}>
              {t('connect.createIngest')}
            </button>
            <button type="button" className="btn" onClick={() => void create('read')}>
              {t('connect.createRead')}
            </button>
          </div>
        )}
        <div className="muted small">
          {t('connect.baseUrl')}: <code>{location.origin}</code>
        </div>
      </div>
      <ErrorNote error={error} />
      <SenderSnippets token={token} />
    </>
  );
}
