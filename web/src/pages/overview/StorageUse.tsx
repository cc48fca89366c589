import { statusApi, type StorageStatus } from '../../api/status.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import type { MessageKey } from '../../i18n/en.js';
import { useT } from '../../i18n/i18n.js';
import { formatValue } from '../../lib/units.js';
import { useAsync } from '../../lib/use-async.js';

const ROWS: ReadonlyArray<{ key: 'metrics' | 'logs' | 'traces'; label: MessageKey }> = [
  { key: 'metrics', label: 'nav.metrics' },
  { key: 'logs', label: 'nav.logs' },
  { key: 'traces', label: 'nav.traces' },
];

/** Bytes on disk and retention per signal (status/storage). */
export function StorageUse({ refreshTick }: { refreshTick: number }): React.JSX.Element {
  const t = useT();
  const st = useAsync((signal) => statusApi.storage(signal), [refreshTick]);
  const keep = (ms: number): string => (ms === 0 ? t('overview.forever') : formatValue(ms / 1000, 'seconds', 1));
  const cap = (bytes: number): string => (bytes === 0 ? t('overview.noCap') : formatValue(bytes, 'bytes', 1));
  const size = (s: StorageStatus['metrics']): string => (s.bytes === null ? t('overview.remote') : `${formatValue(s.bytes, 'bytes', 1)}${s.complete ? '' : '+'}`);
  return (
    <section className="card" aria-labelledby="ov-storage">
      <h2 id="ov-storage">{t('overview.storage')}</h2>
      <ErrorNote error={st.error} />
      {st.data && (
        <div className="table-scroll">
          <table className="table">
            <thead>
              <tr>
                <th>{t('overview.signal')}</th>
                <th>{t('overview.backend')}</th>
                <th className="right">{t('overview.onDisk')}</th>
                <th className="right">{t('overview.retention')}</th>
                <th className="right">{t('overview.sizeCap')}</th>
              </tr>
            </thead>
            <tbody>
              {ROWS.map((r) => {
                const s = st.data![r.key];
                return (
                  <tr key={r.key}>
                    <td>{t(r.label)}</td>
                    <td>{s.backend}</td>
                    <td className="right mono">{size(s)}</td>
                    <td className="right mono">{keep(s.retentionMs)}</td>
                    <td className="right mono">{cap(s.retentionBytes)}</td>
                  </tr>
                );
              })}
              <tr>
                <td>{t('overview.stateDb')}</td>
                <td>{st.data.state.backend}</td>
                <td className="right mono">{st.data.state.bytes === null ? t('overview.remote') : formatValue(st.data.state.bytes, 'bytes', 1)}</td>
                <td className="right mono muted">{t('overview.eventsKept', { d: keep(st.data.events.retentionMs) })}</td>
                <td className="right mono">–</td>
              </tr>
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
