import { useT } from '../i18n/i18n.js';
import { Link } from '../lib/router.js';
import { fluentBitLoki, otlpEnv, prometheusRemoteWrite } from '../lib/snippets.js';
import { CopyBlock } from './CopyBlock.js';

export type FirstDataKind = 'metrics' | 'logs' | 'traces';

/**
 * The empty state's "how to send your first data": the one sender snippet that feeds this
 * page, with this server's URL and a placeholder for an ingest token (Send data creates one).
 */
export function FirstData({ kind }: { kind: FirstDataKind }): React.JSX.Element {
  const t = useT();
  const input = { baseUrl: location.origin, token: '<TOKEN>' };
  const snippet = kind === 'metrics' ? prometheusRemoteWrite(input) : kind === 'logs' ? fluentBitLoki(input) : otlpEnv(input);
  const text = kind === 'metrics' ? t('connect.promText') : kind === 'logs' ? t('connect.fluentText') : t('connect.otlpText');
  return (
    <div className="first-data">
      <p className="muted">{text}</p>
      <CopyBlock text={snippet} />
      <p className="muted small">
        <Link to="/settings/connect">{t('firstData.token')}</Link>
      </p>
    </div>
  );
}
