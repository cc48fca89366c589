import { useState } from 'react';
import { useT } from '../i18n/i18n.js';

/** A code snippet with a copy button. */
export function CopyBlock({ text, label }: { text: string; label?: string }): React.JSX.Element {
  const t = useT();
  const [copied, setCopied] = useState(false);
  const copy = async (): Promise<void> => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      // Clipboard refused (http, permissions): select the text so Ctrl+C works.
      const sel = window.getSelection();
      const pre = document.getElementById(`cb-${text.length}`);
      if (sel && pre) sel.selectAllChildren(pre);
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <div className="copyblock">
      {label && <div className="copyblock-label">{label}</div>}
      <pre id={`cb-${text.length}`}>
        <code>{text}</code>
      </pre>
      <button type="button" className="btn btn-small copyblock-btn" onClick={() => void copy()} aria-label={t('common.copy')}>
        {copied ? t('common.copied') : t('common.copy')}
      </button>
    </div>
  );
}
