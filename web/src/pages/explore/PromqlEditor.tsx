import { useMemo } from 'react';
import { PromQLExtension } from '@prometheus-io/codemirror-promql';
import { CodeEditor } from '../../components/CodeEditor.js';

export interface PromqlEditorProps {
  readonly value: string;
  readonly onChange: (v: string) => void;
  /** Shift+Enter or Ctrl/⌘+Enter. */
  readonly onRun: () => void;
  readonly placeholder: string;
}

/**
 * The PromQL editor: Prometheus' own CodeMirror language support, completing metric names,
 * labels and values from our /api/v1 label and metadata APIs, and linting as you type.
 */
export function PromqlEditor(props: PromqlEditorProps): React.JSX.Element {
  const language = useMemo(
    () =>
      new PromQLExtension()
        .activateCompletion(true)
        .activateLinter(true)
        .setComplete({
          remote: {
            url: '',
            httpMethod: 'GET',
            lookbackInterval: 12 * 3600 * 1000,
            fetchFn: (input, init) => fetch(input, { ...init, credentials: 'same-origin' }),
          },
        })
        .asExtension(),
    [],
  );
  return <CodeEditor {...props} language={language} className="promql-editor" testId="promql-editor" />;
}
