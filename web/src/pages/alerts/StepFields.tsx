import type { Step } from '../../api/alerting.js';
import { useT } from '../../i18n/i18n.js';
import { parseUsers } from '../../lib/chain-steps.js';

export interface Choices {
  readonly schedules: ReadonlyArray<{ id: string; name: string }>;
  readonly teams: ReadonlyArray<{ id: string; name: string }>;
  readonly channels: ReadonlyArray<{ id: string; name: string; kind: string }>;
}

/** The fields of one escalation step, by its type. */
export function StepFields({ step, onChange, choices, n }: { step: Step; onChange: (s: Step) => void; choices: Choices; n: number }): React.JSX.Element | null {
  const t = useT();
  const set = (k: string, v: unknown): void => onChange({ ...step, [k]: v });
  const str = (k: string): string => (typeof step[k] === 'string' ? (step[k] as string) : '');
  const num = (k: string): number => (typeof step[k] === 'number' ? (step[k] as number) : 0);
  const id = (k: string): string => `step-${n}-${k}`;
  const important = (
    <label className="check">
      <input type="checkbox" checked={step.important === true} onChange={(e) => set('important', e.target.checked)} /> {t('chains.important')}
    </label>
  );
  const pick = (k: 'schedule' | 'team' | 'channel', list: ReadonlyArray<{ id: string; name: string; kind?: string }>): React.JSX.Element => (
    <label className="field">
      <span>{t(`chains.field.${k}`)}</span>
      <select name={id(k)} value={str(k)} onChange={(e) => set(k, e.target.value)} required>
        <option value="">{t('chains.choose')}</option>
        {list.map((x) => (
          <option key={x.id} value={x.id}>
            {x.name}
            {x.kind ? ` (${x.kind})` : ''}
          </option>
        ))}
      </select>
    </label>
  );
  switch (step.type) {
    case 'wait':
      return (
        <label className="field">
          <span>{t('chains.field.duration')}</span>
          <input name={id('duration')} value={str('duration')} onChange={(e) => set('duration', e.target.value)} placeholder="5m" required />
        </label>
      );
    case 'notify_users':
    case 'round_robin':
      return (
        <>
          <label className="field grow">
            <span>{t('chains.field.users')}</span>
            <input name={id('users')} defaultValue={((step.users as string[] | undefined) ?? []).join(', ')} onChange={(e) => set('users', parseUsers(e.target.value))} placeholder="alice, bob" required />
          </label>
          {important}
        </>
      );
    case 'notify_schedule':
      return (
        <>
          {pick('schedule', choices.schedules)}
          {important}
        </>
      );
    case 'notify_team':
      return (
        <>
          {pick('team', choices.teams)}
          {important}
        </>
      );
    case 'notify_channel':
      return pick('channel', choices.channels);
    case 'trigger_webhook':
      return pick('channel', choices.channels.filter((c) => c.kind === 'webhook'));
    case 'time_window':
      return (
        <>
          <label className="field">
            <span>{t('chains.field.from')}</span>
            <input name={id('from')} type="time" value={str('from')} onChange={(e) => set('from', e.target.value)} required />
          </label>
          <label className="field">
            <span>{t('chains.field.to')}</span>
            <input name={id('to')} type="time" value={str('to')} onChange={(e) => set('to', e.target.value)} required />
          </label>
          <label className="field">
            <span>{t('chains.field.timeZone')}</span>
            <input name={id('timeZone')} value={str('timeZone')} onChange={(e) => set('timeZone', e.target.value)} placeholder="Asia/Tokyo" />
          </label>
        </>
      );
    case 'alert_threshold':
      return (
        <>
          <label className="field">
            <span>{t('chains.field.count')}</span>
            <input name={id('count')} type="number" min={1} value={num('count')} onChange={(e) => set('count', Number(e.target.value))} required />
          </label>
          <label className="field">
            <span>{t('chains.field.window')}</span>
            <input name={id('window')} value={str('window')} onChange={(e) => set('window', e.target.value)} required />
          </label>
        </>
      );
    case 'repeat':
      return (
        <label className="field">
          <span>{t('chains.field.times')}</span>
          <input name={id('times')} type="number" min={1} max={5} value={num('times')} onChange={(e) => set('times', Number(e.target.value))} required />
        </label>
      );
    case 'resolve':
      return null;
  }
}
