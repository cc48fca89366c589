import { useT } from '../i18n/i18n.js';

/** A form's submit and cancel buttons. */
export function FormActions({ submit, onCancel }: { submit: string; onCancel: () => void }): React.JSX.Element {
  const t = useT();
  return (
    <div className="row">
      <button type="submit" className="btn btn-primary">
        {submit}
      </button>
      <button type="button" className="btn" onClick={onCancel}>
        {t('common.cancel')}
      </button>
    </div>
  );
}
