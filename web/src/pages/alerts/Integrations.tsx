import { useState, type FormEvent } from 'react';
import { alertingApi, INTEGRATION_KINDS, type Integration, type IntegrationKind } from '../../api/alerting.js';
import { useSession } from '../../api/session.js';
import { CopyBlock } from '../../components/CopyBlock.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { FormActions } from '../../components/FormActions.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { integrationSnippet, integrationUrls } from '../../lib/integration-urls.js';
import { useAsync } from '../../lib/use-async.js';

function NewIntegration({ onCreated, onCancel }: { onCreated: (i: Integration, token: string) => void; onCancel: () => void }): React.JSX.Element {
  const t = useT();
  const [name, setName] = useState('');
  const [kind, setKind] = useState<IntegrationKind>('alertmanager');
  const [groupBy, setGroupBy] = useState('');
  const [heartbeat, setHeartbeat] = useState('5');
  const [topics, setTopics] = useState('');
  const [error, setError] = useState<Error>();
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    setError(undefined);
    const settings: Record<string, unknown> = {};
    const labels = groupBy.split(/[\s,]+/).filter((x) => x !== '');
    if (labels.length > 0) settings.groupBy = labels;
    if (kind === 'heartbeat') settings.heartbeatTimeoutMs = Math.round(Number(heartbeat) * 60_000);
    if (kind === 'sns') settings.allowedTopics = topics.split(/[\s,]+/).filter((x) => x !== '');
    try {
      const created = await alertingApi.createIntegration(name, kind, settings);
      onCreated(created, created.token);
    } catch (err) {
      setError(err as Error);
    }
  };
  return (
    <form className="card form" onSubmit={(e) => void submit(e)} aria-label={t('integrations.new')}>
      <h2>{t('integrations.new')}</h2>
      <div className="form-grid">
        <label className="field">
          <span>{t('common.name')}</span>
          <input name="integration-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </label>
        <label className="field">
          <span>{t('integrations.kind')}</span>
          <select name="integration-kind" value={kind} onChange={(e) => setKind(e.target.value as IntegrationKind)}>
            {INTEGRATION_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(`integrations.kind.${k}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>{t('integrations.groupBy')}</span>
          <input name="integration-group-by" className="mono" value={groupBy} onChange={(e) => setGroupBy(e.target.value)} placeholder="alertname, cluster" />
        </label>
        {kind === 'heartbeat' && (
          <label className="field">
            <span>{t('integrations.heartbeatMinutes')}</span>
            <input name="integration-heartbeat" type="number" min={1} value={heartbeat} onChange={(e) => setHeartbeat(e.target.value)} />
          </label>
        )}
        {kind === 'sns' && (
          <label className="field">
            <span>{t('integrations.topics')}</span>
            <input name="integration-topics" className="mono" value={topics} onChange={(e) => setTopics(e.target.value)} placeholder="arn:aws:sns:eu-west-1:123456789012:alarms" required />
          </label>
        )}
      </div>
      <ErrorNote error={error} />
      <FormActions submit={t('common.create')} onCancel={onCancel} />
    </form>
  );
}

/** Inbound alert sources: each with its own URLs and token (shown once), maintenance windows. */
export function Integrations(): React.JSX.Element {
  const t = useT();
  const { isAdmin, canWrite } = useSession();
  const list = useAsync((signal) => alertingApi.integrations(signal), []);
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<{ integration: Integration; token: string }>();
  const [error, setError] = useState<Error>();
  const act = async (f: () => Promise<unknown>): Promise<void> => {
    setError(undefined);
    try {
      await f();
      list.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  const remove = (i: Integration): void => {
    if (confirm(t('integrations.confirmDelete', { name: i.name }))) void act(() => alertingApi.deleteIntegration(i.id));
  };
  const now = Date.now();
  return (
    <>
      <PageHeader title={t('integrations.title')}>
        {isAdmin && !creating && (
          <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
            {t('integrations.new')}
          </button>
        )}
      </PageHeader>
      <p className="muted">{t('integrations.intro')}</p>
      {creating && (
        <NewIntegration
          onCreated={(integration, token) => {
            setCreating(false);
            setCreated({ integration, token });
            list.reload();
          }}
          onCancel={() => setCreating(false)}
        />
      )}
      {created && (
        <section className="card card-success" role="status">
          <h2>{t('integrations.created', { name: created.integration.name })}</h2>
          <p>{t('tokens.secretText')}</p>
          <CopyBlock text={created.token} label={t('integrations.token')} />
          <CopyBlock text={integrationSnippet(location.origin, created.integration, created.token)} label={t('integrations.snippet')} />
          <button type="button" className="btn" onClick={() => setCreated(undefined)}>
            {t('common.close')}
          </button>
        </section>
      )}
      <ErrorNote error={list.error ?? error} />
      {list.data && list.data.length === 0 && (
        <div className="card empty-state">
          <p className="muted">{t('integrations.empty')}</p>
        </div>
      )}
      {(list.data ?? []).map((i) => {
        const inMaintenance = i.maintenanceUntil !== null && i.maintenanceUntil > now;
        const urls = integrationUrls(location.origin, i);
        return (
          <section key={i.id} className="card integration" aria-label={i.name}>
            <div className="chain-head">
              <h2>
                {i.name} <span className="badge badge-kind">{t(`integrations.kind.${(INTEGRATION_KINDS as readonly string[]).includes(i.kind) ? (i.kind as IntegrationKind) : 'webhook'}`)}</span>
                {inMaintenance && <span className="badge badge-acknowledged"> {t('integrations.inMaintenance', { until: formatDateTime(i.maintenanceUntil) })}</span>}
              </h2>
              <span className="row">
                {canWrite &&
                  (inMaintenance ? (
                    <button type="button" className="btn btn-small" onClick={() => void act(() => alertingApi.maintenance(i.id, null))}>
                      {t('integrations.endMaintenance')}
                    </button>
                  ) : (
                    <button type="button" className="btn btn-small" onClick={() => void act(() => alertingApi.maintenance(i.id, '1h'))}>
                      {t('integrations.maintenance1h')}
                    </button>
                  ))}
                {isAdmin && i.name !== 'default' && (
                  <button type="button" className="btn btn-small btn-danger" onClick={() => remove(i)}>
                    {t('common.delete')}
                  </button>
                )}
              </span>
            </div>
            {i.name === 'default' && <p className="muted small">{t('integrations.defaultText')}</p>}
            {urls.length > 0 && (
              <dl className="kv">
                {urls.map((u) => (
                  <div key={u.use} className="kv-row">
                    <dt>{t(`integrations.use.${u.use}`)}</dt>
                    <dd className="mono">{u.url}</dd>
                  </div>
                ))}
              </dl>
            )}
            <p className="muted small">
              {t('integrations.lastAlert', { at: i.lastAlertAt === null ? t('common.never') : formatDateTime(i.lastAlertAt) })}
              {Array.isArray(i.settings.groupBy) ? ` · ${t('integrations.groupBy')}: ${(i.settings.groupBy as string[]).join(', ')}` : ''}
            </p>
          </section>
        );
      })}
    </>
  );
}
