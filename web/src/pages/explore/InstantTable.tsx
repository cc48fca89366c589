import type { PromQueryData } from '../../api/schemas.js';
import { parseSampleValue, seriesName } from '../../charts/series-data.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { formatValue, type Unit } from '../../lib/units.js';

const MAX_ROWS = 2000;

/** The instant query result as a table: one row per series (vector) or the single value. */
export function InstantTable({ data, unit }: { data: PromQueryData; unit: Unit }): React.JSX.Element {
  const t = useT();
  if (data.resultType === 'scalar' || data.resultType === 'string') {
    const [ts, v] = data.result;
    return (
      <table className="table">
        <thead>
          <tr>
            <th>{t('metrics.timestamp')}</th>
            <th className="right">{t('metrics.value')}</th>
          </tr>
        </thead>
        <tbody>
          <tr>
            <td>{formatDateTime(ts * 1000)}</td>
            <td className="right mono">{data.resultType === 'scalar' ? formatValue(parseSampleValue(v), unit, 4) : v}</td>
          </tr>
        </tbody>
      </table>
    );
  }
  const rows = data.result.slice(0, MAX_ROWS);
  return (
    <>
      {data.result.length > MAX_ROWS && <p className="note">{t('metrics.tooManySeries', { shown: MAX_ROWS, total: data.result.length })}</p>}
      <table className="table">
        <thead>
          <tr>
            <th>{t('metrics.series')}</th>
            <th className="right">{t('metrics.value')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((s, i) => {
            const v = s.value ?? s.values?.[s.values.length - 1];
            const extra = s.values && s.values.length > 1 ? ` (+${s.values.length - 1})` : '';
            return (
              <tr key={i}>
                <td className="mono series-cell">{seriesName(s.metric)}</td>
                <td className="right mono nowrap">{v ? `${formatValue(parseSampleValue(v[1]), unit, 4)}${extra}` : ''}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
