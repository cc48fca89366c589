import { useMemo, useRef } from 'react';
import { CodeEditor } from '../../components/CodeEditor.js';
import { useT } from '../../i18n/i18n.js';
import { logqlExtension, lokiLabelSource } from './logql-language.js';

export interface LogqlEditorProps {
  readonly value: string;
  readonly onChange: (v: string) => void;
  /** Shift+Enter or Ctrl/⌘+Enter. */
  readonly onRun: () => void;
  readonly placeholder: string;
  /** The range label completion looks in (milliseconds). */
  readonly range: () => { start: number; end: number };
}

/** The LogQL editor: Loki's grammar for highlighting and errors, our Loki label API for completion. */
export function LogqlEditor({ range, ...props }: LogqlEditorProps): React.JSX.Element {
  const t = useT();
  const rangeRef = useRef(range);
  rangeRef.current = range;
  const language = useMemo(() => logqlExtension(lokiLabelSource(() => rangeRef.current()), t('logs.syntaxError')), [t]);
  return <CodeEditor {...props} language={language} className="logql-editor" testId="logql-editor" />;
}
