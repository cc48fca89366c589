import { useT } from '../i18n/i18n.js';

export function ErrorNote({ error }: { error: Error | string | undefined }): React.JSX.Element | null {
  const t = useT();
  if (error === undefined) return null;
  return (
    <div className="note note-error" role="alert">
      {t('common.error', { message: typeof error === 'string' ? error : error.message })}
    </div>
  );
}
