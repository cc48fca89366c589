import { useState } from 'react';
import { alertingApi, STEP_TYPES, type Chain, type Step, type StepType } from '../../api/alerting.js';
import { oncallApi } from '../../api/oncall.js';
import { useSession } from '../../api/session.js';
import { ErrorNote } from '../../components/ErrorNote.js';
import { FormActions } from '../../components/FormActions.js';
import { PageHeader } from '../../components/Layout.js';
import { useT } from '../../i18n/i18n.js';
import { changeType, moveStep, newStep } from '../../lib/chain-steps.js';
import { useAsync } from '../../lib/use-async.js';
import { StepFields, type Choices } from './StepFields.js';

/** A chain being edited: its name and steps; `id` undefined for a new one. */
interface Draft {
  readonly id: string | undefined;
  readonly name: string;
  readonly steps: readonly Step[];
}

function ChainEditor({ draft, choices, onSaved, onCancel }: { draft: Draft; choices: Choices; onSaved: () => void; onCancel: () => void }): React.JSX.Element {
  const t = useT();
  const [d, setD] = useState(draft);
  const [error, setError] = useState<Error>();
  const setStep = (i: number, s: Step): void => setD({ ...d, steps: d.steps.map((x, k) => (k === i ? s : x)) });
  const save = async (): Promise<void> => {
    setError(undefined);
    try {
      if (d.id === undefined) await alertingApi.createChain(d.name, d.steps);
      else await alertingApi.saveChain(d.id, d.name, d.steps);
      onSaved();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <form
      className="card form chain-editor"
      aria-label={t('chains.edit')}
      onSubmit={(e) => {
        e.preventDefault();
        void save();
      }}
    >
      <label className="field">
        <span>{t('chains.name')}</span>
        <input name="chain-name" value={d.name} onChange={(e) => setD({ ...d, name: e.target.value })} required />
      </label>
      <ol className="steps">
        {d.steps.map((s, i) => (
          <li key={i} className="step">
            <div className="step-head">
              <span className="step-no">{i + 1}</span>
              <select name={`step-${i}-type`} aria-label={t('chains.stepType')} value={s.type} onChange={(e) => setStep(i, changeType(s, e.target.value as StepType))}>
                {STEP_TYPES.map((x) => (
                  <option key={x} value={x}>
                    {t(`chains.type.${x}`)}
                  </option>
                ))}
              </select>
              <span className="grow" />
              <button type="button" className="btn btn-small" aria-label={t('chains.up', { n: i + 1 })} disabled={i === 0} onClick={() => setD({ ...d, steps: moveStep(d.steps, i, -1) })}>
                ↑
              </button>
              <button type="button" className="btn btn-small" aria-label={t('chains.down', { n: i + 1 })} disabled={i === d.steps.length - 1} onClick={() => setD({ ...d, steps: moveStep(d.steps, i, 1) })}>
                ↓
              </button>
              <button type="button" className="btn btn-small" aria-label={t('chains.remove', { n: i + 1 })} onClick={() => setD({ ...d, steps: d.steps.filter((_, k) => k !== i) })}>
                ×
              </button>
            </div>
            <div className="step-fields">
              <StepFields step={s} onChange={(x) => setStep(i, x)} choices={choices} n={i} />
            </div>
          </li>
        ))}
      </ol>
      <div className="row">
        <button type="button" className="btn" onClick={() => setD({ ...d, steps: [...d.steps, newStep(d.steps.length === 0 ? 'notify_users' : 'wait')] })}>
          {t('chains.addStep')}
        </button>
      </div>
      <ErrorNote error={error} />
      <FormActions submit={t('common.save')} onCancel={onCancel} />
    </form>
  );
}

function summary(s: Step, choices: Choices, t: ReturnType<typeof useT>): string {
  const name = (list: ReadonlyArray<{ id: string; name: string }>, id: unknown): string => list.find((x) => x.id === id)?.name ?? String(id);
  const what = t(`chains.type.${s.type}`);
  switch (s.type) {
    case 'wait':
      return `${what} ${String(s.duration)}`;
    case 'notify_users':
    case 'round_robin':
      return `${what}: ${((s.users as string[] | undefined) ?? []).join(', ')}${s.important ? ` (${t('chains.important')})` : ''}`;
    case 'notify_schedule':
      return `${what}: ${name(choices.schedules, s.schedule)}`;
    case 'notify_team':
      return `${what}: ${name(choices.teams, s.team)}`;
    case 'notify_channel':
    case 'trigger_webhook':
      return `${what}: ${name(choices.channels, s.channel)}`;
    case 'time_window':
      return `${what} ${String(s.from)}–${String(s.to)} ${String(s.timeZone ?? '')}`;
    case 'alert_threshold':
      return `${what}: > ${String(s.count)} / ${String(s.window)}`;
    case 'repeat':
      return `${what} ×${String(s.times)}`;
    case 'resolve':
      return what;
  }
}

/** Escalation chains: the ordered steps that notify people, edited step by step. */
export function Chains(): React.JSX.Element {
  const t = useT();
  const { canWrite } = useSession();
  const chains = useAsync((signal) => alertingApi.chains(signal), []);
  const choices = useAsync(
    async (signal): Promise<Choices> => {
      const [schedules, teams, channels] = await Promise.all([oncallApi.schedules(), alertingApi.teams(signal), alertingApi.channels(signal).catch(() => [])]);
      return { schedules, teams, channels };
    },
    [],
  );
  const [editing, setEditing] = useState<Draft>();
  const [error, setError] = useState<Error>();
  const c = choices.data ?? { schedules: [], teams: [], channels: [] };
  const remove = async (ch: Chain): Promise<void> => {
    if (!confirm(t('common.confirmDelete', { name: ch.name }))) return;
    try {
      await alertingApi.deleteChain(ch.id);
      chains.reload();
    } catch (e) {
      setError(e as Error);
    }
  };
  return (
    <>
      <PageHeader title={t('chains.title')}>
        {canWrite && !editing && (
          <button type="button" className="btn btn-primary" onClick={() => setEditing({ id: undefined, name: '', steps: [newStep('notify_users')] })}>
            {t('chains.new')}
          </button>
        )}
      </PageHeader>
      <p className="muted">{t('chains.intro')}</p>
      <ErrorNote error={chains.error ?? choices.error ?? error} />
      {editing && (
        <ChainEditor
          key={editing.id ?? 'new'}
          draft={editing}
          choices={c}
          onSaved={() => {
            setEditing(undefined);
            chains.reload();
          }}
          onCancel={() => setEditing(undefined)}
        />
      )}
      {chains.data && chains.data.length === 0 && !editing && (
        <div className="card empty-state">
          <p className="muted">{t('chains.empty')}</p>
        </div>
      )}
      {(chains.data ?? []).map((ch) => (
        <section key={ch.id} className="card chain" aria-label={ch.name}>
          <div className="chain-head">
            <h2>{ch.name}</h2>
            {canWrite && (
              <span className="row">
                <button type="button" className="btn btn-small" onClick={() => setEditing({ id: ch.id, name: ch.name, steps: ch.steps })}>
                  {t('dash.edit')}
                </button>
                <button type="button" className="btn btn-small btn-danger" onClick={() => void remove(ch)}>
                  {t('common.delete')}
                </button>
              </span>
            )}
          </div>
          <ol className="chain-steps">
            {ch.steps.map((s, i) => (
              <li key={i}>{summary(s, c, t)}</li>
            ))}
          </ol>
        </section>
      ))}
    </>
  );
}
