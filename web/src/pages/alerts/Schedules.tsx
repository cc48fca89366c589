import { useState, type FormEvent } from 'react';
import { oncallApi, type Schedule } from '../../api/oncall.js';
import { useSession } from '../../api/session.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { formatDateTime } from '../../lib/format-time.js';
import { useAsync } from '../../lib/use-async.js';
import { serviceColor } from '../traces/service-color.js';

const DAY = 86_400_000;
const DAYS = 14;

/** One schedule: who is on call now, the next two weeks as a strip, and a quick override. */
function ScheduleCard({ schedule }: { schedule: Schedule }): React.JSX.Element {
  const t = useT();
  const { canWrite } = useSession();
  const [from] = useState(() => Math.floor(Date.now() / DAY) * DAY);
  const to = from + DAYS * DAY;
  const data = useAsync(() => oncallApi.oncall(schedule.id, new Date(from).toISOString(), new Date(to).toISOString()), [schedule.id, from]);
  const [user, setUser] = useState('');
  const [hours, setHours] = useState('8');
  const [error, setError] = useState<Error>();
  const override = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    try {
      const start = new Date();
      await oncallApi.override(schedule.id, user, start.toISOString(), new Date(start.getTime() + Number(hours) * 3_600_000).toISOString());
      setUser('');
      data.reload();
    } catch (err) {
      setError(err as Error);
    }
  };
  const now = Date.now();
  return (
    <section className="card schedule" aria-label={schedule.name}>
      <div className="row">
        <h2 className="grow">{schedule.name}</h2>
        <span className="muted small">{schedule.timeZone}</span>
      </div>
      <div className="oncall-now">
        {t('oncall.now')}:{' '}
        {data.data && data.data.users.length === 0 && <span className="muted">{t('oncall.nobody')}</span>}
        {data.data?.users.map((u) => (
          <span key={u} className="chip oncall-user">
            <span className="svc-dot" style={{ background: serviceColor(u) }} /> {u}
          </span>
        ))}
      </div>
      <div className="strip" role="img" aria-label={t('oncall.next', { n: DAYS })}>
        {Array.from({ length: DAYS }, (_, i) => (
          <div key={i} className="strip-day" style={{ left: `${(i / DAYS) * 100}%`, width: `${100 / DAYS}%` }}>
            {new Date(from + i * DAY).toISOString().slice(5, 10)}
          </div>
        ))}
        {(data.data?.intervals ?? [])
          .filter((iv) => iv.users.length > 0)
          .map((iv, i) => {
            const a = Math.max(Date.parse(iv.start), from);
            const b = Math.min(Date.parse(iv.end), to);
            return (
              <div
                key={i}
                className="strip-bar"
                title={`${iv.users.join(', ')}: ${formatDateTime(a)} → ${formatDateTime(b)}`}
                style={{ left: `${((a - from) / (to - from)) * 100}%`, width: `${((b - a) / (to - from)) * 100}%`, background: serviceColor(iv.users[0]!) }}
              >
                {iv.users.join(', ')}
              </div>
            );
          })}
        <div className="strip-now" style={{ left: `${((now - from) / (to - from)) * 100}%` }} />
      </div>
      {canWrite && (
        <form className="row override" onSubmit={(e) => void override(e)}>
          <span className="muted small">{t('oncall.override')}</span>
          <input name="override-user" required placeholder={t('users.username')} value={user} onChange={(e) => setUser(e.target.value)} />
          <select aria-label={t('oncall.hours')} value={hours} onChange={(e) => setHours(e.target.value)}>
            {['1', '4', '8', '12', '24'].map((h) => (
              <option key={h} value={h}>
                {t('oncall.forHours', { n: h })}
              </option>
            ))}
          </select>
          <button type="submit" className="btn btn-small">
            {t('oncall.take')}
          </button>
        </form>
      )}
      <ErrorNote error={error ?? data.error} />
    </section>
  );
}

export function Schedules(): React.JSX.Element {
  const t = useT();
  const list = useAsync(() => oncallApi.schedules(), []);
  return (
    <>
      <PageHeader title={t('oncall.title')} />
      <ErrorNote error={list.error} />
      {list.data && list.data.length === 0 && (
        <div className="card empty-state">
          <h2>{t('oncall.empty')}</h2>
          <p className="muted">{t('oncall.emptyText')}</p>
        </div>
      )}
      {(list.data ?? []).map((s) => (
        <ScheduleCard key={s.id} schedule={s} />
      ))}
    </>
  );
}
